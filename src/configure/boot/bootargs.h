/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "bootloader.h"
#include "journal.h"
#include "strv.h"
#include "root.h"

/*
 * Kernel flags of the bootloaders that keep them themselves (grubby,
 * kernelstub): what their entries hold now, and the commands that add only
 * the flags that are absent, each with the command that takes exactly those
 * back out (or puts back the value a flag replaced).
 */
struct vb_boot_entry {
	char *kernel; /* grubby: the entry's kernel; kernelstub: NULL (one set of flags) */
	char *args;   /* its kernel command line */
};

struct vb_boot_entries {
	struct vb_boot_entry *items;
	size_t count;
};

/*
 * Reads the entries by running the tool in the tree (grubby --info=ALL,
 * kernelstub --print-config). Returns 0 or -errno, with why.
 */
int vb_bootargs_read(const struct vb_root *root, enum vb_bootloader bl,
		     struct vb_boot_entries *e, char *why, size_t size);
void vb_bootargs_free(struct vb_boot_entries *e);

/* A command and the one that undoes it. */
struct vb_bootargs_command {
	struct vb_strv argv;
	struct vb_strv undo;
};

/*
 * The commands that make every entry carry the flags of add and none of
 * remove (configure's own earlier flags it no longer wants) nor a guide's
 * leftover (vfio-pci.ids=, taken out first, put back by the undo). An
 * entry's intel_iommu= options are kept: grubby gets the merged word
 * (kcmdline.h), kernelstub a word of its own. Returns 0 or -ENOMEM; *cmds
 * (*n of them) is freed with vb_bootargs_commands_free.
 */
int vb_bootargs_plan(enum vb_bootloader bl, const struct vb_boot_entries *e,
		     const struct vb_strv *add, const struct vb_strv *remove,
		     struct vb_bootargs_command **cmds, size_t *n);
void vb_bootargs_commands_free(struct vb_bootargs_command *cmds, size_t n);

/*
 * The flags configure's recorded commands (done) left in effect (a merged
 * intel_iommu=on,igfx_off counts as intel_iommu=on). Returns 0 or -ENOMEM.
 */
int vb_bootargs_ours(enum vb_bootloader bl, const struct vb_step *done, size_t n,
		     struct vb_strv *ours);

/* Splits a space-separated list of flags into words. Returns 0 or -ENOMEM. */
int vb_bootargs_split(const char *list, struct vb_strv *words);
