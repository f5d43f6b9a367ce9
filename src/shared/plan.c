// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "text.h"

#define VB_NO_TARGET ((size_t)-1)

/* Work state while planning: the plan and, per function, its target index. */
struct planner {
	const struct vb_config *cfg;
	const struct vb_snapshot *snap;
	const struct vb_host_facts *host;
	struct vb_plan *plan;
	size_t *target_of; /* snapshot index -> target index, or VB_NO_TARGET */
};

static struct vb_target *add_target(struct planner *p, size_t fn, const char *selected_by)
{
	struct vb_plan *plan = p->plan;
	struct vb_target *grown, *t;

	grown = realloc(plan->targets, (plan->count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	plan->targets = grown;
	t = &grown[plan->count];
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->verdict = VB_VERDICT_BIND;
	t->rule = VB_RULE_NONE;
	t->companion = selected_by == NULL;
	snprintf(t->selected_by, sizeof(t->selected_by), "%s",
		 selected_by ? selected_by : "companion");
	p->target_of[fn] = plan->count++;
	return t;
}

static struct vb_target *target_at(const struct planner *p, size_t fn)
{
	return p->target_of[fn] == VB_NO_TARGET ? NULL : &p->plan->targets[p->target_of[fn]];
}

__attribute__((format(printf, 3, 4))) static void refuse(struct vb_target *t, enum vb_rule rule,
							  const char *fmt, ...)
{
	va_list ap;

	t->verdict = VB_VERDICT_REFUSE;
	t->rule = rule;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
}

bool vb_rule_is_safety(enum vb_rule rule)
{
	return rule == VB_RULE_BOOT_VGA || rule == VB_RULE_HOST_DISK ||
	       rule == VB_RULE_HOST_NETWORK;
}

static enum vb_rule host_rule(const struct vb_host_device *d)
{
	return d->role == VB_HOST_DISK ? VB_RULE_HOST_DISK : VB_RULE_HOST_NETWORK;
}

static const struct vb_host_device *host_device(const struct planner *p, size_t fn)
{
	return vb_host_facts_find(p->host, &p->snap->fns[fn].addr);
}

static bool boot_vga_protected(const struct planner *p, size_t fn)
{
	return p->cfg->boot_vga == VB_BOOT_VGA_REFUSE &&
	       vb_pci_may_be_boot_vga(&p->snap->fns[fn]);
}

/*
 * The safety rule that protects function fn itself (boot VGA, host disk or
 * network), with its words in why; VB_RULE_NONE when none does.
 */
static enum vb_rule protection(const struct planner *p, size_t fn, char *why, size_t size)
{
	const struct vb_pci_fn *f = &p->snap->fns[fn];
	const struct vb_host_device *d = host_device(p, fn);
	char words[128];

	if (boot_vga_protected(p, fn)) {
		snprintf(why, size, "%s", f->boot_vga == 1 ?
			 "boot VGA device: it drives the host console (boot-vga=allow takes it)" :
			 "boot VGA device: boot_vga cannot be read, so it may drive the host "
			 "console (boot-vga=allow takes it)");
		return VB_RULE_BOOT_VGA;
	}
	if (d) {
		snprintf(why, size, "%s: it %s",
			 d->role == VB_HOST_DISK ? "host disk" : "host network",
			 vb_host_device_words(d, words, sizeof(words)));
		return host_rule(d);
	}
	return VB_RULE_NONE;
}

/* Applies the skip list and the rules about the function itself to a new target. */
static void judge(struct planner *p, struct vb_target *t)
{
	const struct vb_pci_fn *fn = &p->snap->fns[t->fn];
	const struct vb_selector_list *skip = &p->cfg->skip;
	char why[VB_REASON_MAX];
	enum vb_rule rule;

	for (size_t i = 0; i < skip->count; i++) {
		if (vb_selector_matches(&skip->items[i].sel, fn)) {
			refuse(t, VB_RULE_SKIP, "skipped by vfio_boot.skip=%s",
			       skip->items[i].sel.text);
			return;
		}
	}
	if (vb_pci_is_bridge(fn)) {
		refuse(t, VB_RULE_BRIDGE, "PCI bridge: bridges are never bound");
		return;
	}
	rule = protection(p, t->fn, why, sizeof(why));
	if (rule != VB_RULE_NONE) {
		refuse(t, rule, "%s", why);
		return;
	}
	if (strcmp(fn->driver, "vfio-pci") == 0) {
		t->verdict = VB_VERDICT_ALREADY;
		vb_reason_append(t->reason, "already bound to vfio-pci");
	}
}

/*
 * Why function fn may not come along implicitly (a chipset function, or a
 * class no passthrough card carries), in why; false when it may.
 */
static bool kept_from_companions(const struct planner *p, size_t fn, char *why, size_t size)
{
	const struct vb_pci_fn *f = &p->snap->fns[fn];
	char words[64];

	if (vb_pci_on_root_bus(f)) {
		snprintf(why, size, "kept for the host: chipset %s (on the root bus), "
			 "select it by address to pass it through",
			 vb_pci_class_words(f, words, sizeof(words)));
		return true;
	}
	if (f->no_class || !vb_pci_is_card_class(f->class)) {
		snprintf(why, size, "kept for the host: %s, select it by address to pass it through",
			 vb_pci_class_words(f, words, sizeof(words)));
		return true;
	}
	return false;
}

/* Into why: "kept for the host: IOMMU group N cannot be taken whole, F (class) must stay". */
static void group_blocked(const struct planner *p, long group, size_t fn,
			  char why[VB_REASON_MAX])
{
	char words[64];

	snprintf(why, VB_REASON_MAX,
		 "kept for the host: IOMMU group %ld cannot be taken whole, %s (%s) must stay",
		 group, p->snap->fns[fn].name,
		 vb_pci_class_words(&p->snap->fns[fn], words, sizeof(words)));
}

static int select_matches(struct planner *p, const struct vb_selector_entry *entry)
{
	const struct vb_selector *sel = &entry->sel;
	const struct vb_snapshot *snap = p->snap;
	size_t matched = 0;

	for (size_t i = 0; i < snap->count; i++) {
		const struct vb_pci_fn *fn = &snap->fns[i];
		struct vb_target *t;

		if (!vb_selector_matches(sel, fn))
			continue;
		matched++;
		if (p->target_of[i] != VB_NO_TARGET)
			continue;
		t = add_target(p, i, sel->text);
		if (!t)
			return -ENOMEM;
		if (sel->kind == VB_SEL_ID_AT_ADDR && !vb_selector_id_matches(sel, fn)) {
			refuse(t, VB_RULE_ID_GUARD, "ID guard: expected %04x:%04x at %s, found %04x:%04x",
			       sel->vendor, sel->device, fn->name, fn->vendor, fn->device);
			continue;
		}
		judge(p, t);
	}
	if (matched == 0) {
		p->plan->unmatched++;
		return vb_strv_add(&p->plan->notes, "%s: selector '%s' matches no PCI device",
				   entry->origin, sel->text);
	}
	return 0;
}

/* Adds function fn as a companion of primary, unless it is a target already. */
static int add_companion(struct planner *p, size_t fn, const struct vb_pci_fn *primary,
			 const char *scope, const char *blocked)
{
	char why[VB_REASON_MAX];
	struct vb_target *c;

	if (p->target_of[fn] != VB_NO_TARGET)
		return 0;
	c = add_target(p, fn, NULL);
	if (!c)
		return -ENOMEM;
	snprintf(c->reason, sizeof(c->reason), "same %s as %s", scope, primary->name);
	c->by_group = strcmp(scope, "IOMMU group") == 0;
	if (vb_pci_is_bridge(&p->snap->fns[fn]))
		judge(p, c);
	else if (kept_from_companions(p, fn, why, sizeof(why)))
		refuse(c, VB_RULE_KEPT, "%s", why);
	else if (blocked && protection(p, fn, why, sizeof(why)) == VB_RULE_NONE)
		refuse(c, VB_RULE_KEPT, "%s", blocked);
	else
		judge(p, c);
	return 0;
}

static int add_slot_companions(struct planner *p, size_t primary)
{
	const struct vb_snapshot *snap = p->snap;
	const struct vb_pci_fn *pf = &snap->fns[primary];
	int err = 0;

	/* Slot mates are neighbours in the sorted snapshot. */
	for (size_t j = primary; err == 0 && j-- > 0 && vb_pci_same_slot(pf, &snap->fns[j]);)
		err = add_companion(p, j, pf, "slot", NULL);
	for (size_t j = primary + 1;
	     err == 0 && j < snap->count && vb_pci_same_slot(pf, &snap->fns[j]); j++)
		err = add_companion(p, j, pf, "slot", NULL);
	return err;
}

/*
 * companions=group: the other endpoints of the primary's IOMMU group come
 * along only if every one of them may; else none does, and their reasons
 * name the function that blocks the group. The primary's own slot is the
 * slot rule's.
 */
static int add_group_companions(struct planner *p, size_t primary)
{
	const struct vb_snapshot *snap = p->snap;
	const struct vb_pci_fn *pf = &snap->fns[primary];
	char blocked[VB_REASON_MAX] = "", why[VB_REASON_MAX];
	long group = pf->iommu_group;
	int err = 0;

	if (group < 0)
		return 0;
	for (size_t i = 0; i < snap->count && !blocked[0]; i++) {
		const struct vb_pci_fn *f = &snap->fns[i];
		const struct vb_target *t = target_at(p, i);

		if (f->iommu_group != group || vb_pci_same_slot(f, pf) || vb_pci_is_bridge(f) ||
		    (t && !t->companion))
			continue;
		if (kept_from_companions(p, i, why, sizeof(why)) ||
		    protection(p, i, why, sizeof(why)) != VB_RULE_NONE)
			group_blocked(p, group, i, blocked);
	}
	for (size_t i = 0; i < snap->count && err == 0; i++)
		if (snap->fns[i].iommu_group == group && !vb_pci_same_slot(&snap->fns[i], pf))
			err = add_companion(p, i, pf, "IOMMU group", blocked[0] ? blocked : NULL);
	return err;
}

static int add_companions(struct planner *p)
{
	size_t primaries = p->plan->count;
	int err = 0;

	if (p->cfg->companions == VB_COMPANIONS_NONE)
		return 0;
	for (size_t t = 0; t < primaries && err == 0; t++) {
		size_t fn = p->plan->targets[t].fn;

		if (p->plan->targets[t].verdict == VB_VERDICT_REFUSE)
			continue;
		err = add_slot_companions(p, fn);
		if (err == 0 && p->cfg->companions == VB_COMPANIONS_GROUP)
			err = add_group_companions(p, fn);
	}
	return err;
}

/* A taken function that shares its IOMMU group with a host device is refused. */
static void refuse_host_groups(struct planner *p)
{
	const struct vb_snapshot *snap = p->snap;
	char words[128];

	for (size_t t = 0; p->host && t < p->plan->count; t++) {
		struct vb_target *tg = &p->plan->targets[t];
		long group = snap->fns[tg->fn].iommu_group;

		for (size_t h = 0; vb_target_taken(tg) && group >= 0 && h < p->host->count; h++) {
			const struct vb_host_device *d = &p->host->items[h];
			const struct vb_pci_fn *f = vb_snapshot_find(snap, &d->addr);

			if (!f || f->iommu_group != group || f == &snap->fns[tg->fn])
				continue;
			refuse(tg, host_rule(d), "%s: IOMMU group %ld also holds %s, which %s",
			       d->role == VB_HOST_DISK ? "host disk" : "host network", group,
			       f->name, vb_host_device_words(d, words, sizeof(words)));
		}
	}
}

/*
 * The rule that keeps function i, and so its card, with the host: a safety
 * rule protecting it or having refused its target, or a failed ID guard (the
 * card there is not the one configured). Its words go to why; VB_RULE_NONE
 * when none.
 */
static enum vb_rule kept_by_safety(const struct planner *p, size_t i, char *why, size_t size)
{
	const struct vb_target *t = target_at(p, i);
	enum vb_rule rule = protection(p, i, why, size);

	if (rule == VB_RULE_NONE && t &&
	    (vb_rule_is_safety(t->rule) || t->rule == VB_RULE_ID_GUARD)) {
		rule = t->rule;
		snprintf(why, size, "%s", t->reason);
	}
	return rule;
}

/* The first other function of fn's slot that a safety rule keeps, or VB_NO_FN. */
static size_t slot_kept_by(const struct planner *p, size_t fn)
{
	const struct vb_snapshot *snap = p->snap;
	char why[VB_REASON_MAX];
	size_t first = fn;

	while (first > 0 && vb_pci_same_slot(&snap->fns[fn], &snap->fns[first - 1]))
		first--;
	for (size_t i = first; i < snap->count && vb_pci_same_slot(&snap->fns[fn], &snap->fns[i]);
	     i++)
		if (i != fn && kept_by_safety(p, i, why, sizeof(why)) != VB_RULE_NONE)
			return i;
	return VB_NO_FN;
}

/*
 * A card is never split by a safety rule, nor taken in part when an ID guard
 * on it fails: when one keeps any function of a slot with the host, every
 * function of the slot stays. The causes are found first, so that a function
 * kept whole here never counts as a cause.
 */
static int keep_cards_whole(struct planner *p)
{
	struct vb_plan *plan = p->plan;
	size_t *cause = malloc((plan->count ? plan->count : 1) * sizeof(*cause));
	char why[VB_REASON_MAX];

	if (!cause)
		return -ENOMEM;
	for (size_t t = 0; t < plan->count; t++)
		cause[t] = vb_target_taken(&plan->targets[t]) ? slot_kept_by(p, plan->targets[t].fn) :
								VB_NO_FN;
	for (size_t t = 0; t < plan->count; t++) {
		enum vb_rule rule;

		if (cause[t] == VB_NO_FN)
			continue;
		/* A cause is never a taken target, so nothing here changed it. */
		rule = kept_by_safety(p, cause[t], why, sizeof(why));
		refuse(&plan->targets[t], rule, "card kept whole: %s stays with the host (%s)",
		       p->snap->fns[cause[t]].name, why);
	}
	free(cause);
	return 0;
}

/* The first endpoint of group that stays with the host, or VB_NO_FN. */
static size_t group_left_by(const struct planner *p, long group)
{
	const struct vb_snapshot *snap = p->snap;

	for (size_t i = 0; i < snap->count; i++) {
		const struct vb_target *t = target_at(p, i);

		if (snap->fns[i].iommu_group == group && !vb_pci_is_bridge(&snap->fns[i]) &&
		    (!t || !vb_target_taken(t)))
			return i;
	}
	return VB_NO_FN;
}

/*
 * A group is taken whole or not at all: what came along by companions=group
 * goes back to the host when any endpoint of its group stays there, whatever
 * kept it (the class rule on the primary's own slot, a safety rule on a card
 * of the group, a refused selection). One pass is enough: the endpoint found
 * stays with the host whatever this refuses, and no function is in two groups.
 */
static void keep_groups_whole(struct planner *p)
{
	struct vb_plan *plan = p->plan;

	for (size_t t = 0; t < plan->count; t++) {
		struct vb_target *tg = &plan->targets[t];
		long group = p->snap->fns[tg->fn].iommu_group;
		size_t left;

		if (!tg->by_group || !vb_target_taken(tg))
			continue;
		left = group_left_by(p, group);
		if (left == VB_NO_FN)
			continue;
		tg->verdict = VB_VERDICT_REFUSE;
		tg->rule = VB_RULE_KEPT;
		group_blocked(p, group, left, tg->reason);
	}
}

/* Fills plan->selectors: what each selector matched, on how many cards. */
static int summarise_selectors(struct planner *p)
{
	const struct vb_selector_list *select = &p->cfg->select;
	const struct vb_snapshot *snap = p->snap;

	p->plan->selectors = calloc(select->count ? select->count : 1, sizeof(*p->plan->selectors));
	if (!p->plan->selectors)
		return -ENOMEM;
	p->plan->nselectors = select->count;
	for (size_t s = 0; s < select->count; s++) {
		struct vb_selector_result *r = &p->plan->selectors[s];
		const struct vb_pci_fn *last = NULL;

		r->example_fn = VB_NO_FN;
		for (size_t i = 0; i < snap->count; i++) {
			const struct vb_target *t;

			if (!vb_selector_matches(&select->items[s].sel, &snap->fns[i]))
				continue;
			t = target_at(p, i);
			r->matched++;
			if (!t || !vb_target_taken(t))
				r->refused++;
			else if (r->example_fn == VB_NO_FN)
				r->example_fn = i;
			if (!last || !vb_pci_same_slot(last, &snap->fns[i])) {
				if (r->cards < VB_CARDS_SHOWN)
					r->card_fn[r->cards] = i;
				r->cards++;
			}
			last = &snap->fns[i];
		}
	}
	return 0;
}

static bool split_listed(const struct vb_plan *plan, long group)
{
	for (size_t s = 0; s < plan->nsplits; s++)
		if (plan->splits[s].group == group)
			return true;
	return false;
}

/* Fills plan->splits: groups with functions on both sides, bridges aside. */
static int find_splits(struct planner *p)
{
	const struct vb_snapshot *snap = p->snap;
	struct vb_plan *plan = p->plan;

	for (size_t t = 0; t < plan->count; t++) {
		long group = snap->fns[plan->targets[t].fn].iommu_group;
		struct vb_group_split split = { .group = group, .taken_fn = plan->targets[t].fn,
						.kept_fn = VB_NO_FN };

		if (!vb_target_taken(&plan->targets[t]) || group < 0 || split_listed(plan, group))
			continue;
		for (size_t i = 0; i < snap->count; i++) {
			const struct vb_target *mate = target_at(p, i);
			size_t *grown;

			if (snap->fns[i].iommu_group != group || vb_pci_is_bridge(&snap->fns[i]) ||
			    (mate && vb_target_taken(mate)))
				continue;
			grown = realloc(split.left, (split.nleft + 1) * sizeof(*grown));
			if (!grown) {
				free(split.left);
				return -ENOMEM;
			}
			split.left = grown;
			split.left[split.nleft++] = i;
			if (split.kept_fn == VB_NO_FN &&
			    kept_by_safety(p, i, split.kept_reason, sizeof(split.kept_reason)) !=
				    VB_RULE_NONE)
				split.kept_fn = i;
		}
		if (split.nleft) {
			struct vb_group_split *grown =
				realloc(plan->splits, (plan->nsplits + 1) * sizeof(*grown));
			if (!grown) {
				free(split.left);
				return -ENOMEM;
			}
			plan->splits = grown;
			plan->splits[plan->nsplits++] = split;
		}
	}
	return 0;
}

static int target_cmp(const void *a, const void *b)
{
	const struct vb_target *ta = a, *tb = b;

	return (ta->fn > tb->fn) - (ta->fn < tb->fn);
}

static int split_cmp(const void *a, const void *b)
{
	const struct vb_group_split *sa = a, *sb = b;

	return (sa->group > sb->group) - (sa->group < sb->group);
}

int vb_plan_build(const struct vb_config *cfg, const struct vb_snapshot *snap,
		  const struct vb_host_facts *host, struct vb_plan *plan)
{
	struct planner p = { .cfg = cfg, .snap = snap, .host = host, .plan = plan };
	int err = 0;

	memset(plan, 0, sizeof(*plan));
	if (cfg->disabled)
		return 0;
	p.target_of = malloc((snap->count ? snap->count : 1) * sizeof(*p.target_of));
	if (!p.target_of)
		return -ENOMEM;
	for (size_t i = 0; i < snap->count; i++)
		p.target_of[i] = VB_NO_TARGET;

	for (size_t i = 0; i < cfg->select.count && err == 0; i++)
		err = select_matches(&p, &cfg->select.items[i]);
	if (err == 0)
		err = add_companions(&p);
	if (err == 0) {
		refuse_host_groups(&p);
		err = keep_cards_whole(&p);
	}
	if (err == 0)
		keep_groups_whole(&p);
	if (err == 0)
		err = summarise_selectors(&p);
	if (err == 0)
		err = find_splits(&p);
	free(p.target_of);
	if (err < 0) {
		vb_plan_free(plan);
		return err;
	}
	if (plan->count > 1)
		qsort(plan->targets, plan->count, sizeof(*plan->targets), target_cmp);
	if (plan->nsplits > 1)
		qsort(plan->splits, plan->nsplits, sizeof(*plan->splits), split_cmp);
	return 0;
}

void vb_plan_candidates(const struct vb_config *cfg, const struct vb_snapshot *snap,
			bool *want)
{
	bool group = cfg->companions == VB_COMPANIONS_GROUP;

	for (size_t i = 0; i < snap->count; i++) {
		want[i] = group && !cfg->disabled;
		for (size_t s = 0; s < cfg->select.count && !want[i] && !cfg->disabled; s++)
			want[i] = vb_selector_matches(&cfg->select.items[s].sel, &snap->fns[i]);
	}
	if (group)
		return;
	/* Slot mates, whatever the policy: a safety rule on one keeps the card. */
	for (size_t i = 0; i < snap->count; i++) {
		if (!want[i])
			continue;
		for (size_t j = i; j-- > 0 && vb_pci_same_slot(&snap->fns[i], &snap->fns[j]);)
			want[j] = true;
		for (size_t j = i + 1; j < snap->count && vb_pci_same_slot(&snap->fns[i], &snap->fns[j]); j++)
			want[j] = true;
	}
}

void vb_plan_free(struct vb_plan *plan)
{
	for (size_t s = 0; s < plan->nsplits; s++)
		free(plan->splits[s].left);
	free(plan->splits);
	free(plan->selectors);
	free(plan->targets);
	vb_strv_free(&plan->notes);
	memset(plan, 0, sizeof(*plan));
}

const struct vb_target *vb_plan_target_of(const struct vb_plan *plan, size_t fn)
{
	size_t lo = 0, hi = plan->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (plan->targets[mid].fn == fn)
			return &plan->targets[mid];
		if (plan->targets[mid].fn < fn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *vb_rule_name(enum vb_rule rule)
{
	static const char *const names[] = {
		[VB_RULE_NONE] = "taken",
		[VB_RULE_SKIP] = "vfio_boot.skip",
		[VB_RULE_ID_GUARD] = "ID guard",
		[VB_RULE_BRIDGE] = "bridge",
		[VB_RULE_KEPT] = "kept for the host",
		[VB_RULE_BOOT_VGA] = "boot VGA",
		[VB_RULE_HOST_DISK] = "host disk",
		[VB_RULE_HOST_NETWORK] = "host network",
	};

	return names[rule];
}

const struct vb_host_device *vb_host_facts_find(const struct vb_host_facts *host,
						const struct vb_pci_addr *addr)
{
	for (size_t i = 0; host && i < host->count; i++)
		if (vb_pci_addr_cmp(&host->items[i].addr, addr) == 0)
			return &host->items[i];
	return NULL;
}

const char *vb_host_device_words(const struct vb_host_device *d, char *buf, size_t size)
{
	if (d->role == VB_HOST_NETWORK)
		snprintf(buf, size, "carries the default route (%s)", d->what);
	else if (strcmp(d->what, "/") == 0)
		snprintf(buf, size, "holds the root filesystem (/)");
	else
		snprintf(buf, size, "holds %s", d->what);
	return buf;
}

void vb_reason_append(char reason[VB_REASON_MAX], const char *fmt, ...)
{
	size_t len = strnlen(reason, VB_REASON_MAX - 1);
	va_list ap;

	if (len > 0 && len + 2 < VB_REASON_MAX) {
		memcpy(reason + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(reason + len, VB_REASON_MAX - len, fmt, ap);
	va_end(ap);
	reason[vb_utf8_complete(reason, strlen(reason))] = '\0'; /* cut between characters */
}

size_t vb_plan_count(const struct vb_plan *plan, enum vb_verdict verdict)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->count; i++)
		n += plan->targets[i].verdict == verdict;
	return n;
}
