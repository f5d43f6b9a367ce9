/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "checklist.h"
#include <stdbool.h>

#include "cli.h"
#include "strv.h"

/*
 * The saved selection against the machine: its problems, what each selector
 * and each selected or companion function comes to, and every IOMMU group
 * taken (viable, or split, naming what stays). Adds to claimants the modules
 * that claim what it takes (a module that cannot be kept is lost). Returns
 * true when there is a selection (/etc/vfio-boot.conf exists).
 */
bool check_selection(struct check_list *c, const struct cli *cli, const struct machine *m,
		     struct vb_strv *claimants);
