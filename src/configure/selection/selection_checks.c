// SPDX-License-Identifier: GPL-2.0-or-later
/* check's look at the saved selection: what each selector and function comes to. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostinfo.h"
#include "plan.h"
#include "reset_quirks.h"
#include "saved_review.h"
#include "selection_checks.h"
#include "validate.h"
#include "vfio_conf.h"

/* What one selected or companion function comes to. */
static void check_target(struct check_list *c, const struct cli *cli, const struct machine *m,
			 const struct vb_target *t)
{
	const struct vb_pci_fn *fn = &m->snap.fns[t->fn];
	char fb[128];

	if (t->rule == VB_RULE_HOST_DISK || t->rule == VB_RULE_HOST_NETWORK) {
		/* The binder at boot cannot know: it would take it. */
		check_add(c, "device", CHECK_FAIL,
		       "%s %s %s, then refused: %s (%s); vfio-boot-bind would take it at boot: "
		       "change the selection",
		       fn->name, t->companion ? "comes along" : "selected by",
		       t->companion ? "as a companion" : t->selected_by, vb_rule_name(t->rule),
		       t->reason);
		return;
	}
	if (!vb_target_taken(t)) {
		if (t->companion && !vb_rule_is_safety(t->rule))
			check_add(c, "companion", CHECK_OK, "%s stays with the host: %s", fn->name,
			       t->reason);
		else if (t->companion)
			check_add(c, "device", CHECK_WARN, "%s (companion) refused: %s (%s)", fn->name,
			       vb_rule_name(t->rule), t->reason);
		else
			check_add(c, "device", CHECK_WARN, "%s selected by %s, then refused: %s (%s)",
			       fn->name, t->selected_by, vb_rule_name(t->rule), t->reason);
		return;
	}
	if (fn->iommu_group < 0)
		check_add(c, "group", CHECK_FAIL, "%s has no IOMMU group", fn->name);
	if (fn->boot_vga == 1)
		check_add(c, "boot-vga", CHECK_WARN,
		       "%s is the boot VGA device: the host console runs on it", fn->name);
	if (vb_host_framebuffer_on(&cli->root, fn->name, fb, sizeof(fb)) == 1)
		check_add(c, "framebuffer", CHECK_WARN,
		       "%s: firmware framebuffer '%s' sits on its memory (configure adds "
		       "initcall_blacklist=sysfb_init, or video=efifb:off before sysfb)",
		       fn->name, fb);
}

/* True when the config loads vendor-reset before binding (preload=). */
static bool preloads_vendor_reset(const struct vb_config *cfg)
{
	return vb_strv_contains(&cfg->devices.preload, "vendor-reset") ||
	       vb_strv_contains(&cfg->devices.preload, "vendor_reset");
}

/*
 * Each taken AMD GPU of a family known for the reset bug: ready when the
 * config preloads vendor-reset and sets reset_method=device_specific for it
 * (since 5.15 vendor-reset's reset is used only then); else what to add.
 */
static void check_reset_bug(struct check_list *c, const struct machine *m,
			    const struct vb_config *cfg, const struct vb_plan *plan)
{
	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_pci_fn *fn = &m->snap.fns[plan->targets[t].fn];
		const char *family = vb_amd_reset_bug_family(fn->vendor, fn->device);
		const char *reset = vb_device_rules_reset(&cfg->devices, fn);
		char addr[VB_PCI_NAME_MAX];

		if (!family || !vb_target_taken(&plan->targets[t]))
			continue;
		if (preloads_vendor_reset(cfg) && reset &&
		    strncmp(reset, "device_specific", 15) == 0) {
			check_add(c, "reset", CHECK_OK, "%s (%s): vendor-reset preloaded, "
				  "reset_method %s", fn->name, family, reset);
			continue;
		}
		vb_pci_addr_format(&fn->addr, addr, sizeof(addr));
		check_add(c, "reset", CHECK_WARN, "%s is an AMD %s, known for the reset bug: "
			  "install vendor-reset (DKMS) and configure with --preload vendor-reset "
			  "--reset-method device_specific@%04x:%04x@%s", fn->name, family,
			  fn->vendor, fn->device, addr);
	}
}

