/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "device_rules.h"
#include "kmodinfo.h"
#include "strv.h"

/* The vfio-pci variant driver the installed kernels have for one function. */
struct vb_variant {
	char module[VB_MODULE_NAME_MAX]; /* "" when no kernel has one */
	struct vb_strv kernels;          /* the kernels whose aliases name it */
	struct vb_strv others;           /* other variant modules that also match, if any */
};

/*
 * Looks the function with this modalias ("pci:v...d...sv...sd...bc..sc..i..")
 * up as a variant driver's: the vfio_pci: alias that PCI_DRIVER_OVERRIDE_DEVICE_VFIO
 * entries give modules.alias (do_pci_entry() in scripts/mod/file2alias.c
 * writes "vfio_pci:" instead of "pci:" for them, with the same fields), in
 * every installed kernel; vfio_pci's own catch-all alias is not one. The
 * first module found is the variant; one where another matches too is said
 * in others. Returns 0 (v->module "" when
 * none), or -errno when an index cannot be read.
 */
int vb_variant_find(const struct vb_kmod *km, const char *modalias, struct vb_variant *v);

void vb_variant_free(struct vb_variant *v);
