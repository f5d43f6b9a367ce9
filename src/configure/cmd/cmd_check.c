// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot check: is this machine ready for passthrough of the selection. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot_images.h"
#include "cli.h"
#include "generator.h"
#include "initramfs_image.h"
#include "json.h"
#include "kcmdline.h"
#include "modprobe_ids.h"
#include "plan.h"
#include "softdeps.h"
#include "vfio_conf.h"
#include "text.h"
#include "validate.h"

enum check_state { CHECK_OK, CHECK_WARN, CHECK_FAIL, CHECK_SKIP };
static const char *const state_names[] = { "ok", "warn", "fail", "skip" };

struct checks {
	const struct cli *cli;
	bool started;
	int failures;
	bool configured;                /* there is an /etc/vfio-boot.conf */
	struct vb_msgs softdep_modules; /* the modules that claim what it selects */
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
		char line[sizeof(detail)];

		vb_text_printable(line, sizeof(line), detail); /* it quotes config lines */
		printf("%-5s %-16s %s\n", state_names[state], name, line);
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

/* The host's own disk and network devices: vfio-boot never takes them. */
static void check_host_devices(struct checks *c, const struct machine *m)
{
	char words[128];

	for (size_t i = 0; i < m->host.notes.count; i++)
		report(c, "host-devices", CHECK_SKIP, "%s", m->host.notes.items[i]);
	for (size_t i = 0; i < m->host.count; i++) {
		char addr[VB_PCI_NAME_MAX];

		vb_pci_addr_format(&m->host.items[i].addr, addr, sizeof(addr));
		report(c, "host-devices", CHECK_OK, "%s %s", addr,
		       vb_host_device_words(&m->host.items[i], words, sizeof(words)));
	}
}

/*
 * vfio-pci's own ids= option (a modprobe.d file) and vfio-pci.ids= (the kernel
 * command line) take every device with the IDs, an identical host card too,
 * and defeat vfio_boot.disable=1.
 */
static void check_ids_options(struct checks *c, const struct vb_root *root)
{
	static const char *const cmdlines[] = { "proc/cmdline", "etc/default/grub",
						"etc/kernel/cmdline" };
	struct vb_msgs where = { 0 };

	for (size_t i = 0; i < sizeof(cmdlines) / sizeof(cmdlines[0]); i++) {
		char *text;
		size_t len;

		if (vb_root_read_file(root, cmdlines[i], 1024 * 1024, &text, &len, NULL) < 0)
			continue;
		if (strstr(text, "vfio-pci.ids=") || strstr(text, "vfio_pci.ids="))
			report(c, "vfio-pci-ids", CHECK_WARN,
			       "/%s has vfio-pci.ids=: vfio-pci takes every device with those IDs, "
			       "even with vfio_boot.disable=1; remove it (vfio-boot-bind selects "
			       "the devices)", cmdlines[i]);
		free(text);
	}
	if (vb_find_ids_options(root, NULL, &where) < 0)
		return;
	for (size_t i = 0; i < where.count; i++)
		report(c, "vfio-pci-ids", CHECK_WARN,
		       "%s sets 'options vfio-pci ids=': vfio-pci takes every device with those "
		       "IDs, even with vfio_boot.disable=1; remove it (vfio-boot configure comments "
		       "it out in vfio.conf)",
		       where.items[i]);
	vb_msgs_free(&where);
}

/* What one selected or companion function comes to. */
static void check_target(struct checks *c, const struct machine *m, const struct vb_target *t)
{
	const struct vb_pci_fn *fn = &m->snap.fns[t->fn];
	char fb[128];

	if (t->rule == VB_RULE_HOST_DISK || t->rule == VB_RULE_HOST_NETWORK) {
		/* The binder at boot cannot know: it would take it. */
		report(c, "device", CHECK_FAIL,
		       "%s %s %s, then refused: %s (%s); vfio-boot-bind would take it at boot: "
		       "change the selection",
		       fn->name, t->companion ? "comes along" : "selected by",
		       t->companion ? "as a companion" : t->selected_by, vb_rule_name(t->rule),
		       t->reason);
		return;
	}
	if (!vb_target_taken(t)) {
		if (t->companion && !vb_rule_is_safety(t->rule))
			report(c, "companion", CHECK_OK, "%s stays with the host: %s", fn->name,
			       t->reason);
		else if (t->companion)
			report(c, "device", CHECK_WARN, "%s (companion) refused: %s (%s)", fn->name,
			       vb_rule_name(t->rule), t->reason);
		else
			report(c, "device", CHECK_WARN, "%s selected by %s, then refused: %s (%s)",
			       fn->name, t->selected_by, vb_rule_name(t->rule), t->reason);
		return;
	}
	if (fn->iommu_group < 0)
		report(c, "group", CHECK_FAIL, "%s has no IOMMU group", fn->name);
	if (fn->boot_vga == 1)
		report(c, "boot-vga", CHECK_WARN,
		       "%s is the boot VGA device: the host console runs on it", fn->name);
	if (vb_host_framebuffer_on(&c->cli->root, fn->name, fb, sizeof(fb)) == 1)
		report(c, "framebuffer", CHECK_WARN,
		       "%s: firmware framebuffer '%s' sits on its memory (add "
		       "video=efifb:off or initcall_blacklist=sysfb_init)",
		       fn->name, fb);
}

/* Every IOMMU group a taken function is in: viable, or split (naming what stays). */
static void check_groups(struct checks *c, const struct machine *m, const struct vb_plan *plan)
{
	char left[1024], standing[96];

	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_target *tg = &plan->targets[t];
		const struct vb_pci_fn *fn = &m->snap.fns[tg->fn];
		bool first = true, split = false;

		if (!vb_target_taken(tg) || fn->iommu_group < 0)
			continue;
		for (size_t u = 0; u < t && first; u++)
			first = !vb_target_taken(&plan->targets[u]) ||
				m->snap.fns[plan->targets[u].fn].iommu_group != fn->iommu_group;
		if (!first)
			continue;
		for (size_t s = 0; s < plan->nsplits; s++) {
			const struct vb_group_split *sp = &plan->splits[s];
			size_t len = 0;

			if (sp->group != fn->iommu_group)
				continue;
			split = true;
			left[0] = '\0';
			for (size_t i = 0; i < sp->nleft && len < sizeof(left); i++) {
				vb_describe_standing(plan, sp->left[i], standing, sizeof(standing));
				snprintf(left + len, sizeof(left) - len,
					 sp->nleft == 1 ? "%s%s, which is %s" : "%s%s (%s)",
					 i ? ", " : "", m->snap.fns[sp->left[i]].name, standing);
				len = strlen(left);
			}
			report(c, "group", CHECK_FAIL,
			       "%s: IOMMU group %ld also holds %s (select %s too, or move the card "
			       "to another slot)",
			       fn->name, fn->iommu_group, left, sp->nleft == 1 ? "it" : "them");
		}
		if (!split)
			report(c, "group", CHECK_OK, "%s: IOMMU group %ld is viable", fn->name,
			       fn->iommu_group);
	}
}

