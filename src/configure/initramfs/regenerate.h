/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "boot_images.h"
#include "bootloader.h"
#include "generator.h"
#include "job.h"

/*
 * The regenerations a changeset that changes anything (or, with force, any
 * changeset) ends with: the refresh of each bootloader in bls (count of
 * them) whose file it changes, the initramfs (unless --no-regenerate), then
 * what boots is made again from them (kernel-install, proxmox-boot-tool,
 * sbctl: boot_refresh.h). Returns 0 or -errno.
 */
int stage_regeneration(struct changeset_job *job, const enum vb_bootloader *bls, size_t count,
		       bool force);

/*
 * configure needs a generator with a hook that runs before coldplug: refuses
 * (after saying why) none and booster. Returns 0, -ENOTSUP or -ENOENT.
 */
int generator_refuse(enum vb_generator g);

/*
 * mkinitcpio's drop-in, which adds the hook, as a step; warns about presets
 * that make mkinitcpio skip it. Returns 0 or -errno.
 */
int stage_mkinitcpio_dropin(struct changeset_job *job);

/* What the images rebuilt must carry: checked after they are, as a step of the change. */
struct image_check {
	const struct vb_root *root;
	struct vb_boot_images before; /* the images there were before */
	const char *conf;             /* the /etc/vfio-boot.conf written */
};

/*
 * The read-back of the images the changeset rebuilds, as its last step: each
 * must carry the binder, its hook and conf. check lives as long as the
 * changeset. Returns 0 or -errno.
 */
int stage_image_check(struct changeset_job *job, struct image_check *check, const char *conf);
