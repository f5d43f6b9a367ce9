/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "pci.h"
#include "root.h"

/* What became of one vfs= line's physical function. */
enum vb_vfs_state {
	VB_VFS_MADE,    /* its VFs were made now */
	VB_VFS_PRESENT, /* it has as many VFs as asked already */
	VB_VFS_WAITING, /* it has no driver yet: they are made when one binds it */
	VB_VFS_WOULD,   /* a dry run: they would be made now */
	VB_VFS_REFUSED, /* not made: its ID guard failed, it has no SR-IOV, it offers
			   fewer, or it has another number of VFs already */
	VB_VFS_FAILED,  /* a write to sysfs failed */
};

/*
 * sriov_totalvfs and sriov_numvfs of function name. Returns 0, -ENOENT when
 * it has no SR-IOV capability, or -errno.
 */
int vb_sriov_counts(const struct vb_root *root, const char *name, unsigned *total,
		    unsigned *num);

/*
 * Makes the virtual functions entry asks for on pf (the snapshot's function
 * at its address, its driver read): when pf's driver is bound and it has
 * none yet, sriov_drivers_autoprobe 0 first (no VF driver takes them; the
 * binder's driver_override then gives each to vfio-pci), then sriov_numvfs.
 * VFs already there are never changed: that could take them from a VM. What
 * happened, in one line for the log, goes to line. Returns the state.
 */
enum vb_vfs_state vb_sriov_make(const struct vb_root *root, const struct vb_vfs_entry *entry,
				const struct vb_pci_fn *pf, bool dry_run, char *line, size_t size);
