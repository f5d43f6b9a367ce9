/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "msgs.h"
#include "pci.h"
#include "plan.h"

/* What the configurator knows when it renders /etc/modprobe.d/vfio.conf. */
struct vb_render_input {
	const struct vb_config *cfg;      /* the selection being saved */
	const struct vb_snapshot *snap;   /* NULL for a tree without hardware */
	const struct vb_plan *plan;       /* built from cfg and snap */
	const struct vb_msgs *claimants;  /* per snapshot function: modules that claim it */
	bool blacklist;                   /* also blacklist the claiming modules */
};

/* The /etc/vfio-boot.conf text for a selection. Returns NULL on ENOMEM. */
char *vb_render_selection(const struct vb_config *cfg);

/*
 * The /etc/modprobe.d/vfio.conf text: options vfio-pci ids= for IDs whose every
 * device is taken (none without hardware to check that against), a softdep for every loadable module that would claim a
 * taken function, blacklists on request except for modules a kept device
 * needs (each such refusal goes to notes). The IDs go to ids too. Returns NULL
 * on ENOMEM.
 */
char *vb_render_modprobe(const struct vb_render_input *in, struct vb_msgs *ids,
			 struct vb_msgs *notes);
