/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "checklist.h"
#include "cli.h"
#include "strv.h"

/*
 * Whether `modprobe MODULE` loads vfio-pci first on every installed kernel,
 * for every module in claimants (those that claim what the selection takes)
 * and every module configure's block gives a softdep: a softdep of
 * configure's that does not take effect fails, a module without one (a
 * selection written by hand) is warned about.
 */
void check_softdeps(struct check_list *c, const struct cli *cli, const struct machine *m,
		    struct vb_strv *claimants);
