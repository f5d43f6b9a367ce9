/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strv.h"
#include "root.h"

/*
 * vfio-pci's ids= option in modprobe.d files, read as modprobe reads them: a
 * line that ends in a backslash goes on on the next one (libkmod joins them),
 * whatever their length.
 */

/* The length of the logical line at text, continuations included, without its final newline. */
size_t vb_modprobe_line_len(const char *text);

/* True for an "options vfio-pci ... ids=..." logical line (len bytes, as vb_modprobe_line_len). */
bool vb_is_vfio_ids_option(const char *line, size_t len);

/*
 * The line as modprobe reads it: continuations joined, into a new string
 * (NULL on ENOMEM).
 */
char *vb_modprobe_line_joined(const char *line, size_t len);

/*
 * Adds "/etc/modprobe.d/NAME:LINE" to where for every line of the tree's
 * etc/modprobe.d/ *.conf files that sets vfio-pci's ids=, by file name then
 * line, passing over the file named skip (NULL for none). No etc/modprobe.d
 * has none. Returns 0, -ENOMEM, or -errno when the directory or a file
 * cannot be read (unreadable names it: never a file passed over).
 */
int vb_find_ids_options(const struct vb_root *root, const char *skip, struct vb_strv *where,
			char *unreadable, size_t size);
