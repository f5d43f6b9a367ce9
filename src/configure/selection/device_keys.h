/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config.h"
#include "kmodinfo.h"
#include "strv.h"
#include "pci.h"
#include "plan.h"
#include "root.h"

/* What configure was given for driver=, reset_method= and preload=, and the machine. */
struct vb_device_keys_input {
	const struct vb_config *given;  /* its devices: --driver, --reset-method, --preload */
	const struct vb_snapshot *snap; /* NULL in a tree without sys/ */
	const struct vb_plan *plan;     /* validated for given on snap */
	const struct vb_kmod *kmod;     /* the installed kernels */
	const struct vb_root *root;     /* for each device's reset_method */
};

/*
 * The driver=, reset_method= and preload= lines configure saves after the
 * selection, as it saves the selection (what it validated, guarded):
 * - driver=vfio-pci alone when given so (no variant anywhere);
 * - each --driver and --reset-method line once per function the selection
 *   takes that its selector names, as KEY=VALUE@ID@address (without sys/,
 *   an ID@address as typed); one that names none is refused;
 * - for every other function taken, the vfio-pci variant its vfio_pci: alias
 *   finds in the installed kernels (variants.h), with a comment naming them,
 *   and a note saying where vfio-pci takes it instead;
 * - preload= as given (a module no installed kernel has is noted).
 * Returns 0 with *text (may be ""; the caller frees it), -EINVAL with the
 * reasons in refusals, or -errno.
 */
int vb_device_keys_text(const struct vb_device_keys_input *in, char **text, struct vb_strv *notes,
			struct vb_strv *refusals);
