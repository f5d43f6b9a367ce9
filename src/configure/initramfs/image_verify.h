/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot_images.h"

/*
 * configure's proof that regenerating worked: the images the generator
 * rebuilt are read back and must carry the binder, its hook and the
 * configuration just written.
 */

/* Before the generator runs: the images there are now. Returns 0 or -errno. */
int vb_verify_images_before(const struct vb_root *root, struct vb_boot_images *before);

/*
 * After it ran: reads every image that is new or rewritten since before and
 * prints one line for each ("checked: ..." or, on stderr, what it lacks).
 * Returns 0 when every one is complete (or none was rebuilt: a note says
 * so), -EBADMSG when one is not or cannot be read, or -errno.
 */
int vb_verify_images_after(const struct vb_root *root, const struct vb_boot_images *before,
			   const char *conf, size_t len);

/*
 * True when an image of the running kernel does not carry what conf needs
 * (it predates the configuration, or lacks the binder or its hook): then
 * configure regenerates even when no file changes.
 */
bool vb_verify_images_outdated(const struct vb_root *root, const char *conf, size_t len);
