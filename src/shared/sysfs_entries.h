/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* The entries of a function's directory that the sysfs reader looks at. */
enum vb_fn_entry {
	VB_FN_MODALIAS,
	VB_FN_VENDOR,
	VB_FN_DEVICE,
	VB_FN_SUBSYSTEM_VENDOR,
	VB_FN_SUBSYSTEM_DEVICE,
	VB_FN_CLASS,
	VB_FN_SECONDARY_BUS_NUMBER,
	VB_FN_BOOT_VGA,
	VB_FN_IOMMU_GROUP,
	VB_FN_DRIVER,
	VB_FN_PHYSFN,
	VB_FN_ENTRIES
};

#define VB_FN_ABSENT 0xff /* in vb_fn_entries.type: not in the directory */

/* What one listing of a function's directory found. */
struct vb_fn_entries {
	bool listed;                       /* read to its end: an entry not seen is absent */
	unsigned char type[VB_FN_ENTRIES]; /* each entry's d_type (DT_UNKNOWN too), or VB_FN_ABSENT */
};

extern const char *const vb_fn_entry_names[VB_FN_ENTRIES];

/*
 * Lists the directory open at dirfd (O_RDONLY) with getdents64, to its end,
 * and notes which of the entries above it holds, and their types. On an
 * error listed is false and nothing may be concluded from the listing.
 * Opens and follows nothing.
 */
void vb_fn_entries_read(int dirfd, struct vb_fn_entries *e);

/* Whether entry a is known to be absent (listed, and not seen). */
static inline bool vb_fn_entry_absent(const struct vb_fn_entries *e, enum vb_fn_entry a)
{
	return e->listed && e->type[a] == VB_FN_ABSENT;
}
