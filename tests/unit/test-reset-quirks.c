// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reset-bug table (reset_quirks.c) answers by exact device ID, as
 * vendor-reset takes cards: each family's listed IDs, none of their
 * unlisted neighbours, no other vendor.
 */
#include "macro.h"
#include "reset_quirks.h"
#include "unit.h"

static const char *family(unsigned device)
{
	return vb_amd_reset_bug_family(0x1002, device);
}

int main(void)
{
	static const struct {
		unsigned device;
		const char *family;
	} known[] = {
		{ 0x66a0, "Vega 20" },    { 0x66af, "Vega 20" },    { 0x67c0, "Polaris 10" },
		{ 0x67df, "Polaris 10" }, { 0x6fdf, "Polaris 10" }, { 0x67e0, "Polaris 11" },
		{ 0x67ff, "Polaris 11" }, { 0x6980, "Polaris 12" }, { 0x699f, "Polaris 12" },
		{ 0x6860, "Vega 10" },    { 0x687f, "Vega 10" },    { 0x7310, "Navi 10" },
		{ 0x731f, "Navi 10" },    { 0x7340, "Navi 14" },    { 0x734f, "Navi 14" },
		{ 0x7360, "Navi 12" },    { 0x7362, "Navi 12" },
		{ 0x738c, "Arcturus (Instinct MI100)" },
	};
	/* Unlisted IDs inside the families' ranges, and cards without the bug
	 * (Navi 21 73bf, Navi 22 73df, Navi 31 744c). */
	static const unsigned unknown[] = { 0x0000, 0x66a5, 0x67c3, 0x67d1, 0x67e2, 0x6982,
					    0x6865, 0x7311, 0x7342, 0x7361, 0x73bf, 0x73df,
					    0x744c, 0xffff };
	int listed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		CHECK_STR(family(known[i].device), known[i].family);
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
		CHECK(family(unknown[i]) == NULL);
	CHECK(vb_amd_reset_bug_family(0x10de, 0x67df) == NULL);
	CHECK(vb_amd_reset_bug_family(0x1022, 0x7310) == NULL);
	/* Every listed ID is found: the lookup's order holds for the whole table. */
	for (unsigned d = 0; d <= 0xffff; d++)
		listed += family(d) != NULL;
	CHECK(listed == 67);
	return unit_report("reset-quirks");
}
