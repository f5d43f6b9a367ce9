/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "device_rules.h"
#include "strv.h"
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
	char driver[VB_DRIVER_MAX];       /* the driver it was given (driver_override):
					     "vfio-pci" or a variant's; "" when refused */
	char reset_method[VB_RESET_TEXT_MAX]; /* the methods written; "" when none */
	char reason[VB_REASON_MAX];
	char note[VB_REASON_MAX];         /* the variant and reset_method's own story,
					     appended to reason at the end */
};

struct vb_apply_env {
	const struct vb_root *root; /* sysfs is sys/ in the tree */
	const char *modprobe; /* program run as "MODPROBE vfio-pci" when not loaded */
	const struct vb_root *modprobe_root; /* the tree it runs in (chroot); NULL: the
						running system, whatever root is */
	unsigned modprobe_timeout; /* seconds it may take before it is killed */
	bool dry_run;         /* decide outcomes, write nothing */
	const struct vb_device_rules *rules; /* driver=, reset_method=, preload=; NULL: none */
	struct vb_strv *messages; /* what went wrong outside any one device (preload=) */
};

/*
 * Performs the plan: loads the preload= modules, then each variant module a
 * target needs and reads its driver's name (a variant that cannot be loaded
 * or named leaves its functions to vfio-pci, said in their reason); writes
 * reset_method= where the device offers the methods (else says why and binds
 * anyway: the device stays off the host's drivers); driver_override for every
 * target it binds or keeps, then unbinds native drivers, loads vfio-pci if
 * needed, probes and verifies. Fills out[i] for plan->targets[i]. Never
 * stops at a failure: each target gets its own outcome. Returns the number
 * of failed targets.
 */
size_t vb_apply(const struct vb_apply_env *env, const struct vb_snapshot *snap,
		const struct vb_plan *plan, struct vb_outcome *out);

/* The status.json name of a result: "bound", "already-bound", ... */
const char *vb_result_name(enum vb_result result);
