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
	snprintf(t->selected_by, sizeof(t->selected_by), "%s", selected_by);
	p->target_of[fn] = plan->count++;
	return t;
}

static void refuse(struct vb_target *t, const char *reason, const char *detail)
{
	t->verdict = VB_VERDICT_REFUSE;
	snprintf(t->reason, sizeof(t->reason), "%s%s", reason, detail);
}

/* Applies the skip list and the safety rules to a new target. */
static void judge(struct planner *p, struct vb_target *t)
{
	const struct vb_pci_fn *fn = &p->snap->fns[t->fn];
	const struct vb_selector_list *skip = &p->cfg->skip;

	for (size_t i = 0; i < skip->count; i++) {
		if (vb_selector_matches(&skip->items[i].sel, fn)) {
			refuse(t, "skipped by vfio_boot.skip=", skip->items[i].sel.text);
			return;
		}
	}
	if (vb_pci_is_bridge(fn)) {
		refuse(t, "PCI bridge: bridges are never bound", "");
		return;
	}
	if (fn->boot_vga == 1 && p->cfg->boot_vga == VB_BOOT_VGA_REFUSE) {
		refuse(t, "boot VGA device: it drives the host console (boot-vga=allow takes it)",
		       "");
		return;
	}
	if (strcmp(fn->driver, "vfio-pci") == 0) {
		t->verdict = VB_VERDICT_ALREADY;
		vb_reason_append(t->reason, "already bound to vfio-pci");
	}
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
			t->verdict = VB_VERDICT_REFUSE;
			snprintf(t->reason, sizeof(t->reason),
				 "ID guard: expected %04x:%04x at %s, found %04x:%04x",
				 sel->vendor, sel->device, fn->name, fn->vendor, fn->device);
			continue;
		}
		judge(p, t);
	}
	if (matched == 0) {
		p->plan->unmatched++;
		return vb_msgs_add(&p->plan->notes, "%s: selector '%s' matches no PCI device",
				   entry->origin, sel->text);
	}
	return 0;
}

static bool is_companion_of(enum vb_companions policy, const struct vb_pci_fn *primary,
			    const struct vb_pci_fn *fn)
{
	switch (policy) {
	case VB_COMPANIONS_SLOT:
		return vb_pci_same_slot(primary, fn);
	case VB_COMPANIONS_GROUP:
		return primary->iommu_group >= 0 && fn->iommu_group == primary->iommu_group;
	case VB_COMPANIONS_NONE:
		break;
	}
	return false;
}

static int add_companions(struct planner *p)
{
	const struct vb_snapshot *snap = p->snap;
	size_t primaries = p->plan->count;
	const char *scope = p->cfg->companions == VB_COMPANIONS_SLOT ? "slot" : "IOMMU group";

	if (p->cfg->companions == VB_COMPANIONS_NONE)
		return 0;
	for (size_t t = 0; t < primaries; t++) {
		const struct vb_pci_fn *primary;

		if (p->plan->targets[t].verdict == VB_VERDICT_REFUSE)
			continue;
		primary = &snap->fns[p->plan->targets[t].fn];
		for (size_t i = 0; i < snap->count; i++) {
			struct vb_target *c;

			if (p->target_of[i] != VB_NO_TARGET ||
			    !is_companion_of(p->cfg->companions, primary, &snap->fns[i]))
				continue;
			c = add_target(p, i, "companion");
			if (!c)
				return -ENOMEM;
			snprintf(c->reason, sizeof(c->reason), "same %s as %s", scope,
				 primary->name);
			judge(p, c);
		}
	}
	return 0;
}

static int target_cmp(const void *a, const void *b)
{
	const struct vb_target *ta = a, *tb = b;

	return (ta->fn > tb->fn) - (ta->fn < tb->fn);
}

int vb_plan_build(const struct vb_config *cfg, const struct vb_snapshot *snap,
		  struct vb_plan *plan)
{
	struct planner p = { .cfg = cfg, .snap = snap, .plan = plan };
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
	free(p.target_of);
	if (err < 0) {
		vb_plan_free(plan);
		return err;
	}
	if (plan->count > 1)
		qsort(plan->targets, plan->count, sizeof(*plan->targets), target_cmp);
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
	if (group || cfg->companions == VB_COMPANIONS_NONE)
		return;
	/* Slot mates are neighbours in the sorted snapshot. */
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
	free(plan->targets);
	vb_msgs_free(&plan->notes);
	memset(plan, 0, sizeof(*plan));
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
