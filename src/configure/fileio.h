/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "root.h"

/*
 * Whole files of the tree, as configure changes them: every path is rel to
 * the root context, its directories resolved in the tree (root.h), so that a
 * link in the tree never sends a write outside it.
 */

/* Largest file vb_read_file reads: configuration files, not images. */
#define VB_FILE_MAX (16 * 1024 * 1024)

/*
 * Reads a whole regular file into a new buffer (NUL-terminated, not counted
 * in len), without following a symlink in the last component and without
 * opening anything but a regular file. Fills st when not NULL. Returns 0,
 * -ENOENT, -ELOOP (a symlink), -VB_EFILETYPE (not a regular file), -EFBIG
 * (over VB_FILE_MAX), or -errno.
 */
int vb_read_file(const struct vb_root *root, const char *rel, char **data, size_t *len,
		 struct stat *st);

/*
 * Replaces rel atomically with data: a temporary file in the same directory
 * (O_EXCL), written, fsynced, chowned to uid:gid ((uid_t)-1 / (gid_t)-1 keep
 * ours), chmodded to mode and renamed over rel (a link there is replaced, not
 * followed). The directory must exist; vb_fsync_parent then makes the rename
 * durable. Returns 0 or -errno; on error rel is untouched.
 */
int vb_replace_file(const struct vb_root *root, const char *rel, const char *data, size_t len,
		    mode_t mode, uid_t uid, gid_t gid);

/* Unlinks rel. Returns 1 when it was removed, 0 when it did not exist, or -errno. */
int vb_remove_file(const struct vb_root *root, const char *rel);

/* Removes the empty directory rel. Returns 1, 0 when it did not exist, or -errno. */
int vb_remove_dir(const struct vb_root *root, const char *rel);

/* Fsyncs the directory holding rel. Returns 0 or -errno. */
int vb_fsync_parent(const struct vb_root *root, const char *rel);
