/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "pci.h"
#include "plan.h"
#include "root.h"

enum vb_result {
	VB_RESULT_BOUND,
	VB_RESULT_ALREADY_BOUND,
	VB_RESULT_REFUSED,
	VB_RESULT_FAILED,
	VB_RESULT_DRY_RUN,
	VB_RESULT_RELEASED, /* vfio-boot release: off vfio-pci, back with the host */
};

/* What became of one target. */
struct vb_outcome {
	enum vb_result result;
	char driver_after[VB_DRIVER_MAX]; /* "" when unbound */
	char reason[VB_REASON_MAX];
};

struct vb_apply_env {
	const struct vb_root *root; /* sysfs is sys/ in the tree */
	const char *modprobe; /* program run as "MODPROBE vfio-pci" when not loaded */
	const struct vb_root *modprobe_root; /* the tree it runs in (chroot); NULL: the
						running system, whatever root is */
	unsigned modprobe_timeout; /* seconds it may take before it is killed */
	bool dry_run;         /* decide outcomes, write nothing */
};

/*
 * Performs the plan: driver_override for every target it binds or keeps, then
 * unbinds native drivers, loads vfio-pci if needed, probes and verifies. Fills
 * out[i] for plan->targets[i]. Never stops at a failure: each target gets its
 * own outcome. Returns the number of failed targets.
 */
size_t vb_apply(const struct vb_apply_env *env, const struct vb_snapshot *snap,
		const struct vb_plan *plan, struct vb_outcome *out);

/* The status.json name of a result: "bound", "already-bound", ... */
const char *vb_result_name(enum vb_result result);
