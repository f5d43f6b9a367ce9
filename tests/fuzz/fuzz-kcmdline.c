// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the kernel command line editor on /etc/kernel/cmdline.
 * The first byte picks the flags (and configure's own earlier flags to take
 * out). Properties: editing twice gives the same text as editing once; the
 * edited line carries every flag, as the kernel would read it
 * (vb_cmdline_has_all); taking the edit back out leaves no flag it added;
 * the line is read without a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"

static const char *const flag_sets[][3] = {
	{ "intel_iommu=on", "iommu=pt", NULL },
	{ "iommu=pt", "vfio-pci.ids=10de:2504,10de:228e", NULL },
	{ "iommu=pt", NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const stale[] = { "intel_iommu=on" };
	struct vb_msgs add = { 0 }, remove = { (char **)stale, 1 };
	struct vb_edit once_rec = { 0 }, twice_rec = { 0 };
	char *once = NULL, *twice = NULL, *back = NULL, *text;
	size_t len, olen = 0, tlen = 0, blen = 0;
	const char *const *flags;

	if (size == 0)
		return 0;
	flags = flag_sets[data[0] % 3];
	while (add.count < 3 && flags[add.count])
		add.count++;
	add.items = (char **)flags;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	len = strlen(text);
	vb_cmdline_has_all(text, flags, add.count);
	if (vb_kernel_cmdline_edit(text, len, &add, data[0] & 4 ? &remove : NULL, &once_rec, &once,
				   &olen) == 0 &&
	    vb_kernel_cmdline_edit(once, olen, &add, data[0] & 4 ? &remove : NULL, &twice_rec,
				   &twice, &tlen) == 0) {
		if (tlen != olen || memcmp(once, twice, olen) != 0)
			abort(); /* a second edit changed the line */
		if (!vb_cmdline_has_all(once, flags, add.count))
			abort(); /* a flag the kernel would not see */
		if (vb_kernel_cmdline_undo(once, olen, &once_rec, &back, &blen) == 0)
			for (size_t i = 0; i < once_rec.added.count; i++) {
				const char *f = once_rec.added.items[i];

				if (vb_cmdline_has_all(back, &f, 1))
					abort(); /* a flag it added is still there */
			}
	}
	free(back);
	free(twice);
	free(once);
	free(text);
	vb_edit_free(&once_rec);
	vb_edit_free(&twice_rec);
	return 0;
}
