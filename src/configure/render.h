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
	const char *current;              /* the file as it is now, NULL when absent */
};

/* The /etc/vfio-boot.conf text for a selection. Returns NULL on ENOMEM. */
char *vb_render_selection(const struct vb_config *cfg);

/*
 * The /etc/modprobe.d/vfio.conf text: a softdep for every loadable module that
 * would claim a taken function, blacklists on request except for modules a
 * kept device needs (each such refusal goes to notes). Never `options
 * vfio-pci ids=`: vfio-pci would take every device with those IDs, an
 * identical host card too, even with vfio_boot.disable=1. The lines of a file
 * that was there before (a guide's) are kept after a marker, with an ids=
 * option commented out (said in notes); an ids= line of an earlier configure
 * is dropped. Returns NULL on ENOMEM.
 */
char *vb_render_modprobe(const struct vb_render_input *in, struct vb_msgs *notes);
