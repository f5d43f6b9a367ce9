// SPDX-License-Identifier: GPL-2.0-or-later
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>

#include "pcinames.h"

struct vb_pcinames {
	struct pci_access *pacc;
};

static void __attribute__((noreturn)) pci_fatal(char *msg, ...)
{
	fprintf(stderr, "vfio-boot: libpci: %s\n", msg);
	exit(1);
}

static void pci_ignore(char *msg, ...)
{
	(void)msg;
}

/* Only pci.ids lookups are used: devices come from our own sysfs reader. */
struct vb_pcinames *vb_pcinames_new(void)
{
	struct vb_pcinames *names = calloc(1, sizeof(*names));

	if (!names)
		return NULL;
	names->pacc = pci_alloc();
	if (!names->pacc) {
		free(names);
		return NULL;
	}
	names->pacc->error = pci_fatal;
	names->pacc->warning = pci_ignore;
	names->pacc->debug = pci_ignore;
	return names;
}

void vb_pcinames_free(struct vb_pcinames *names)
{
	if (!names)
		return;
	pci_cleanup(names->pacc);
	free(names);
}

const char *vb_pcinames_device(struct vb_pcinames *names, uint16_t vendor, uint16_t device,
			       char *buf, size_t size)
{
	if (names && pci_lookup_name(names->pacc, buf, (int)size,
				     PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, vendor, device))
		return buf;
	snprintf(buf, size, "Device %04x:%04x", vendor, device);
	return buf;
}

const char *vb_pcinames_class(struct vb_pcinames *names, uint32_t class, char *buf,
			      size_t size)
{
	if (names && pci_lookup_name(names->pacc, buf, (int)size, PCI_LOOKUP_CLASS,
				     (int)(class >> 8)))
		return buf;
	snprintf(buf, size, "Class %04x", class >> 8);
	return buf;
}
