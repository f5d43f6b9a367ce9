/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "checklist.h"
#include "cli.h"
#include "root.h"

/* Whose IOMMU this is, and whether the kernel command line turns it on. */
void check_cpu_and_flags(struct check_list *c, const struct vb_root *root);

/* IOMMU groups and interrupt remapping as the running kernel shows them. */
void check_iommu(struct check_list *c, const struct vb_root *root);

/* vfio-pci in every installed kernel. */
void check_modules(struct check_list *c, const struct machine *m);

/* The host's own disk and network devices: vfio-boot never takes them. */
void check_host_devices(struct check_list *c, const struct machine *m);