/* Every IOMMU group a taken function is in: viable, or split (naming what stays). */
static void check_groups(struct check_list *c, const struct machine *m, const struct vb_plan *plan)
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
			check_add(c, "group", CHECK_FAIL,
			       "%s: IOMMU group %ld also holds %s (select %s too, or move the card "
			       "to another slot)",
			       fn->name, fn->iommu_group, left, sp->nleft == 1 ? "it" : "them");
		}
		if (!split)
			check_add(c, "group", CHECK_OK, "%s: IOMMU group %ld is viable", fn->name,
			       fn->iommu_group);
	}
}

/*
 * This boot's vfio_boot.devices= and vfio_boot.skip= are the binder's too:
 * they join the file's selectors for the review. Whether this boot disabled
 * binding is status's to say, not the selection's.
 */
static int add_running_cmdline(const struct vb_root *root, struct vb_config *cfg)
{
	char *cmdline = vb_host_cmdline(root);
	bool disabled = cfg->disabled;
	unsigned timeout = cfg->modprobe_timeout;
	int err;

	if (!cmdline)
		return 0;
	err = vb_config_parse_cmdline(cfg, cmdline);
	free(cmdline);
	cfg->disabled = disabled;
	cfg->disabled_by[0] = '\0';
	cfg->modprobe_timeout = timeout;
	return err;
}

/* A finding of the saved selection's review, as a check line. */
static void review_line(void *ctx, enum vb_review_state state, const char *text)
{
	static const enum check_state states[] = {
		[VB_REVIEW_OK] = CHECK_OK, [VB_REVIEW_WARN] = CHECK_WARN, [VB_REVIEW_FAIL] = CHECK_FAIL
	};

	check_add(ctx, "selection", states[state], "%s", text);
}

bool check_selection(struct check_list *c, const struct cli *cli, const struct machine *m,
		     struct vb_strv *claimants)
{
	struct vb_host_facts host = vb_host_devices_facts(&m->host);
	struct vb_config cfg;
	struct vb_plan plan;
	bool exists;

	int err = cli_read_config(cli, &cfg, &exists);

	if (err < 0 || !exists) {
		if (err < 0) {
			check_add(c, "selection", CHECK_FAIL, "cannot read /etc/vfio-boot.conf: %s",
			       vb_strerror(err));
			/* Not a selection that is wrong (too large is): a file unread (exit 1). */
			if (err != -EFBIG)
				c->read_errors++;
		} else {
			check_add(c, "selection", CHECK_SKIP,
			       "no /etc/vfio-boot.conf: nothing configured");
		}
		vb_config_free(&cfg);
		return false;
	}
	for (size_t i = 0; i < cfg.problems.count; i++)
		check_add(c, "selection", CHECK_FAIL, "%s", cfg.problems.items[i]);
	if (!m->have_sys) {
		check_add(c, "selection", CHECK_SKIP, "no sys/ under the root: devices not checked");
		vb_config_free(&cfg);
		return true;
	}
	if (add_running_cmdline(&cli->root, &cfg) == 0 &&
	    vb_plan_build(&cfg, &m->snap, &host, &plan) == 0) {
		for (size_t i = 0; i < plan.notes.count; i++)
			check_add(c, "selection", CHECK_FAIL, "%s", plan.notes.items[i]);
		vb_review_saved_selection(&cli->root, &cfg, &m->snap, &plan, review_line, c);
		for (size_t t = 0; t < plan.count; t++)
			check_target(c, cli, m, &plan.targets[t]);
		check_groups(c, m, &plan);
		check_reset_bug(c, m, &cfg, &plan);
		{
			struct vb_render_input in = { &cfg, &m->snap, &plan, m->claimants, false,
						      NULL, 0 };

			vb_render_claimants(&in, claimants);
		}
		vb_plan_free(&plan);
	}
	vb_config_free(&cfg);
	return true;
}