/* What each selector of the configuration comes to. */
static void check_selectors(struct checks *c, const struct machine *m,
			    const struct vb_config *cfg, const struct vb_plan *plan)
{
	for (size_t s = 0; s < plan->nselectors; s++) {
		const struct vb_selector_result *r = &plan->selectors[s];
		const char *text = cfg->select.items[s].sel.text;

		if (r->matched && r->refused == r->matched)
			report(c, "selection", CHECK_FAIL,
			       "%s selects nothing for vfio-pci: every match is refused", text);
		else if (r->cards > 1)
			report(c, "selection", CHECK_WARN,
			       "%s matches %zu cards, and vfio-pci gets every one (name one as "
			       "%04x:%04x@%s to leave the others to the host)",
			       text, r->cards, m->snap.fns[r->card_fn[0]].vendor,
			       m->snap.fns[r->card_fn[0]].device, m->snap.fns[r->card_fn[0]].name);
	}
}

static void check_selection(struct checks *c, const struct machine *m)
{
	struct vb_host_facts host = vb_host_devices_facts(&m->host);
	struct vb_config cfg;
	struct vb_plan plan;
	bool exists;

	int err = cli_read_config(c->cli, &cfg, &exists);

	if (err < 0 || !exists) {
		if (err < 0)
			report(c, "selection", CHECK_FAIL, "cannot read /etc/vfio-boot.conf: %s",
			       vb_strerror(err));
		else
			report(c, "selection", CHECK_SKIP,
			       "no /etc/vfio-boot.conf: nothing configured");
		vb_config_free(&cfg);
		return;
	}
	c->configured = true;
	for (size_t i = 0; i < cfg.problems.count; i++)
		report(c, "selection", CHECK_FAIL, "%s", cfg.problems.items[i]);
	if (!m->have_sys) {
		report(c, "selection", CHECK_SKIP, "no sys/ under the root: devices not checked");
		vb_config_free(&cfg);
		return;
	}
	if (vb_plan_build(&cfg, &m->snap, &host, &plan) == 0) {
		for (size_t i = 0; i < plan.notes.count; i++)
			report(c, "selection", CHECK_FAIL, "%s", plan.notes.items[i]);
		check_selectors(c, m, &cfg, &plan);
		for (size_t t = 0; t < plan.count; t++)
			check_target(c, m, &plan.targets[t]);
		check_groups(c, m, &plan);
		{
			struct vb_render_input in = { &cfg, &m->snap, &plan, m->claimants, false,
						      NULL, 0 };

			vb_render_claimants(&in, &c->softdep_modules);
		}
		vb_plan_free(&plan);
	}
	vb_config_free(&cfg);
}

/*
 * Whether `modprobe MODULE` loads vfio-pci first on every installed kernel,
 * for every module that claims a selected function or has configure's softdep:
 * a softdep of configure's that does not take effect fails, a module without
 * one (a selection written by hand) is warned about.
 */
