/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "pci.h"
#include "root.h"

/* What vb_sysfs_read is asked to keep, and what it left out. */
struct vb_sysfs_listing {
	bool keep_modalias;     /* in: keep each function's modalias text (fn->modalias) */
	bool details;           /* in: read every function's details too, in the same pass */
	bool root_bus;          /* in: with details, whether each is on a root bus too */
	size_t ignored;         /* out: entries not named as the kernel names functions */
	char ignored_first[32]; /* out: the first of them, cut short */
};

/*
 * Reads every function under sys/bus/pci/devices in the tree into snap, sorted by
 * address: its address, IDs and class (one read of modalias each). Entries
 * not named as the kernel names functions (vb_pci_name_parse) are left out,
 * and counted in listing when it is not NULL. The details are left unknown
 * (no driver, no group, boot_vga and header type -1) until
 * vb_sysfs_read_details, unless listing asks for them. Returns 0, -ENOENT
 * when the directory is missing, or -errno (an error listing it too: never a
 * shorter list).
 */
int vb_sysfs_read(const struct vb_root *root, struct vb_snapshot *snap,
		  struct vb_sysfs_listing *listing);

/*
 * Reads driver, IOMMU group, boot_vga, bridge header and physical function
 * (of a VF) of the functions marked in want (every function when want is
 * NULL). Returns 0 or -errno.
 */
int vb_sysfs_read_details(const struct vb_root *root, struct vb_snapshot *snap, const bool *want);

#define VB_VFS_LINKS_MAX 65536 /* virtfnN links read at most */

/*
 * Marks in want (one flag per snapshot function) the virtual functions of
 * the physical function pf (its virtfnN links), so that their details are
 * read. Returns 0, or -errno when pf's directory cannot be opened.
 */
int vb_sysfs_mark_vfs(const struct vb_root *root, const struct vb_snapshot *snap,
		      const char *pf, bool *want);

/*
 * Reads the driver bound to one function now ("" when none).
 * Returns 0, or -errno (other than "no driver").
 */
int vb_sysfs_driver(const struct vb_root *root, const char *name, char *driver, size_t size);
