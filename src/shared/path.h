/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Builds ROOT/REL (REL formatted printf-style) into buf. A root of "/" or ""
 * gives the plain absolute path. Returns 0, or -ENAMETOOLONG when buf is short.
 */
int vb_path(char *buf, size_t size, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Reads at most size-1 bytes of a small file (a sysfs attribute, /proc/cmdline)
 * into buf, NUL-terminated. Returns the byte count, or -errno.
 */
ssize_t vb_read_small(const char *path, char *buf, size_t size);

/* Like vb_read_small, relative to an open directory. */
ssize_t vb_read_small_at(int dirfd, const char *name, char *buf, size_t size);

/*
 * Writes text and a newline to an existing sysfs attribute in a single write,
 * as `echo text > attr` does. Opened O_APPEND: sysfs stores ignore the offset,
 * and a fixture tree's plain file then keeps every write, one per line.
 * Returns 0, or -errno.
 */
int vb_write_attr(const char *path, const char *text);

/* Creates a directory and its missing parents (mode 0755). Returns 0 or -errno. */
int vb_mkdir_p(const char *path);