static void check_softdeps(struct checks *c, const struct machine *m)
{
	struct vb_softdep_report rep = { 0 };
	struct vb_msgs ours = { 0 };
	char why[512] = "";
	int err;

	if (!c->configured)
		return;
	err = vb_softdeps_configured(&c->cli->root, &ours, why, sizeof(why));
	for (size_t i = 0; err == 0 && i < ours.count; i++)
		err = vb_msgs_add_unique(&c->softdep_modules, ours.items[i]);
	if (err == 0)
		err = vb_softdeps_verify(&m->kmod, &c->cli->root, NULL, 0, &c->softdep_modules,
					 &rep, why, sizeof(why));
	if (err < 0)
		report(c, "softdeps", CHECK_FAIL, "%s", why[0] ? why : vb_strerror(err));
	else if (c->softdep_modules.count == 0 || m->kmod.kernels.count == 0)
		report(c, "softdeps", CHECK_SKIP, "no module known to claim the selected functions");
	for (size_t i = 0; i < rep.escapes.count; i++)
		report(c, "softdeps", vb_msgs_contains(&ours, rep.escaped.items[i]) ? CHECK_FAIL :
										  CHECK_WARN,
		       "%s (vfio-boot configure writes what wins)", rep.escapes.items[i]);
	for (size_t i = 0; i < rep.masked.count; i++)
		report(c, "softdeps", CHECK_WARN, "%s: run vfio-boot configure again",
		       rep.masked.items[i]);
	for (size_t i = 0; i < rep.kept.count; i++)
		report(c, "softdeps", CHECK_WARN, "%s", rep.kept.items[i]);
	for (size_t i = 0; i < rep.ok.count; i++)
		report(c, "softdeps", CHECK_OK, "%s", rep.ok.items[i]);
	vb_softdep_report_free(&rep);
	vb_msgs_free(&ours);
}

/* The generator, vfio-boot's files for it, and the running kernel's images. */
static void check_boot_path(struct checks *c, const struct vb_root *root)
{
	enum vb_generator g = vb_generator_detect(root);
	struct vb_msgs missing = { 0 }, mine = { 0 };
	struct vb_boot_images images;
	char kver[128], *conf = NULL;
	size_t len;

	if (g == VB_GENERATOR_NONE || g == VB_GENERATOR_BOOSTER) {
		report(c, "initramfs", CHECK_FAIL, "%s: vfio-boot supports initramfs-tools, dracut "
		       "and mkinitcpio", g == VB_GENERATOR_NONE ? "no initramfs generator found" :
		       "booster is not supported");
		return;
	}
	report(c, "initramfs", CHECK_OK, "%s", vb_generator_name(g));
	vb_generator_missing_files(root, g, &missing);
	if (missing.count) {
		for (size_t i = 0; i < missing.count; i++)
			report(c, "install", CHECK_FAIL, "missing %s: install vfio-boot (make install, "
			       "or its package)", missing.items[i]);
	} else {
		report(c, "install", CHECK_OK, "the binder and the %s hooks are installed",
		       vb_generator_name(g));
	}
	vb_msgs_free(&missing);

	if (vb_root_read_file(root, VB_IMAGE_CONF, 1024 * 1024, &conf, &len, NULL) < 0)
		return; /* nothing configured: no image to expect anything of */
	if (vb_running_kernel(root, kver, sizeof(kver)) < 0) {
		report(c, "image", CHECK_SKIP, "the running kernel is unknown (no proc/)");
	} else if (vb_boot_images_scan(root, &images) == 0) {
		vb_boot_images_of_kernel(root, &images, kver, &mine);
		if (mine.count == 0)
			report(c, "image", CHECK_WARN,
			       "no initramfs image of kernel %s found under /boot or the ESP", kver);
		for (size_t i = 0; i < mine.count; i++) {
			char line[768];
			enum vb_image_state st =
				vb_image_verdict(root, mine.items[i], conf, len, line, sizeof(line));

			report(c, "image", st == VB_IMAGE_COMPLETE   ? CHECK_OK :
					   st == VB_IMAGE_UNREADABLE ? CHECK_WARN :
								       CHECK_FAIL,
			       "%s", line);
		}
		vb_msgs_free(&mine);
		vb_boot_images_free(&images);
	}
	free(conf);
}

int cmd_check(const struct cli *cli)
{
	struct checks c = { .cli = cli };
	struct machine m;

	if (cli->nargs) {
		cli_error("check takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (machine_load(cli, &m, true) < 0)
		return VB_EXIT_FAILED;
	if (cli->json)
		fputs("{\n  \"checks\": [", stdout);
	check_cpu_and_flags(&c, &cli->root);
	check_iommu(&c, &cli->root);
	check_modules(&c, &m);
	check_host_devices(&c, &m);
	check_ids_options(&c, &cli->root);
	check_selection(&c, &m);
	check_softdeps(&c, &m);
	check_boot_path(&c, &cli->root);
	if (cli->json)
		printf("\n  ],\n  \"ready\": %s\n}\n", c.failures ? "false" : "true");
	else
		printf("%s\n", c.failures ? "not ready" : "ready");
	machine_free(&m);
	vb_msgs_free(&c.softdep_modules);
	return c.failures ? VB_EXIT_NOT_READY : VB_EXIT_OK;
}
