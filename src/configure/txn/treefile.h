/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "root.h"

/*
 * The write half of the root context: files of the tree replaced, removed and
 * directories made or removed through a descriptor of their directory, itself
 * opened inside the tree (vb_root_open), so nothing outside it is ever
 * written, whatever links the tree holds.
 *
 * A file that is a symlink is followed inside the tree, link by link, and its
 * target is what gets replaced: the link stays (an /etc/default/grub that
 * links to a file elsewhere in the tree keeps linking there).
 */

/* Largest file read or written: configuration files, not images. */
#define VB_TREE_FILE_MAX (16 * 1024 * 1024)

struct vb_tree_file {
	int dirfd;               /* the directory that holds it, opened in the tree */
	char name[NAME_MAX + 1]; /* its name there, never a symlink unless dangling */
};

/*
 * Finds where rel (as seen from the tree's top: "/etc/default/grub") is
 * stored. Its directory must exist (-ENOENT). Returns 0 or -errno
 * (-ELOOP after 40 links, -EISDIR when a link names a directory).
 */
int vb_tree_locate(const struct vb_root *root, const char *rel, struct vb_tree_file *f);
void vb_tree_release(struct vb_tree_file *f);

/*
 * Reads the file whole (without blocking; only a regular file) into a new
 * NUL-terminated buffer. Returns 0, -ENOENT when it does not exist,
 * -VB_EFILETYPE, -EFBIG when it holds max bytes or more, or -errno.
 */
int vb_tree_read(const struct vb_tree_file *f, size_t max, char **data, size_t *len,
		 struct stat *st);

/*
 * Replaces the file with data: a temporary file beside it (vb_tree_temp_name)
 * is written, fsynced, given uid:gid ((uid_t)-1 and (gid_t)-1 keep ours) and
 * mode, renamed over it, and the directory fsynced. On an error before the
 * rename the file is untouched and the temporary file gone. Returns 0 or -errno.
 */
int vb_tree_replace(const struct vb_tree_file *f, const char *data, size_t len, mode_t mode,
		    uid_t uid, gid_t gid);

/* Unlinks the file and fsyncs its directory. Returns 1 when removed, 0 when absent, or -errno. */
int vb_tree_remove(const struct vb_tree_file *f);

/* Removes a temporary file a crash left beside the file. Returns 0 or -errno. */
int vb_tree_clean_temp(const struct vb_tree_file *f);

/* The temporary file's name beside NAME: ".NAME.vfio-boot-new". Returns 0 or -ENAMETOOLONG. */
int vb_tree_temp_name(const char *name, char *buf, size_t size);

/*
 * Makes directory rel (its parent must exist) and fsyncs the parent. Returns
 * 1 when made, 0 when it existed, or -errno.
 */
int vb_tree_mkdir(const struct vb_root *root, const char *rel, mode_t mode);

/*
 * Removes directory rel when empty and fsyncs the parent. Returns 1 when
 * removed, 0 when absent or not empty, or -errno.
 */
int vb_tree_rmdir(const struct vb_root *root, const char *rel);

/* Fsyncs directory rel of the tree. Returns 0 or -errno. */
int vb_tree_sync_dir(const struct vb_root *root, const char *rel);
