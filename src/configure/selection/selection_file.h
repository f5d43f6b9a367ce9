/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * The comment configure writes on the line above a bare ID it saved with
 * --all-matching; check reads it back to tell that choice from an ID saved
 * bare by an older configure or by hand.
 */
#define VB_SELECTION_OPEN_MARK "# --all-matching: every card with this ID, now and later"

/*
 * The /etc/vfio-boot.conf text for a selection: a header, the selectors one
 * per line (a selector flagged in open, when open is not NULL, under
 * VB_SELECTION_OPEN_MARK) and the policy. Returns NULL on ENOMEM.
 */
char *vb_render_selection(const struct vb_config *cfg, const bool *open);

/*
 * Flags in open (one flag per cfg->select entry) each selector that len
 * bytes of text, the file cfg was read from, have on the line right below
 * VB_SELECTION_OPEN_MARK.
 */
void vb_selection_find_open(const char *text, size_t len, const struct vb_config *cfg,
			    bool *open);
