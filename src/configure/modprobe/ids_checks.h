/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "checklist.h"
#include "root.h"

/*
 * vfio-pci's own ids= option (a modprobe.d file) and vfio-pci.ids= (the
 * kernel command line) take every device with the IDs, an identical host card
 * too, and defeat vfio_boot.disable=1: each is a warning.
 */
void check_ids_options(struct check_list *c, const struct vb_root *root);
