/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * The system tree both programs work on: the running system ("/") or a
 * directory given with --root. Every file is opened through it, resolved the
 * way a chroot would resolve it (openat2 with RESOLVE_IN_ROOT; on kernels
 * before 5.6, a component-by-component walk that does the same): an absolute
 * symlink inside the tree points into the tree, ".." stops at its top, so
 * nothing outside the tree is ever read or written.
 */
struct vb_root {
	int fd;      /* O_PATH directory descriptor of the tree's top */
	char *path;  /* as given, without trailing slashes ("/" for the host) */
	bool host;   /* the tree is the running system's own root */
};

/* errno-style code: a file is not of the kind expected (a FIFO for a config file). */
#define VB_EFILETYPE 1000

/*
 * Opens the tree at path, which must be an existing directory. Returns 0,
 * -EINVAL for an empty path, -ENOENT, -ENOTDIR or -errno.
 */
int vb_root_init(struct vb_root *root, const char *path);
void vb_root_fini(struct vb_root *root);

/*
 * Opens rel (relative to the tree's top; a leading '/' is allowed) inside
 * the tree with open(2) flags and mode; O_CLOEXEC and O_NOCTTY are added.
 * Returns the descriptor or -errno.
 */
int vb_root_open(const struct vb_root *root, const char *rel, int flags, mode_t mode);

/*
 * Opens rel with flags only if accept() takes what is there: it looks first
 * through an O_PATH descriptor, so that nothing else is ever opened (opening
 * a device can act: a watchdog arms, a tape rewinds, a serial line hangs up),
 * then opens for real (a tree is not swapped under us: only root could).
 * Fills st, as seen before opening, when not NULL. Returns the descriptor,
 * -VB_EFILETYPE when accept() said no, or -errno.
 */
int vb_root_open_checked(const struct vb_root *root, const char *rel, int flags,
			 bool (*accept)(const struct stat *), struct stat *st);

/* True for a regular file: sysfs and proc attributes, configuration files. */
bool vb_is_regular(const struct stat *st);

/*
 * Opens the regular file rel read-only without blocking (vb_root_open_checked
 * with vb_is_regular): a FIFO, a device or a lock cannot hold or touch
 * anything. Fills st when not NULL. Returns the descriptor, -VB_EFILETYPE for
 * anything but a regular file, or -errno.
 */
int vb_root_open_regular(const struct vb_root *root, const char *rel, struct stat *st);

/*
 * Reads the whole regular file rel into a new NUL-terminated buffer (*data,
 * *len without the NUL), however many reads it takes. Fails with -EFBIG when
 * it holds max bytes or more. Fills st when not NULL. Returns 0 or -errno.
 */
int vb_root_read_file(const struct vb_root *root, const char *rel, size_t max, char **data,
		      size_t *len, struct stat *st);

/*
 * Reads all of fd (a regular file open for reading, st its status, as
 * vb_root_open_checked fills it) as vb_root_read_file does, and closes it.
 */
int vb_read_fd(int fd, const struct stat *st, size_t max, char **data, size_t *len);

/*
 * Reads at most size-1 bytes of the small regular file rel (a sysfs or proc
 * attribute) into buf, NUL-terminated, in one read. Returns the count or -errno.
 */
ssize_t vb_root_read_small(const struct vb_root *root, const char *rel, char *buf, size_t size);

/* The read of vb_root_read_small on an open fd, which it leaves open. */
ssize_t vb_read_small_fd(int fd, char *buf, size_t size);

/*
 * Opens rel below dirfd (a leading '/' is dropped: rel is always taken from
 * dirfd) without leaving the file system dirfd is on (openat2 with
 * RESOLVE_NO_XDEV): ".." cannot climb above that mount's top, and a
 * symlink out of it or anything mounted inside it fails with -EXDEV. Only for
 * a dirfd opened through the root on a file system mounted inside the tree
 * (sysfs.c checks that): then nothing outside the tree is reached. Returns
 * the descriptor, -EXDEV, -ENOSYS when the kernel has no openat2 (open
 * through the root instead), or -errno.
 */
int vb_root_open_in_mount(int dirfd, const char *rel, int flags);

/*
 * Like vb_root_read_file for a file named outside any tree (--config FILE):
 * opened without blocking, checked to be a regular file, read whole.
 */
int vb_read_file_path(const char *path, size_t max, char **data, size_t *len, struct stat *st);

/*
 * Writes text and a newline to an existing sysfs attribute in the tree in a
 * single write, as `echo text > attr` does: a regular file, or a FIFO (which
 * only hands the text to its reader, and is not waited for); anything else,
 * a device above all, is -VB_EFILETYPE and never opened. Opened O_APPEND: sysfs stores
 * ignore the offset, and a fixture tree's plain file then keeps every write,
 * one per line. Returns 0, or -errno.
 */
int vb_root_write_attr(const struct vb_root *root, const char *rel, const char *text);

/* Creates directory rel in the tree and its missing parents (mode 0755). Returns 0 or -errno. */
int vb_root_mkdir_p(const struct vb_root *root, const char *rel);

/* True when rel exists in the tree (any kind; symlinks resolved in the tree). */
bool vb_root_exists(const struct vb_root *root, const char *rel);

/*
 * Like vb_root_exists, an error told from absence: 1 when rel exists, 0 when
 * it does not (ENOENT, ENOTDIR), or -errno (EIO, EACCES...: not known).
 */
int vb_root_probe(const struct vb_root *root, const char *rel);

/*
 * Writes the tree's path joined with rel into buf for messages and for tools
 * that need a path ("/etc/x" for the host, "/srv/tree/etc/x" otherwise).
 * Returns 0 or -ENAMETOOLONG.
 */
int vb_root_display(const struct vb_root *root, const char *rel, char *buf, size_t size);

/* strerror(-err), with VB_EFILETYPE explained. */
const char *vb_strerror(int err);

/*
 * The fallback walk itself, exposed so that unit tests can check it on a
 * kernel that has openat2. Same contract as vb_root_open.
 */
int vb_root_open_walk(const struct vb_root *root, const char *rel, int flags, mode_t mode);

/*
 * The same walk, stopped at the final component: returns a descriptor of the
 * directory that holds it (opened for reading) and copies the component's
 * name into name (NAME_MAX + 1 bytes). Links on the way are followed, the
 * final one too when follow says so (its target's directory and name are
 * handed back), up to 40 in all. The final name need not exist; its
 * directory must (-ENOENT). Returns the descriptor, -EISDIR when rel ends at
 * a directory ("", ".", ".."), or -errno. root_write.h builds on it.
 */
int vb_root_walk_parent(const struct vb_root *root, const char *rel, bool follow, char *name);
