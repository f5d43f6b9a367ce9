// SPDX-License-Identifier: GPL-2.0-or-later
/* check's look at the machine: whose IOMMU, is it on, vfio-pci, the host's own devices. */
#include <stdlib.h>

#include "host_checks.h"
#include "hostinfo.h"
#include "kcmdline.h"

void check_cpu_and_flags(struct check_list *c, const struct vb_root *root)
{
	const char *source = NULL, *flag;
	enum vb_cpu_vendor vendor = vb_host_iommu_vendor(root, &source);
	long groups = vb_host_iommu_groups(root);
	char *cmdline = vb_host_cmdline(root);

	if (vendor == VB_CPU_UNKNOWN) {
		vendor = vb_host_cpu_vendor(root);
		source = "the CPU vendor";
	}
	if (vendor == VB_CPU_UNKNOWN)
		check_add(c, "cpu", CHECK_SKIP, "whose IOMMU is unknown (no ACPI tables, no proc/cpuinfo)");
	else
		check_add(c, "cpu", CHECK_OK, "%s IOMMU (from %s)",
		       vendor == VB_CPU_INTEL ? "Intel VT-d" : "AMD-Vi", source);
	flag = vb_iommu_flag(vendor);
	if (groups > 0)
		check_add(c, "iommu-flag", CHECK_OK, "not needed: the IOMMU is on");
	else if (vendor == VB_CPU_AMD)
		check_add(c, "iommu-flag", CHECK_OK, "none needed: AMD's IOMMU is on by default (is it "
						  "enabled in the firmware setup?)");
	else if (!cmdline || !flag)
		check_add(c, "iommu-flag", CHECK_SKIP, "kernel command line or IOMMU unknown");
	else if (vb_cmdline_has_all(cmdline, &flag, 1))
		check_add(c, "iommu-flag", CHECK_OK, "%s is on the kernel command line", flag);
	else
		check_add(c, "iommu-flag", CHECK_FAIL,
		       "%s is not on the kernel command line (vfio-boot configure adds it)", flag);
	free(cmdline);
}

void check_iommu(struct check_list *c, const struct vb_root *root)
{
	long groups = vb_host_iommu_groups(root);
	int remap = vb_host_irq_remapping(root);

	if (groups < 0)
		check_add(c, "iommu", CHECK_SKIP, "no sys/kernel/iommu_groups to read");
	else if (groups == 0)
		check_add(c, "iommu", CHECK_FAIL, "no IOMMU groups: the IOMMU is off");
	else
		check_add(c, "iommu", CHECK_OK, "active, %ld IOMMU groups", groups);
	if (remap < 0)
		check_add(c, "irq-remapping", CHECK_SKIP, "no proc/interrupts to read");
	else if (remap == 0)
		check_add(c, "irq-remapping", CHECK_WARN,
		       "no remapped interrupts seen: vfio may need allow_unsafe_interrupts");
	else
		check_add(c, "irq-remapping", CHECK_OK, "interrupt remapping in use");
}

void check_modules(struct check_list *c, const struct machine *m)
{
	if (m->kmod.kernels.count == 0) {
		check_add(c, "vfio-modules", CHECK_SKIP, "no installed kernels under lib/modules");
		return;
	}
	for (size_t k = 0; k < m->kmod.kernels.count; k++) {
		enum vb_module_state st = vb_kmod_state(&m->kmod, k, "vfio_pci");
		const char *kver = m->kmod.kernels.items[k];

		if (st == VB_MODULE_MISSING)
			check_add(c, "vfio-modules", CHECK_FAIL, "kernel %s has no vfio-pci", kver);
		else
			check_add(c, "vfio-modules", CHECK_OK, "kernel %s: vfio-pci %s", kver,
			       st == VB_MODULE_BUILTIN ? "built in" : "module");
	}
}

/* The host's own disk and network devices: vfio-boot never takes them. */
void check_host_devices(struct check_list *c, const struct machine *m)
{
	char words[128];

	for (size_t i = 0; i < m->host.notes.count; i++)
		check_add(c, "host-devices", CHECK_SKIP, "%s", m->host.notes.items[i]);
	for (size_t i = 0; i < m->host.count; i++) {
		char addr[VB_PCI_NAME_MAX];

		vb_pci_addr_format(&m->host.items[i].addr, addr, sizeof(addr));
		check_add(c, "host-devices", CHECK_OK, "%s %s", addr,
		       vb_host_device_words(&m->host.items[i], words, sizeof(words)));
	}
}
