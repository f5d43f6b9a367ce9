/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "root.h"
#include "strv.h"

/*
 * Into needed, once each: the modules an image of kernel kver must carry for
 * the configuration conf (len bytes), where that kernel has them as .ko
 * files under root, by their own names (an alias resolved): vfio_pci, which
 * the binder always loads, the modules the configuration has it load (the
 * variant of a driver= line, a preload= module), and every module each of
 * them depends on (modules.dep). why gets, at the same index, why each is
 * needed ("named in /etc/vfio-boot.conf", "vfio_pci needs it"). A module that
 * kernel lacks or has built in is not needed; nor is anything when kver is ""
 * or not installed. Returns 0, or -errno with where naming the module index
 * that cannot be read.
 */
int vb_image_modules_needed(const struct vb_root *root, const char *conf, size_t len,
			    const char *kver, struct vb_strv *needed, struct vb_strv *why,
			    char *where, size_t size);

/*
 * Adds to carried the module a file of an image is (".../NAME.ko", with or
 * without .xz, .zst or .gz; '-' read as '_', as the kernel names modules)
 * when needed holds it, once. Returns 0 or -ENOMEM.
 */
int vb_image_module_note(struct vb_strv *carried, const struct vb_strv *needed,
			 const char *path);
