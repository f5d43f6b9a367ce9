/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "strv.h"
#include "root.h"

/* The initramfs generators: which one a tree uses, and vfio-boot's files for it. */
enum vb_generator {
	VB_GENERATOR_NONE,
	VB_GENERATOR_INITRAMFS_TOOLS,
	VB_GENERATOR_DRACUT,
	VB_GENERATOR_MKINITCPIO,
	VB_GENERATOR_BOOSTER, /* found, not supported: it has no hook to run the binder early */
};

/*
 * The generator installed under root: update-initramfs, dracut, mkinitcpio
 * (in that order), else booster, else none.
 */
enum vb_generator vb_generator_detect(const struct vb_root *root);

/*
 * vb_generator_detect, with an error told from absence: 0 and *g, or -errno
 * when a place a generator would be cannot be read, with which program in
 * name (an error there could hide it, or a generator before it).
 */
int vb_generator_find(const struct vb_root *root, enum vb_generator *g, const char **name);

/* "initramfs-tools", "dracut", "mkinitcpio", "booster", "none". */
const char *vb_generator_name(enum vb_generator g);

/*
 * Adds to missing each file vfio-boot needs for generator g that the tree
 * lacks: the hook files where g reads them, and the binder where the hook
 * says it is. Returns 0 or -ENOMEM.
 */
int vb_generator_missing_files(const struct vb_root *root, enum vb_generator g,
			       struct vb_strv *missing);

/*
 * mkinitcpio reads /etc/mkinitcpio.conf.d/NAME.conf after mkinitcpio.conf
 * (unless a preset or -c names another config): configure adds the hook to
 * HOOKS there instead of editing the user's line.
 */
#define VB_MKINITCPIO_DROPIN "/etc/mkinitcpio.conf.d/vfio-boot.conf"
#define VB_MKINITCPIO_DROPIN_TEXT                                                  \
	"# Written by vfio-boot configure; vfio-boot unconfigure removes it.\n" \
	"HOOKS+=(vfio-boot)\n"
