/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bootloader.h"
#include "cli.h"
#include "job.h"
#include "strv.h"

/* The kernel command line flags configure wants, and the bootloader that takes them. */
struct boot_flags {
	enum vb_bootloader bl;
	bool bl_explicit;     /* --bootloader */
	struct vb_strv flags; /* intel_iommu=on where needed, iommu=pt */
	char *joined;         /* the same, one line */
};

/*
 * The flags for m: intel_iommu=on where the installed kernels need it
 * (AMD's IOMMU is on by default), iommu=pt; never vfio-pci.ids=; and, when
 * plan (NULL: none) takes a function a firmware framebuffer sits on, the
 * flag that keeps the kernel off it for the installed kernels
 * (initcall_blacklist=sysfb_init where they have sysfb, video=efifb:off
 * before it, both for a mix), said in a note. Returns 0,
 * -EINVAL after saying why (whose IOMMU this is cannot be told), -ENOMEM, or
 * the -errno of a file that could not be read (said: hostinfo.h).
 */
struct vb_plan;
int boot_flags_compute(const struct cli *cli, const struct machine *m, const struct vb_plan *plan,
		       struct boot_flags *want);
void boot_flags_free(struct boot_flags *want);

/*
 * The steps that put the flags where want->bl reads them: its file, edited
 * where the setting takes effect, or its commands for what is absent; a
 * guide's vfio-pci.ids= is taken out there (kcmdline.h, bootargs.h) and
 * warned of, or, with no bootloader, only warned of (leftovers.h).
 * Returns 0, -EINVAL after saying why, or -errno.
 */
int boot_stage(struct changeset_job *job, const struct boot_flags *want);
