/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strv.h"
#include "root.h"

/*
 * What is inside an initramfs image: does it carry the binder, the piece of
 * its generator that runs it before udev's coldplug, and the configuration.
 * Images are read whole: an uncompressed early cpio (microcode) or not, then
 * a part compressed with gzip, zstd, xz, lzma, lz4, bzip2 or lzo (undone by
 * that tool on the host), inside a unified kernel image (its .initrd
 * section) or on its own.
 */

/* Where the image pieces are, inside an image. */
#define VB_IMAGE_BINDER "/usr/sbin/vfio-boot-bind"
#define VB_IMAGE_CONF "/etc/vfio-boot.conf"
#define VB_ITOOLS_SCRIPT "00vfio-boot" /* scripts/init-top/ */
#define VB_DRACUT_HOOK "vfio-boot-pre-udev.sh" /* hooks/pre-udev/NN- */
#define VB_INITCPIO_HOOK "vfio-boot"   /* hooks/ and EARLYHOOKS */
#define VB_INITCPIO_UNIT "vfio-boot.service"

enum vb_image_generator {
	VB_IMAGE_UNKNOWN,
	VB_IMAGE_INITRAMFS_TOOLS,
	VB_IMAGE_DRACUT,
	VB_IMAGE_MKINITCPIO,         /* busybox init, runtime hooks */
	VB_IMAGE_MKINITCPIO_SYSTEMD, /* the systemd hook: units */
};

enum vb_image_conf {
	VB_IMAGE_CONF_ABSENT,
	VB_IMAGE_CONF_SAME,      /* byte for byte the expected one */
	VB_IMAGE_CONF_DIFFERENT, /* another one: the image is older than the configuration */
};

struct vb_image_report {
	enum vb_image_generator generator;
	bool binder;              /* VB_IMAGE_BINDER, an executable file */
	bool hook;                /* the generator's piece that runs the binder */
	char hook_path[128];      /* what was looked for, for messages */
	enum vb_image_conf conf;
	char kver[128];           /* the kernel of its modules (lib/modules/KVER), or "" */
	struct vb_strv lacking;   /* modules the configuration loads that it lacks */
};

/* "initramfs-tools", "dracut", "mkinitcpio", "mkinitcpio (systemd)" or "unknown". */
const char *vb_image_generator_name(enum vb_image_generator g);

/*
 * Reads the image at path (inside root) and compares its configuration
 * with expected_conf (len bytes). Returns 0, or -errno with a one-line
 * reason in why (a tool that is missing, a malformed archive...).
 */
int vb_image_inspect(const struct vb_root *root, const char *path, const char *expected_conf,
		     size_t len, struct vb_image_report *report, char *why, size_t why_size);
void vb_image_report_free(struct vb_image_report *report);

/*
 * Adds to missing one line for each thing the image lacks: the binder, the
 * hook that runs it, an /etc/vfio-boot.conf identical to expected_conf, or
 * a module that configuration has the binder load (image_modules.h).
 * Returns 0 (missing empty: the image is complete), or -errno when the image
 * cannot be read, with the reason as the one line in missing.
 */
int vb_image_check(const struct vb_root *root, const char *path, const char *expected_conf,
		   size_t len, struct vb_strv *missing);

enum vb_image_state {
	VB_IMAGE_COMPLETE,   /* binder, hook, the configuration as expected, its modules */
	VB_IMAGE_STALE,      /* binder and hook, but an older configuration or none */
	VB_IMAGE_INCOMPLETE, /* no binder, no hook, or a module the configuration loads */
	VB_IMAGE_UNREADABLE,
	VB_IMAGE_MISSING,    /* the running kernel has no image at all (image_verify.h) */
};

/*
 * Reads the image and sums it up in one line (into line): what it lacks,
 * "the image predates the configuration: run vfio-boot configure again",
 * or why it cannot be read.
 */
enum vb_image_state vb_image_verdict(const struct vb_root *root, const char *path,
				     const char *expected_conf, size_t len, char *line,
				     size_t size);
