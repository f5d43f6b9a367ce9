/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "json.h"
#include "variants.h"

/*
 * The result of `vfio-boot list`: every PCI function of the machine, in the
 * order shown (by IOMMU group, then by address), with its claiming modules
 * and the host's uses of it. The command fills it; these render it.
 */
struct list_result {
	const struct machine *m; /* functions, claimants, names, the host's devices */
	const size_t *order;     /* m->snap.count indexes into m->snap.fns */
	bool iommu;              /* the machine has IOMMU groups */
	enum vb_cpu_vendor vendor; /* whose IOMMU, for the advice when it is off */
	const struct vb_variant *variants; /* per function of m->snap: the vfio-pci variant
					      the installed kernels have for it */
};

/* As text: the IOMMU state, the host's notes, then each function under its group. */
void list_result_text(FILE *out, const struct list_result *r);

/* As the members of list's --json answer: "iommu", "devices". */
void list_result_json(struct vb_json *w, const struct list_result *r);
