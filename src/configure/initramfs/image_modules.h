/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "root.h"
#include "strv.h"

/*
 * Adds to modules, once each, the name of the kernel module a file of an
 * image is when it is one (".../NAME.ko" with or without .xz, .zst or .gz),
 * with '-' as '_', as the kernel names modules. Returns 0 or -ENOMEM.
 */
int vb_image_module_note(struct vb_strv *modules, const char *path);

/*
 * Adds to lacking one line for each module the configuration conf (len
 * bytes) has the binder load (the variant of a driver= line, a preload=
 * module) that kernel kver has as a .ko file under root and that carried
 * (vb_image_module_note's names) lacks: without it the binder cannot load
 * it at boot. A module that kernel lacks or has built in is not asked for.
 * Returns 0, or -errno when the kernel's module index cannot be read.
 */
int vb_image_modules_lacking(const struct vb_root *root, const char *conf, size_t len,
			     const char *kver, const struct vb_strv *carried,
			     struct vb_strv *lacking);
