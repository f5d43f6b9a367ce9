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
 * Reads at most size-1 bytes of a small file named outside any tree into buf,
 * NUL-terminated, without blocking. Returns the byte count, or -errno. Files
 * of a tree are read with vb_root_read_small (root.h).
 */
ssize_t vb_read_small(const char *path, char *buf, size_t size);

/* Creates a directory and its missing parents (mode 0755). Returns 0 or -errno. */
int vb_mkdir_p(const char *path);

