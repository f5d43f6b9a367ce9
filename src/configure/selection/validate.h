/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "cli.h"
#include "config.h"
#include "plan.h"

/*
 * configure's check of a selection against the hardware: builds the plan the
 * binder will follow (with the host's disk and network, unless --force),
 * prints it, and refuses what cannot work, each with its fix: a selector that
 * matches nothing (unless --force), an ID that matches more than one card
 * (unless --all-matching), the host's disk or network or a device in their
 * IOMMU group or on their card (unless --force), a selector whose every match
 * is refused, an IOMMU group left split (unless --force, which says so).
 * Returns 0 to go on, -EINVAL after printing why, or -ENOMEM.
 */
int vb_validate_selection(const struct cli *cli, const struct machine *m,
			  const struct vb_config *cfg, struct vb_plan *plan);

/*
 * Where function fn stands in a plan, for messages: "not selected",
 * "selected, then refused: boot VGA", "kept for the host", "taken".
 */
const char *vb_describe_standing(const struct vb_plan *plan, size_t fn, char *buf, size_t size);
