/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "root.h"
#include "strv.h"

/*
 * Into needed, once each: the modules that the configuration conf (len
 * bytes) has the binder load (the variant of a driver= line, a preload=
 * module) and that kernel kver has as .ko files under root, by their own
 * names (an alias resolved). A module that kernel lacks or has built in is
 * not needed; nor is anything when kver is "" or not installed. Returns 0,
 * or -errno with where naming the module index that cannot be read.
 */
int vb_image_modules_needed(const struct vb_root *root, const char *conf, size_t len,
			    const char *kver, struct vb_strv *needed, char *where, size_t size);

/*
 * Adds to carried the module a file of an image is (".../NAME.ko", with or
 * without .xz, .zst or .gz; '-' read as '_', as the kernel names modules)
 * when needed holds it, once. Returns 0 or -ENOMEM.
 */
int vb_image_module_note(struct vb_strv *carried, const struct vb_strv *needed,
			 const char *path);
