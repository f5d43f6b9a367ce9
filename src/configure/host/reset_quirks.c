// SPDX-License-Identifier: GPL-2.0-or-later
/* The AMD GPUs known for the reset bug (reset_quirks.h). */
#include <stddef.h>

#include "macro.h"
#include "reset_quirks.h"

/* Device ID ranges of vendor 1002 by family (the kernel's amdgpu ID table groups them so). */
static const struct {
	unsigned first, last;
	const char *family;
} reset_bug[] = {
	{ 0x67c0, 0x67df, "Polaris 10" },
	{ 0x67e0, 0x67ff, "Polaris 11" },
	{ 0x6980, 0x699f, "Polaris 12" },
	{ 0x6860, 0x687f, "Vega 10" },
	{ 0x66a0, 0x66af, "Vega 20" },
	{ 0x7310, 0x731f, "Navi 10" },
	{ 0x7340, 0x734f, "Navi 14" },
	{ 0x7360, 0x736f, "Navi 12" },
};

const char *vb_amd_reset_bug_family(unsigned vendor, unsigned device)
{
	if (vendor != 0x1002)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(reset_bug); i++)
		if (device >= reset_bug[i].first && device <= reset_bug[i].last)
			return reset_bug[i].family;
	return NULL;
}
