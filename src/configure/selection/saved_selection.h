/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "strv.h"
#include "pci.h"
#include "plan.h"

/* What configure was given and validated. */
struct vb_saved_input {
	const struct vb_config *given;  /* the selectors as typed, and the policy */
	const struct vb_snapshot *snap; /* the hardware; NULL in a tree without sys/ */
	const struct vb_plan *plan;     /* the plan validated for given on snap */
	bool all_matching;              /* --all-matching */
};

/* What configure saves in /etc/vfio-boot.conf. */
struct vb_saved_selection {
	struct vb_config cfg; /* the lines saved, and the policy written */
	bool *open;           /* per cfg.select entry: a bare ID saved with --all-matching */
};

/*
 * What configure saves for the selection it validated, so that the binder
 * takes that and nothing else when the hardware changes:
 * - every function a selector took, as ID@address, whatever form was typed
 *   (its companions on the same card come along by companions=slot: a card
 *   is one device, and the guard on the function selected guards it);
 * - with companions=group, the functions the groups brought along, each as
 *   ID@address, and companions=slot instead, so that no function that joins
 *   a group later is taken;
 * - a bare ID only with --all-matching ("every card with this ID, now and
 *   later", said in notes), the policy then kept as given, so that a card
 *   that goes in later comes with its companions; likewise for an
 *   ID@address that matches nothing (--force) or any selection without
 *   sys/, whose companions cannot be listed.
 * An address or a bare ID that cannot be resolved to an ID and an address
 * (nothing there, or no sys/) cannot be saved guarded: each is said in
 * refusals with its fix. Returns 0, -EINVAL after such a refusal, or
 * -ENOMEM.
 */
int vb_saved_selection_build(const struct vb_saved_input *in, struct vb_saved_selection *out,
			     struct vb_strv *notes, struct vb_strv *refusals);

void vb_saved_selection_free(struct vb_saved_selection *saved);

/*
 * The /etc/vfio-boot.conf text configure writes for in: the saved selection
 * (vb_saved_selection_build) rendered, within the limits the binder reads it
 * with. Returns 0 with *text set (the caller frees it); -EINVAL with the
 * reasons in refusals; or -ENOMEM.
 */
int vb_saved_selection_text(const struct vb_saved_input *in, char **text, struct vb_strv *notes,
			    struct vb_strv *refusals);
