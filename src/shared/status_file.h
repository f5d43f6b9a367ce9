/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "json.h"
#include "root.h"

/*
 * status.json on disk: where it is, the lock every run that changes devices
 * holds, the earlier report read back and the new one put in its place.
 *
 * One run at a time: the binder at boot, one per device that appears (udev
 * runs them side by side), a live vfio-boot bind or release. Each holds the
 * lock (a file beside the report, NAME.lock, flock'd) from before it reads
 * sysfs until its report is written, so that two runs never work on one card
 * at once and no run's entries are lost to another's.
 */
struct vb_status_place {
	const struct vb_root *root; /* the tree: its run/vfio-boot/status.json */
	const char *path;           /* a file named outside the tree instead; NULL: the default */
};

#define VB_STATUS_LOCK_WAIT_MS 30000 /* how long a run waits for another's lock */

/*
 * Takes the lock (the report's directory is made when missing), waiting at
 * most wait_ms. Returns its descriptor (vb_status_unlock ends it), -ETIMEDOUT
 * when another run kept it, or -errno.
 */
int vb_status_lock(const struct vb_status_place *place, unsigned wait_ms);
void vb_status_unlock(int fd);

/*
 * Reads the report there into doc (a JSON object with a devices array).
 * Returns 0, -ENOENT when there is none, -EINVAL when it is not a report
 * (why says why), or -errno.
 */
int vb_status_read(const struct vb_status_place *place, struct vb_json_value *doc, char *why,
		   size_t why_size);

/*
 * Writes the report that write(out, ctx) prints through a temporary file
 * beside it, renamed over it: readers see the old report or the new, never
 * half. Returns 0 or -errno.
 */
int vb_status_replace(const struct vb_status_place *place,
		      int (*write)(FILE *out, const void *ctx), const void *ctx);
