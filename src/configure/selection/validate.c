// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot configure: is the selection one that can work, and if not, the fix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#define MSG_MAX 1024

const char *vb_describe_standing(const struct vb_plan *plan, size_t fn, char *buf, size_t size)
{
	const struct vb_target *t = vb_plan_target_of(plan, fn);

	if (!t)
		snprintf(buf, size, "not selected");
	else if (vb_target_taken(t))
		snprintf(buf, size, "%s", t->companion ? "taken as a companion" : "selected");
	else if (t->companion)
		snprintf(buf, size, "%s", t->rule == VB_RULE_KEPT ? "kept for the host" :
					  t->rule == VB_RULE_BRIDGE ? "a bridge" :
								      vb_rule_name(t->rule));
	else
		snprintf(buf, size, "selected, then refused: %s", vb_rule_name(t->rule));
	return buf;
}

static void print_plan(const struct machine *m, const struct vb_plan *plan)
{
	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_target *tg = &plan->targets[t];
		const struct vb_pci_fn *fn = &m->snap.fns[tg->fn];
		char name[256];

		vb_pcinames_device(m->names, fn->vendor, fn->device, name, sizeof(name));
		if (!vb_target_taken(tg))
			cli_print("%s %s [%04x:%04x] %s: %s\n", tg->companion ? "kept     " : "refused  ",
				  fn->name, fn->vendor, fn->device, name, tg->reason);
		else if (tg->companion)
			cli_print("companion %s [%04x:%04x] %s (%s)\n", fn->name, fn->vendor,
				  fn->device, name, tg->reason);
		else
			cli_print("selected  %s [%04x:%04x] %s (by %s)\n", fn->name, fn->vendor,
				  fn->device, name, tg->selected_by);
	}
}

/* Appends ", NAME" (or "NAME" first) for each function to buf. */
static void append_names(char *buf, size_t size, const struct vb_snapshot *snap,
			 const size_t *fns, size_t n)
{
	size_t len = strlen(buf);

	for (size_t i = 0; i < n && len < size; i++) {
		snprintf(buf + len, size - len, "%s%s", i ? ", " : "", snap->fns[fns[i]].name);
		len = strlen(buf);
	}
}

/* The arguments configure was given, joined by commas. */
static void given_selection(const struct cli *cli, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < cli->nargs && len < size; i++) {
		snprintf(buf + len, size - len, "%s%s", i ? "," : "", cli->args[i]);
		len = strlen(buf);
	}
}

/* Selectors that match nothing: an error unless --force. */
static bool check_unmatched(const struct cli *cli, const struct vb_plan *plan)
{
	for (size_t i = 0; i < plan->notes.count; i++) {
		if (cli->force)
			cli_error_overridden("%s (kept: --force)", plan->notes.items[i]);
		else
			cli_error("%s (--force keeps it)", plan->notes.items[i]);
	}
	return plan->unmatched == 0 || cli->force;
}

/* An ID that matches functions on more than one card: an error unless --all-matching. */
static bool check_ambiguous(const struct cli *cli, const struct vb_config *cfg,
			    const struct vb_snapshot *snap, const struct vb_plan *plan)
{
	bool ok = true;

	for (size_t s = 0; s < plan->nselectors; s++) {
		const struct vb_selector_result *r = &plan->selectors[s];
		const struct vb_selector *sel = &cfg->select.items[s].sel;
		const struct vb_pci_fn *example;
		char cards[MSG_MAX] = "";

		if (r->cards < 2 || cli->all_matching)
			continue;
		append_names(cards, sizeof(cards), snap, r->card_fn,
			     r->cards < VB_CARDS_SHOWN ? r->cards : VB_CARDS_SHOWN);
		example = &snap->fns[r->example_fn != VB_NO_FN ? r->example_fn : r->card_fn[0]];
		cli_error("%s matches %zu cards: %s%s. Name the one for vfio-pci, for example "
			  "%04x:%04x@%s, or pass --all-matching to take every one",
			  sel->text, r->cards, cards, r->cards > VB_CARDS_SHOWN ? ", ..." : "",
			  example->vendor, example->device, example->name);
		ok = false;
	}
	return ok;
}

/* The fix for a refusal, as the end of a sentence. */
static const char *fix_for(enum vb_rule rule)
{
	switch (rule) {
	case VB_RULE_BOOT_VGA:
		return "pass --boot-vga allow to take the boot VGA device and its card";
	case VB_RULE_HOST_DISK:
	case VB_RULE_HOST_NETWORK:
		return "choose another device, or pass --force if the host will not need it "
		       "at the next boot";
	case VB_RULE_BRIDGE:
		return "select the devices behind the bridge instead";
	case VB_RULE_ID_GUARD:
		return "check the address with `vfio-boot list`";
	default:
		return "see `vfio-boot list`";
	}
}

