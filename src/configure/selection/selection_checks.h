/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "checklist.h"
#include "cli.h"

/*
 * The saved selection against the machine: its problems, what each selector
 * and each selected or companion function comes to, and every IOMMU group
 * taken (viable, or split, naming what stays).
 */
void check_selection(struct check_list *c, const struct cli *cli, const struct machine *m);
