/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * configure's lines in a file it shares with the admin (/etc/modprobe.d/vfio.conf):
 * one block between two marker lines. Every line outside the block is the
 * admin's and is kept as it is; the block is replaced whole. (modprobe.d
 * allows no comment at the end of a line, hence markers on lines of their own.)
 */
#define VB_BLOCK_BEGIN "# BEGIN vfio-boot: lines down to END are vfio-boot configure's own"
#define VB_BLOCK_END "# END vfio-boot"

/*
 * text with its block's lines replaced by body (whole lines), or with a block
 * added at the end when it has none; an empty body takes the block out,
 * markers and all. Returns 0 and a new text in *out (*outlen bytes), -EINVAL
 * when the markers are not one BEGIN followed by one END, or -ENOMEM.
 */
int vb_ownblock_set(const char *text, size_t len, const char *body, char **out, size_t *outlen);

/* Like vb_ownblock_set, but a block added goes first, before every line of text. */
int vb_ownblock_set_first(const char *text, size_t len, const char *body, char **out,
			  size_t *outlen);

/*
 * The lines of text's block in a new string (empty when it has none).
 * Returns 0, -EINVAL for markers out of order, or -ENOMEM.
 */
int vb_ownblock_get(const char *text, size_t len, char **body);
