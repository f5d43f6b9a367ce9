// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the text the binder reads at boot (the config file and the
 * kernel command line), parsed and planned against a fixed snapshot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "macro.h"
#include "plan.h"

static struct vb_pci_fn fns[] = {
	{ .addr = { 0, 0, 1, 0 }, .name = "0000:00:01.0", .vendor = 0x8086, .device = 0x1901,
	  .class = 0x060400, .header_type = 1, .boot_vga = -1, .iommu_group = 1 },
	{ .addr = { 0, 1, 0, 0 }, .name = "0000:01:00.0", .vendor = 0x10de, .device = 0x2504,
	  .class = 0x030000, .boot_vga = 1, .iommu_group = 1, .driver = "nouveau" },
	{ .addr = { 0, 1, 0, 1 }, .name = "0000:01:00.1", .vendor = 0x10de, .device = 0x228e,
	  .class = 0x040300, .boot_vga = -1, .iommu_group = 1, .driver = "vfio-pci" },
	/* An SR-IOV VF of 01:00.0 in its slot (vfs=N@0000:01:00.0 selects it). */
	{ .addr = { 0, 1, 0, 2 }, .name = "0000:01:00.2", .vendor = 0x10de, .device = 0x2504,
	  .class = 0x030000, .boot_vga = -1, .iommu_group = 2, .is_vf = true,
	  .physfn = { 0, 1, 0, 0 } },
};
#define NFNS ARRAY_SIZE(fns)

/* What every parse must leave: vfs= counts in range, one line per address. */
static void check_vfs(const struct vb_config *cfg)
{
	for (size_t i = 0; i < cfg->vfs.count; i++) {
		if (cfg->vfs.items[i].count < 1 || cfg->vfs.items[i].count > VB_VFS_MAX)
			abort();
		for (size_t j = 0; j < i; j++)
			if (vb_pci_addr_cmp(&cfg->vfs.items[i].pf.addr, &cfg->vfs.items[j].pf.addr) == 0)
				abort();
	}
}

/* A host disk in the card's group: the host rules run on every input. */
static const struct vb_host_device needs[] = { { { 0, 1, 0, 1 }, VB_HOST_DISK, "/" } };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vb_snapshot snap = { fns, NFNS };
	const struct vb_host_facts host = { needs, 1 };
	struct vb_config cfg;
	struct vb_plan plan;
	bool want[NFNS], unit[2 * NFNS + 8];
	char *cmdline = malloc(size + 1);

	if (!cmdline)
		return 0;
	memcpy(cmdline, data, size);
	cmdline[size] = '\0';
	vb_config_init(&cfg);
	vb_config_parse_text(&cfg, "fuzz.conf", (const char *)data, size);
	vb_config_parse_cmdline(&cfg, cmdline);
	check_vfs(&cfg);
	vb_plan_candidates(&cfg, &snap, want);
	if (vb_plan_build(&cfg, &snap, NULL, &plan) == 0) {
		if (plan.count > ARRAY_SIZE(unit))
			abort();
		for (size_t fn = 0; fn < NFNS; fn++)
			vb_plan_unit(&cfg, &snap, &plan, fn, unit);
		vb_plan_free(&plan);
	}
	if (vb_plan_build(&cfg, &snap, &host, &plan) == 0)
		vb_plan_free(&plan);
	/* What the binder writes to sysfs: a module name, methods as the kernel spells them. */
	for (size_t i = 0; i < 3; i++) {
		const char *module = vb_device_rules_driver(&cfg.devices, &fns[i]);
		const char *reset = vb_device_rules_reset(&cfg.devices, &fns[i]);

		if (module && (!vb_module_name_valid(module, strlen(module)) ||
			       vb_module_is_vfio_pci(module)))
			abort();
		if (reset && (!*reset || reset[0] == ' ' || reset[strlen(reset) - 1] == ' ' ||
			      strspn(reset, "abcdefghijklmnopqrstuvwxyz0123456789_ ") != strlen(reset) ||
			      strstr(reset, "  ")))
			abort();
	}
	vb_config_free(&cfg);
	free(cmdline);
	return 0;
}
