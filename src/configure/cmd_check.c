// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot check: is this machine ready for passthrough of the selection. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kcmdline.h"
#include "json.h"
#include "plan.h"

enum check_state { CHECK_OK, CHECK_WARN, CHECK_FAIL, CHECK_SKIP };
static const char *const state_names[] = { "ok", "warn", "fail", "skip" };

struct checks {
	const struct cli *cli;
	bool started;
	int failures;
};

__attribute__((format(printf, 4, 5))) static void report(struct checks *c, const char *name,
							 enum check_state state,
							 const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	c->failures += state == CHECK_FAIL;
	if (c->cli->json) {
		printf("%s\n    {\"name\": ", c->started ? "," : "");
		vb_json_string(stdout, name);
		printf(", \"state\": \"%s\", \"detail\": ", state_names[state]);
		vb_json_string(stdout, detail);
		putchar('}');
	} else {
		printf("%-5s %-16s %s\n", state_names[state], name, detail);
	}
	c->started = true;
}

static void check_cpu_and_flags(struct checks *c, const struct vb_root *root)
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
		report(c, "cpu", CHECK_SKIP, "whose IOMMU is unknown (no ACPI tables, no proc/cpuinfo)");
	else
		report(c, "cpu", CHECK_OK, "%s IOMMU (from %s)",
		       vendor == VB_CPU_INTEL ? "Intel VT-d" : "AMD-Vi", source);
	flag = vb_iommu_flag(vendor);
	if (groups > 0)
		report(c, "iommu-flag", CHECK_OK, "not needed: the IOMMU is on");
	else if (vendor == VB_CPU_AMD)
		report(c, "iommu-flag", CHECK_OK, "none needed: AMD's IOMMU is on by default (is it "
						  "enabled in the firmware setup?)");
	else if (!cmdline || !flag)
		report(c, "iommu-flag", CHECK_SKIP, "kernel command line or IOMMU unknown");
	else if (vb_cmdline_has_all(cmdline, &flag, 1))
		report(c, "iommu-flag", CHECK_OK, "%s is on the kernel command line", flag);
	else
		report(c, "iommu-flag", CHECK_FAIL,
		       "%s is not on the kernel command line (vfio-boot configure adds it)", flag);
	free(cmdline);
}

static void check_iommu(struct checks *c, const struct vb_root *root)
{
	long groups = vb_host_iommu_groups(root);
	int remap = vb_host_irq_remapping(root);

	if (groups < 0)
		report(c, "iommu", CHECK_SKIP, "no sys/kernel/iommu_groups to read");
	else if (groups == 0)
		report(c, "iommu", CHECK_FAIL, "no IOMMU groups: the IOMMU is off");
	else
		report(c, "iommu", CHECK_OK, "active, %ld IOMMU groups", groups);
	if (remap < 0)
		report(c, "irq-remapping", CHECK_SKIP, "no proc/interrupts to read");
	else if (remap == 0)
		report(c, "irq-remapping", CHECK_WARN,
		       "no remapped interrupts seen: vfio may need allow_unsafe_interrupts");
	else
		report(c, "irq-remapping", CHECK_OK, "interrupt remapping in use");
}

static void check_modules(struct checks *c, const struct machine *m)
{
	if (m->kmod.kernels.count == 0) {
		report(c, "vfio-modules", CHECK_SKIP, "no installed kernels under lib/modules");
		return;
	}
	for (size_t k = 0; k < m->kmod.kernels.count; k++) {
		enum vb_module_state st = vb_kmod_state(&m->kmod, k, "vfio_pci");
		const char *kver = m->kmod.kernels.items[k];

		if (st == VB_MODULE_MISSING)
			report(c, "vfio-modules", CHECK_FAIL, "kernel %s has no vfio-pci", kver);
		else
			report(c, "vfio-modules", CHECK_OK, "kernel %s: vfio-pci %s", kver,
			       st == VB_MODULE_BUILTIN ? "built in" : "module");
	}
}

