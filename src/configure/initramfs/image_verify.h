/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot_images.h"
#include "initramfs_image.h"

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

/*
 * The one rule check and status read the running kernel's images by: each
 * image of it (boot_images.h) gets its verdict (vb_image_verdict), or, when
 * it has none, there is one VB_IMAGE_MISSING (path NULL); fn gets each with
 * its line. Only VB_IMAGE_COMPLETE is ready: a missing, unreadable (a
 * truncated file, garbage, a part that decompresses past its bound), stale
 * or incomplete image binds nothing at the next boot. Returns how many are
 * not ready, -ENODATA when the running kernel is not known (no
 * proc/sys/kernel/osrelease), or -errno when it or the boot directories
 * cannot be read, with why naming the file.
 */
int vb_running_images(const struct vb_root *root, const char *conf, size_t len,
		      void (*fn)(void *ctx, const char *path, enum vb_image_state st,
				 const char *line),
		      void *ctx, char *why, size_t size);
