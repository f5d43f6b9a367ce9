/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "root.h"
#include "root_xattr.h"

/*
 * The write half of the root context: files of the tree replaced atomically
 * or removed, directories made or removed, each through a descriptor of its
 * directory found by the root's one walk (vb_root_walk_parent), so nothing
 * outside the tree is ever written, whatever links the tree holds.
 *
 * A file that is a symlink is followed inside the tree, link by link, and
 * its target is what gets replaced: the link stays (an /etc/default/grub
 * that links to a file elsewhere in the tree keeps linking there). A
 * directory that is a link is made or removed at its target alike.
 */

/* Largest file read or written: configuration files, not images. */
#define VB_ROOT_FILE_MAX (16 * 1024 * 1024)

struct vb_root_file {
	int dirfd;               /* the directory that holds it, opened in the tree */
	char name[NAME_MAX + 1]; /* its name there; a link only when not followed */
};

/*
 * Finds where rel (as seen from the tree's top: "/etc/default/grub") is
 * stored, following a link there when follow says so. Its directory must
 * exist (-ENOENT). Returns 0 or -errno (-ELOOP after 40 links, -EISDIR for
 * the top, "." or "..").
 */
int vb_root_locate(const struct vb_root *root, const char *rel, bool follow,
		   struct vb_root_file *f);
void vb_root_file_release(struct vb_root_file *f);

/*
 * Reads the file whole (without blocking; only a regular file) into a new
 * NUL-terminated buffer, and its extended attributes into xattrs when not
 * NULL. Returns 0, -ENOENT when it does not exist, -VB_EFILETYPE, -EFBIG when
 * it holds max bytes or more, or -errno.
 */
int vb_root_file_read(const struct vb_root_file *f, size_t max, char **data, size_t *len,
		      struct stat *st, struct vb_xattrs *xattrs);

/* What a file written gets besides its bytes. */
struct vb_root_meta {
	mode_t mode;                    /* set exactly, whatever the umask */
	uid_t uid;                      /* (uid_t)-1: ours */
	gid_t gid;                      /* (gid_t)-1: ours */
	const struct vb_xattrs *xattrs; /* NULL: none */
};

/*
 * Gives open file fd meta's owner, extended attributes and mode, in that
 * order: a chown drops security.capability, and a chmod after an ACL keeps
 * the two in step. Returns 0 or -errno.
 */
int vb_root_set_meta(int fd, const struct vb_root_meta *meta);

/*
 * The one atomic replace: a temporary file beside the file (".NAME.vfio-boot-new")
 * gets data and meta, is fsynced and renamed over the file, and the directory
 * is fsynced. meta is set by set_meta, which is vb_root_set_meta or NULL (a
 * pointer, so that a program that never sets an owner or attributes, the
 * boot binder, does not carry that code): with it, the temporary file is
 * mode 0600 until set_meta gives it all of meta; without it, it is made with
 * meta->mode as the umask leaves it, and ours. On an error before the rename
 * the file is untouched and the temporary file gone. Returns 0 or -errno.
 */
int vb_root_replace(const struct vb_root_file *f, const char *data, size_t len,
		    const struct vb_root_meta *meta,
		    int (*set_meta)(int fd, const struct vb_root_meta *meta));

/* Unlinks the file and fsyncs its directory. Returns 1 when removed, 0 when absent, or -errno. */
int vb_root_remove(const struct vb_root_file *f);

/*
 * Removes a temporary file a crash left beside the file (".NAME.vfio-boot-new").
 * Returns 0 or -errno.
 */
int vb_root_clean_temp(const struct vb_root_file *f);

/*
 * Makes directory rel (its parent must exist) and fsyncs the parent. Returns
 * 1 when made, 0 when a directory was there already, -EEXIST when something
 * else is, or -errno.
 */
int vb_root_mkdir(const struct vb_root *root, const char *rel, mode_t mode);

/*
 * Removes directory rel when empty and fsyncs the parent. Returns 1 when
 * removed, 0 when absent, not empty or not a directory, or -errno.
 */
int vb_root_rmdir(const struct vb_root *root, const char *rel);
