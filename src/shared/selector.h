/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci.h"

#define VB_SELECTOR_MAX 64 /* longest selector text accepted */

enum vb_selector_kind {
	VB_SEL_ID,         /* vendor:device */
	VB_SEL_ID_SUBSYS,  /* vendor:device:subvendor:subdevice */
	VB_SEL_ADDR,       /* [domain:]bus:slot.function */
	VB_SEL_ID_AT_ADDR, /* vendor:device@address: the address, guarded by its ID */
};

/* One parsed selector. */
struct vb_selector {
	enum vb_selector_kind kind;
	uint16_t vendor, device;       /* every kind but VB_SEL_ADDR */
	uint16_t subvendor, subdevice; /* VB_SEL_ID_SUBSYS */
	struct vb_pci_addr addr;       /* VB_SEL_ADDR, VB_SEL_ID_AT_ADDR */
	char text[VB_SELECTOR_MAX + 1]; /* as written */
};

/*
 * Parses len bytes of selector text (no surrounding blanks). Returns 0, or
 * -EINVAL with *why set to a short reason naming what is wrong.
 */
int vb_selector_parse(const char *text, size_t len, struct vb_selector *sel,
		      const char **why);

/* True when two selectors choose the same thing ("01:00.0" == "0000:01:00.0"). */
bool vb_selector_equal(const struct vb_selector *a, const struct vb_selector *b);

/*
 * True when fn is what sel names. For VB_SEL_ID_AT_ADDR only the address is
 * compared: the caller checks the ID guard to say why a device was refused.
 */
bool vb_selector_matches(const struct vb_selector *sel, const struct vb_pci_fn *fn);

/* True when fn carries the vendor:device the selector names. */
bool vb_selector_id_matches(const struct vb_selector *sel, const struct vb_pci_fn *fn);
