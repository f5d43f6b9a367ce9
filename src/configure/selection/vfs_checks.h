/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"
#include "config.h"

/*
 * configure --vfs: each vfs= line's physical function must be there, pass
 * its ID guard, have SR-IOV (sriov_totalvfs) and offer at least the count
 * asked. Says each problem on its own line. Returns 0, or -EINVAL.
 */
int vb_check_vfs(const struct cli *cli, const struct machine *m, const struct vb_config *cfg);
