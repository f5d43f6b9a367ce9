/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Largest file vb_read_file reads: configuration files, not images. */
#define VB_FILE_MAX (16 * 1024 * 1024)

/*
 * Reads a whole regular file into a new buffer (NUL-terminated, not counted
 * in len), without following a symlink in the last component. Fills st when
 * not NULL. Returns 0, -ENOENT, -ELOOP (a symlink), -EINVAL (not a regular
 * file), -EFBIG (over VB_FILE_MAX), or -errno.
 */
int vb_read_file(const char *path, char **data, size_t *len, struct stat *st);

/*
 * Replaces path atomically with data: a temporary file in the same directory
 * (O_EXCL), written, fsynced, chowned to uid:gid ((uid_t)-1 / (gid_t)-1 keep
 * ours), chmodded to mode and renamed over path. The directory must exist;
 * vb_fsync_parent(path) then makes the rename durable. Returns 0 or -errno;
 * on error path is untouched.
 */
int vb_replace_file(const char *path, const char *data, size_t len, mode_t mode, uid_t uid,
		    gid_t gid);

/* Unlinks path. Returns 1 when it was removed, 0 when it did not exist, or -errno. */
int vb_remove_file(const char *path);

/* Fsyncs the directory holding path. Returns 0 or -errno. */
int vb_fsync_parent(const char *path);
