/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * A file's extended attributes, as a rewrite must keep them: SELinux and
 * other security.* labels, POSIX ACLs (system.posix_acl_access and _default),
 * user.* and, for root, trusted.*. Every name the kernel lists for the file
 * is taken, whatever its namespace; values are bytes.
 */
struct vb_xattr {
	char *name;  /* NUL-terminated, as listed */
	char *value; /* len bytes (not NUL-terminated) */
	size_t len;
};

struct vb_xattrs {
	struct vb_xattr *items;
	size_t count;
};

/*
 * Reads every extended attribute of open file fd into x (emptied first). A
 * file system without them gives none. Returns 0 or -errno.
 */
int vb_xattrs_read_fd(int fd, struct vb_xattrs *x);

/* Sets every attribute of x on open file fd. Returns 0 or -errno (the first failure). */
int vb_xattrs_apply_fd(int fd, const struct vb_xattrs *x);

/* Appends a copy of name and its value. Returns 0 or -ENOMEM. */
int vb_xattrs_add(struct vb_xattrs *x, const char *name, const void *value, size_t len);

/* Deep copy (to is emptied first). Returns 0 or -ENOMEM. */
int vb_xattrs_copy(struct vb_xattrs *to, const struct vb_xattrs *from);

void vb_xattrs_free(struct vb_xattrs *x);
