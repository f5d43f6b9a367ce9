/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "strv.h"
#include "pci.h"
#include "plan.h"
#include "softdep_merge.h"

/* What the configurator knows when it renders /etc/modprobe.d/vfio.conf. */
struct vb_render_input {
	const struct vb_config *cfg;      /* the selection being saved */
	const struct vb_snapshot *snap;   /* NULL for a tree without hardware */
	const struct vb_plan *plan;       /* built from cfg and snap */
	const struct vb_strv *claimants;  /* per snapshot function: modules that claim it */
	bool blacklist;                   /* also blacklist the claiming modules */
	const struct vb_softdep_line *softdeps; /* the modules' lines (softdeps.h) */
	size_t nsoftdeps;
};

/*
 * The loadable modules (kmod's names, vfio-pci aside) that would claim a
 * function the plan takes, sorted. Returns 0 or -ENOMEM.
 */
int vb_render_claimants(const struct vb_render_input *in, struct vb_strv *modules);

/*
 * configure's lines of /etc/modprobe.d/00-vfio-boot.conf (its block,
 * ownblock.h): the header of modprobe.d/header.conf.in, a softdep for every
 * loadable module that would claim a taken function (its line of
 * in->softdeps, else vfio-pci alone), blacklists on request except for
 * modules a kept device needs (each such refusal goes to notes). Never
 * `options vfio-pci ids=`: vfio-pci would take every device with those IDs,
 * an identical host card too, even with vfio_boot.disable=1. Returns NULL on
 * ENOMEM.
 */
char *vb_render_modprobe(const struct vb_render_input *in, struct vb_strv *notes);

/*
 * The whole file: current (len bytes, "" when absent) with configure's block
 * set to body (a block added goes first with first, else last). The admin's
 * lines are kept, but an `options vfio-pci ids=` of theirs (a guide's) is
 * commented out, its other options kept on a line of their own (said in
 * notes); a file in the whole-file format of earlier versions keeps only the
 * lines they had kept. Returns 0 or -errno.
 */
int vb_render_modprobe_file(const char *current, size_t len, const char *body, bool first,
			    char **out, size_t *outlen, struct vb_strv *notes);

/*
 * The admin's lines of a file configure writes: text without configure's
 * block (or, in the whole-file format of earlier versions, what it kept).
 * Returns 0 and a new string, -EINVAL for block markers out of order, or -ENOMEM.
 */
int vb_modprobe_admins_lines(const char *text, size_t len, char **out, size_t *outlen);

/* configure's own lines of text (the block, or the whole-file format's), in a new string. */
int vb_modprobe_own_lines(const char *text, size_t len, char **out);

/*
 * Takes one configure's edit back out of the file now holds: the block as it
 * was in old, and the ids= lines of old that the edit commented out as they
 * were. Returns 0 or -errno (-EINVAL: the block's markers are out of order).
 */
int vb_render_modprobe_undo(const char *now, size_t nlen, const char *old, size_t olen,
			    char **out, size_t *outlen);
