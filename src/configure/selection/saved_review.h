/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config.h"
#include "pci.h"
#include "plan.h"
#include "root.h"

enum vb_review_state { VB_REVIEW_OK, VB_REVIEW_WARN, VB_REVIEW_FAIL };

/*
 * check's review of the saved selection cfg (read from ROOT/etc/vfio-boot.conf)
 * against the hardware now, with plan built from it. Calls say once per
 * finding:
 * - fail: what the binder would now take that configure would have refused:
 *   a bare ID, not saved with --all-matching, that matches more than one
 *   card; and what it would leave that was configured: an ID@address whose
 *   address holds another ID, a selector whose every match is refused;
 * - warn: a bare ID (on one card) or an address saved unguarded, with the
 *   configure command that saves it guarded; an ID saved with
 *   --all-matching that takes several cards;
 * - ok: another function with a guarded selector's ID, which stays with the
 *   host.
 */
void vb_review_saved_selection(const struct vb_root *root, const struct vb_config *cfg,
			       const struct vb_snapshot *snap, const struct vb_plan *plan,
			       void (*say)(void *ctx, enum vb_review_state state, const char *text),
			       void *ctx);
