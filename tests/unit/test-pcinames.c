// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names from a pci.ids narrowed to a snapshot's IDs (pcinames.c) are the
 * names libpci gives from the whole file: for known and unknown vendors and
 * devices, for every class, and numeric where neither has a name.
 */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "pcinames.h"
#include "unit.h"

#define FN(v, d) { .vendor = v, .device = d }

int main(void)
{
	static struct vb_pci_fn fns[] = {
		FN(0x8086, 0x1901), FN(0x8086, 0x3e92), FN(0x10de, 0x2504), FN(0x10de, 0x228e),
		FN(0x1002, 0x73bf), FN(0x1002, 0x73a6), FN(0x1022, 0x15b6), FN(0x144d, 0xa80a),
		FN(0x1c5c, 0x174a), FN(0x8086, 0x1533), FN(0xdead, 0xbeef), FN(0x8086, 0xffff),
	};
	static const uint32_t classes[] = { 0x030000, 0x030200, 0x038000, 0x040300, 0x060400,
					    0x0c0330, 0x0c8000, 0x010802, 0x020000, 0x120000,
					    0xff0000, 0x0d1100, 0x060000 };
	const struct vb_snapshot snap = { fns, ARRAY_SIZE(fns) };
	struct vb_pcinames *whole = vb_pcinames_new(NULL), *narrow = vb_pcinames_new(&snap);
	char a[256], b[256];
	int named = 0;

	CHECK(whole && narrow);
	if (!whole || !narrow)
		return unit_report("pcinames");
	for (size_t i = 0; i < snap.count; i++) {
		vb_pcinames_device(whole, fns[i].vendor, fns[i].device, a, sizeof(a));
		vb_pcinames_device(narrow, fns[i].vendor, fns[i].device, b, sizeof(b));
		CHECK_STR(b, a);
		named += strncmp(a, "Device ", 7) != 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		vb_pcinames_class(whole, classes[i], a, sizeof(a));
		vb_pcinames_class(narrow, classes[i], b, sizeof(b));
		CHECK_STR(b, a);
	}
	/* With pci.ids installed (a build dependency), most of these have names. */
	printf("pcinames: %d of %zu devices named\n", named, snap.count);
	vb_pcinames_free(whole);
	vb_pcinames_free(narrow);
	return unit_report("pcinames");
}
