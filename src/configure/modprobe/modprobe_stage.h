/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"
#include "job.h"
#include "strv.h"

/*
 * An ids= option in another modprobe.d file than the one configure manages
 * (it comments those out) still makes vfio-pci take every device with the
 * IDs, even with vfio_boot.disable=1: said, not changed. Returns 0,
 * -ENOMEM, or -errno when /etc/modprobe.d or a file there cannot be read
 * (said, naming it).
 */
int modprobe_warn_other_ids(const struct cli *cli);

/*
 * /etc/modprobe.d as steps: configure's block (block) first in its own file,
 * the admin's lines kept, a guide's ids= commented out, and the block an
 * earlier version kept in vfio.conf taken out. Then, with the files as they
 * would be, every module in modules must load after vfio-pci on every
 * installed kernel: else nothing is written, unless --force. Returns 0,
 * -EINVAL after saying why, or -errno.
 */
int stage_modprobe(struct changeset_job *job, const char *block, const struct vb_strv *modules);
