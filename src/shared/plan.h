/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "msgs.h"
#include "pci.h"

#define VB_REASON_MAX 160

enum vb_verdict {
	VB_VERDICT_BIND,    /* take it from its driver (or none) to vfio-pci */
	VB_VERDICT_ALREADY, /* already on vfio-pci: keep it there */
	VB_VERDICT_REFUSE,  /* selected, but a safety rule or a skip says no */
};

/* One function the selection touches, and what to do with it. */
struct vb_target {
	size_t fn;                              /* index into the snapshot */
	enum vb_verdict verdict;
	char selected_by[VB_SELECTOR_MAX + 1];  /* selector text, or "companion" */
	char reason[VB_REASON_MAX];             /* why, in a few words */
};

struct vb_plan {
	struct vb_target *targets; /* sorted by address */
	size_t count;
	struct vb_msgs notes;      /* selectors that matched nothing, and the like */
	size_t unmatched;          /* how many selectors matched nothing */
};

/*
 * The pure core: resolves cfg's selection against snap into targets, adds
 * companion functions per policy and applies the safety rules. Does no I/O.
 * Returns 0, or -ENOMEM (plan is then empty).
 */
int vb_plan_build(const struct vb_config *cfg, const struct vb_snapshot *snap,
		  struct vb_plan *plan);

/*
 * Marks in want (one flag per snapshot function) every function the plan can
 * touch, from the IDs and addresses alone: selector matches and their slot
 * mates, or every function with companions=group (groups are details). The
 * details of just these functions then suffice for vb_plan_build.
 */
void vb_plan_candidates(const struct vb_config *cfg, const struct vb_snapshot *snap,
			bool *want);

void vb_plan_free(struct vb_plan *plan);

/*
 * Appends a clause to a reason ("same slot as X; already bound to vfio-pci"),
 * with "; " when the reason was not empty; cut to fit.
 */
void vb_reason_append(char reason[VB_REASON_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Counts targets with a verdict. */
size_t vb_plan_count(const struct vb_plan *plan, enum vb_verdict verdict);
