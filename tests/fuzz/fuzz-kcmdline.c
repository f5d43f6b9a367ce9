// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the kernel command line editor on /etc/kernel/cmdline.
 * The first byte picks the flags (and configure's own earlier flags to take
 * out). Properties: editing twice gives the same text as editing once; the
 * edited line carries every flag, as the kernel would read it
 * (vb_cmdline_has_all); taking the edit back out leaves no flag it added;
 * no intel_iommu= sub-option is lost (the same count of options other than
 * on/off); no guide's leftover (vfio-pci.ids=) stays unless the flags ask for
 * it or the journal could not hold it; the line is read without a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kcmdline.h"

static const char *const flag_sets[][3] = {
	{ "intel_iommu=on", "iommu=pt", NULL },
	{ "iommu=pt", "vfio-pci.ids=10de:2504,10de:228e", NULL },
	{ "iommu=pt", NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Options of every kernel intel_iommu= word of s that neither turn it on nor off. */
static size_t sub_options(const char *s)
{
	size_t len = strlen(s), pos = 0, n = 0;
	struct vb_cmdline_param p;

	while (vb_cmdline_next_param(s, len, &pos, &p) && !vb_cmdline_is_end(s, &p)) {
		size_t i = p.value, end = p.value + p.valuelen;

		if (!vb_cmdline_param_is(s, &p, "intel_iommu") || p.keylen != 11)
			continue;
		while (i < end) {
			size_t o = i;

			while (i < end && s[i] != ',')
				i++;
			n += i > o && strncmp(s + o, "on", 2) != 0 && strncmp(s + o, "off", 3) != 0;
			i++;
		}
	}
	return n;
}

/* True when a leftover stays that the edit could have taken out. */
static bool leftover_stays(const char *s)
{
	struct vb_strv words = { 0 };
	bool stays = false;

	vb_cmdline_leftovers(s, &words);
	for (size_t i = 0; i < words.count; i++)
		stays = stays || (!strchr(words.items[i], '\n') &&
				  strlen(words.items[i]) <= VB_EDIT_WORD_MAX);
	vb_strv_free(&words);
	return stays;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const stale[] = { "intel_iommu=on" };
	struct vb_strv add = { 0 }, remove = { (char **)stale, 1 };
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
		if (sub_options(once) != sub_options(text))
			abort(); /* an admin's intel_iommu= option lost, or one made up */
		if (data[0] % 3 != 1 && leftover_stays(once))
			abort(); /* a vfio-pci.ids= left in */
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
