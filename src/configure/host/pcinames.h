/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pci.h"

/* Names from pci.ids through libpci, as lspci shows them. */
struct vb_pcinames;

/*
 * Returns a name lookup context, or NULL when libpci cannot be set up. With
 * only, names are read for its functions' IDs (and every class) alone: far
 * quicker, and the same names for them; other IDs are then left unnamed.
 */
struct vb_pcinames *vb_pcinames_new(const struct vb_snapshot *only);
void vb_pcinames_free(struct vb_pcinames *names);

/* "NVIDIA Corporation GA106 [GeForce RTX 3060]"; numeric when unknown. */
const char *vb_pcinames_device(struct vb_pcinames *names, uint16_t vendor, uint16_t device,
			       char *buf, size_t size);

/* "VGA compatible controller" for a 24-bit class code; numeric when unknown. */
const char *vb_pcinames_class(struct vb_pcinames *names, uint32_t class, char *buf,
			      size_t size);
