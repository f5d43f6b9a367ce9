/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "pci.h"
#include "root.h"

/*
 * Reads every function under sys/bus/pci/devices in the tree into snap, sorted by
 * address: its address, IDs and class (one read of modalias each). Entries
 * whose names are not PCI addresses are ignored. The details are left unknown
 * (no driver, no group, boot_vga and header type -1) until
 * vb_sysfs_read_details. Returns 0, -ENOENT when the directory is missing, or
 * -errno (an error listing it too: never a shorter list).
 */
int vb_sysfs_read(const struct vb_root *root, struct vb_snapshot *snap);

/*
 * Reads driver, IOMMU group, boot_vga and bridge header of the functions
 * marked in want (every function when want is NULL). Returns 0 or -errno.
 */
int vb_sysfs_read_details(const struct vb_root *root, struct vb_snapshot *snap, const bool *want);

/*
 * Reads one attribute of a function (modalias, resource...), trailing newline
 * removed. Returns the length, or -errno.
 */
ssize_t vb_sysfs_attr(const struct vb_root *root, const char *name, const char *attr, char *buf,
		      size_t size);

/*
 * Reads the driver bound to one function now ("" when none).
 * Returns 0, or -errno (other than "no driver").
 */
int vb_sysfs_driver(const struct vb_root *root, const char *name, char *driver, size_t size);