static bool taken(const struct vb_plan *plan, size_t fn)
{
	for (size_t t = 0; t < plan->count; t++)
		if (plan->targets[t].fn == fn)
			return plan->targets[t].verdict != VB_VERDICT_REFUSE;
	return false;
}

static void check_target(struct checks *c, const struct machine *m, const struct vb_plan *plan,
			 const struct vb_target *t)
{
	const struct vb_pci_fn *fn = &m->snap.fns[t->fn];
	char fb[128];

	if (t->verdict == VB_VERDICT_REFUSE) {
		report(c, "device", CHECK_WARN, "%s will not be bound: %s", fn->name, t->reason);
		return;
	}
	if (fn->iommu_group < 0) {
		report(c, "group", CHECK_FAIL, "%s has no IOMMU group", fn->name);
	} else {
		const struct vb_pci_fn *other = NULL;
		for (size_t i = 0; i < m->snap.count && !other; i++)
			if (m->snap.fns[i].iommu_group == fn->iommu_group &&
			    !vb_pci_is_bridge(&m->snap.fns[i]) && !taken(plan, i))
				other = &m->snap.fns[i];
		if (other)
			report(c, "group", CHECK_FAIL,
			       "%s: IOMMU group %ld also holds %s, which is not selected "
			       "(select it too, or move the card to another slot)",
			       fn->name, fn->iommu_group, other->name);
		else
			report(c, "group", CHECK_OK, "%s: IOMMU group %ld is viable", fn->name,
			       fn->iommu_group);
	}
	if (fn->boot_vga == 1)
		report(c, "boot-vga", CHECK_WARN,
		       "%s is the boot VGA device: the host console runs on it", fn->name);
	if (vb_host_framebuffer_on(&c->cli->root, fn->name, fb, sizeof(fb)) == 1)
		report(c, "framebuffer", CHECK_WARN,
		       "%s: firmware framebuffer '%s' sits on its memory (add "
		       "video=efifb:off or initcall_blacklist=sysfb_init)",
		       fn->name, fb);
}

static void check_selection(struct checks *c, const struct machine *m)
{
	struct vb_config cfg;
	struct vb_plan plan;
	bool exists;

	int err = cli_read_config(c->cli, &cfg, &exists);

	if (err < 0 || !exists) {
		if (err < 0)
			report(c, "selection", CHECK_FAIL, "cannot read /etc/vfio-boot.conf: %s",
			       strerror(-err));
		else
			report(c, "selection", CHECK_SKIP,
			       "no /etc/vfio-boot.conf: nothing configured");
		vb_config_free(&cfg);
		return;
	}
	for (size_t i = 0; i < cfg.problems.count; i++)
		report(c, "selection", CHECK_FAIL, "%s", cfg.problems.items[i]);
	if (!m->have_sys) {
		report(c, "selection", CHECK_SKIP, "no sys/ under the root: devices not checked");
		vb_config_free(&cfg);
		return;
	}
	if (vb_plan_build(&cfg, &m->snap, &plan) == 0) {
		for (size_t i = 0; i < plan.notes.count; i++)
			report(c, "selection", CHECK_FAIL, "%s", plan.notes.items[i]);
		for (size_t t = 0; t < plan.count; t++)
			check_target(c, m, &plan, &plan.targets[t]);
		vb_plan_free(&plan);
	}
	vb_config_free(&cfg);
}

int cmd_check(const struct cli *cli)
{
	struct checks c = { .cli = cli };
	struct machine m;

	if (cli->nargs) {
		cli_error("check takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (machine_load(cli, &m, false) < 0)
		return VB_EXIT_FAILED;
	if (cli->json)
		fputs("{\n  \"checks\": [", stdout);
	check_cpu_and_flags(&c, &cli->root);
	check_iommu(&c, &cli->root);
	check_modules(&c, &m);
	check_selection(&c, &m);
	if (cli->json)
		printf("\n  ],\n  \"ready\": %s\n}\n", c.failures ? "false" : "true");
	else
		printf("%s\n", c.failures ? "not ready" : "ready");
	machine_free(&m);
	return c.failures ? VB_EXIT_NOT_READY : VB_EXIT_OK;
}
