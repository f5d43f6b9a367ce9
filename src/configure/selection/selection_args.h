/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"
#include "config.h"

/*
 * configure's operands and --companions, --boot-vga into cfg (initialised
 * here): prints each problem on its own line. Returns 0, -EINVAL after
 * printing why, or -ENOMEM.
 */
int selection_from_args(const struct cli *cli, struct vb_config *cfg);