/* The host's disk and network: an error unless --force. */
static bool check_host_devices(const struct cli *cli, const struct machine *m,
			       const struct vb_plan *plan)
{
	bool ok = true;

	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_target *tg = &plan->targets[t];

		if (tg->companion ||
		    (tg->rule != VB_RULE_HOST_DISK && tg->rule != VB_RULE_HOST_NETWORK))
			continue;
		if (cli->force)
			cli_warning("--force: %s goes to vfio-pci at the next boot although %s",
				    m->snap.fns[tg->fn].name, tg->reason);
		else
			cli_error("%s (selected by %s) is refused, %s: %s", m->snap.fns[tg->fn].name,
				  tg->selected_by, tg->reason, fix_for(tg->rule));
		ok = false;
	}
	return ok || cli->force;
}

/* A selector whose every match is refused: always an error. */
static bool check_all_refused(const struct vb_config *cfg, const struct vb_snapshot *snap,
			      const struct vb_plan *plan)
{
	bool ok = true;

	for (size_t s = 0; s < plan->nselectors; s++) {
		const struct vb_selector_result *r = &plan->selectors[s];
		const struct vb_target *first = NULL;

		if (r->matched == 0 || r->refused < r->matched)
			continue;
		for (size_t i = 0; i < snap->count && !first; i++)
			if (vb_selector_matches(&cfg->select.items[s].sel, &snap->fns[i]))
				first = vb_plan_target_of(plan, i);
		if (!first || first->rule == VB_RULE_HOST_DISK || first->rule == VB_RULE_HOST_NETWORK)
			continue; /* said by check_host_devices */
		cli_error("%s selects nothing for vfio-pci: every match is refused (%s: %s); %s",
			  cfg->select.items[s].sel.text, snap->fns[first->fn].name, first->reason,
			  fix_for(first->rule));
		ok = false;
	}
	return ok;
}

/* IOMMU groups left split between vfio-pci and the host: an error unless --force. */
static bool check_splits(const struct cli *cli, const struct machine *m,
			 const struct vb_plan *plan)
{
	char left[MSG_MAX], given[MSG_MAX];

	given_selection(cli, given, sizeof(given));
	for (size_t s = 0; s < plan->nsplits; s++) {
		const struct vb_group_split *sp = &plan->splits[s];
		size_t len;

		left[0] = '\0';
		append_names(left, sizeof(left), &m->snap, sp->left, sp->nleft);
		if (cli->force) {
			cli_warning("--force: IOMMU group %ld stays split: %s goes to vfio-pci, "
				    "%s stay%s with the host; vfio cannot use the group until %s too",
				    sp->group, m->snap.fns[sp->taken_fn].name, left,
				    sp->nleft > 1 ? "" : "s", sp->nleft > 1 ? "they go" : "it goes");
			continue;
		}
		if (sp->kept_fn != VB_NO_FN) {
			cli_error("IOMMU group %ld would be split: %s goes to vfio-pci, but %s must "
				  "stay with the host (%s), so the group cannot be taken whole: move "
				  "the card to another slot, or pass --force to split it anyway",
				  sp->group, m->snap.fns[sp->taken_fn].name,
				  m->snap.fns[sp->kept_fn].name, sp->kept_reason);
			continue;
		}
		len = strlen(given);
		for (size_t i = 0; i < sp->nleft && len < sizeof(given); i++) {
			snprintf(given + len, sizeof(given) - len, ",%s", m->snap.fns[sp->left[i]].name);
			len = strlen(given);
		}
		cli_error("IOMMU group %ld would be split: %s goes to vfio-pci, but %s would stay "
			  "with host drivers. Add %s: vfio-boot configure %s, or pass --force to "
			  "split it anyway",
			  sp->group, m->snap.fns[sp->taken_fn].name, left,
			  sp->nleft > 1 ? "them" : "it", given);
		given_selection(cli, given, sizeof(given));
	}
	return plan->nsplits == 0 || cli->force;
}

int vb_validate_selection(const struct cli *cli, const struct machine *m,
			  const struct vb_config *cfg, struct vb_plan *plan)
{
	struct vb_host_facts host = vb_host_devices_facts(&m->host);
	bool ok, host_ok;

	if (cli->root.host)
		for (size_t i = 0; i < m->host.notes.count; i++)
			cli_note("%s", m->host.notes.items[i]);
	if (vb_plan_build(cfg, &m->snap, &host, plan) < 0)
		return -ENOMEM;
	ok = check_unmatched(cli, plan);
	ok = check_ambiguous(cli, cfg, &m->snap, plan) && ok;
	ok = check_all_refused(cfg, &m->snap, plan) && ok;
	host_ok = check_host_devices(cli, m, plan);
	if (ok && host_ok && cli->force && host.count) {
		/* What the binder will do at boot, where it knows nothing of the host. */
		vb_plan_free(plan);
		if (vb_plan_build(cfg, &m->snap, NULL, plan) < 0)
			return -ENOMEM;
	}
	print_plan(m, plan);
	ok = ok && host_ok && check_splits(cli, m, plan);
	return ok ? 0 : -EINVAL;
}
