/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "cli.h"
#include "job.h"

/*
 * An ids= option in another modprobe.d file than the one configure manages
 * (it comments those out) still makes vfio-pci take every device with the
 * IDs, even with vfio_boot.disable=1: said, not changed. Returns 0,
 * -ENOMEM, or -errno when /etc/modprobe.d or a file there cannot be read
 * (said, naming it).
 */
int modprobe_warn_other_ids(const struct cli *cli);

/*
 * /etc/modprobe.d/vfio.conf as a step: the admin's lines kept (a guide's ids=
 * commented out), configure's block set to block. Returns 0, -EINVAL after
 * saying why, or -errno.
 */
int stage_modprobe(struct changeset_job *job, const char *block);
