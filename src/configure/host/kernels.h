/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "strv.h"
#include "root.h"

/*
 * The kernels installed in the tree: the names of the directories of
 * lib/modules that hold a modules.dep, sorted, into kernels. Returns 0 (none
 * when there is no lib/modules), -ENOMEM, or -errno with where naming what
 * could not be read ("/lib/modules/KVER/modules.dep").
 */
int vb_kernels_list(const struct vb_root *root, struct vb_strv *kernels, char *where,
		    size_t size);
