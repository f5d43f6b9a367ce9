/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "checklist.h"
#include "root.h"

/* The generator, vfio-boot's files for it, and the running kernel's images. */
void check_boot_path(struct check_list *c, const struct vb_root *root);
