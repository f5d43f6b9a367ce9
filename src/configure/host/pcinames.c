// SPDX-License-Identifier: GPL-2.0-or-later
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcinames.h"

#define CACHE_SLOTS 256 /* names remembered; a machine has far fewer models */

/* One remembered answer: (flags, id1, id2) -> name. */
struct cached_name {
	int flags, id1, id2;
	char *name; /* NULL: slot unused */
};

struct vb_pcinames {
	struct pci_access *pacc;
	struct cached_name cache[CACHE_SLOTS];
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
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(names->cache[i].name);
	free(names);
}

/* Functions of one model repeat: each distinct ID is looked up once. */
static const char *lookup(struct vb_pcinames *names, char *buf, size_t size, int flags,
			  int id1, int id2)
{
	unsigned slot = ((unsigned)flags * 31u + (unsigned)id1 * 65599u + (unsigned)id2) %
			CACHE_SLOTS;
	struct cached_name *c = &names->cache[slot];
	const char *name;

	if (c->name && c->flags == flags && c->id1 == id1 && c->id2 == id2) {
		snprintf(buf, size, "%s", c->name);
		return c->name[0] ? buf : NULL;
	}
	name = pci_lookup_name(names->pacc, buf, (int)size, flags | PCI_LOOKUP_NO_NUMBERS, id1, id2);
	free(c->name);
	*c = (struct cached_name){ flags, id1, id2, strdup(name ? name : "") };
	return name;
}

const char *vb_pcinames_device(struct vb_pcinames *names, uint16_t vendor, uint16_t device,
			       char *buf, size_t size)
{
	if (names && lookup(names, buf, size, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, vendor, device))
		return buf;
	snprintf(buf, size, "Device %04x:%04x", vendor, device);
	return buf;
}

const char *vb_pcinames_class(struct vb_pcinames *names, uint32_t class, char *buf,
			      size_t size)
{
	if (names && lookup(names, buf, size, PCI_LOOKUP_CLASS, (int)(class >> 8), 0))
		return buf;
	snprintf(buf, size, "Class %04x", class >> 8);
	return buf;
}
