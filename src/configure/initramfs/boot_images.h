/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "strv.h"
#include "root.h"

/*
 * The initramfs images and unified kernel images a tree boots from, found
 * where the generators and kernel-install write them: under /boot, /efi and
 * /boot/efi, as initrd.img-KVER (initramfs-tools, Debian's dracut),
 * initramfs-KVER.img (dracut elsewhere), initramfs-NAME.img (mkinitcpio
 * presets), ENTRY/KVER/initrd* (kernel-install's bls layout) and
 * EFI/Linux/NAME.efi (UKIs).
 */
struct vb_boot_images {
	struct vb_strv paths; /* absolute inside the tree, sorted */
	struct stat *st;      /* one per path */
	char unreadable[PATH_MAX + 2]; /* after an error: the directory or file it came from */
};

/*
 * Lists every image under root. A directory that does not exist holds none;
 * any other error reading one is an error. Returns 0 or -errno (with
 * images->unreadable).
 */
int vb_boot_images_scan(const struct vb_root *root, struct vb_boot_images *images);
void vb_boot_images_free(struct vb_boot_images *images);

/* Adds to changed each image of after that is new or rewritten since before. */
int vb_boot_images_changed(const struct vb_boot_images *before,
			   const struct vb_boot_images *after, struct vb_strv *changed);

/*
 * Adds to paths the images of the kernel kver (its version, as uname -r):
 * those whose name or directory carries kver, and mkinitcpio's
 * initramfs-NAME.img for the package NAME that lib/modules/KVER/pkgbase
 * names. Returns 0 or -errno.
 */
int vb_boot_images_of_kernel(const struct vb_root *root, const struct vb_boot_images *images,
			     const char *kver, struct vb_strv *paths);

/* The running kernel's version, from ROOT/proc/sys/kernel/osrelease. Returns 0 or -errno. */
int vb_running_kernel(const struct vb_root *root, char *kver, size_t size);
