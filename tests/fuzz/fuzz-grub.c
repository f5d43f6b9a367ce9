// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the /etc/default/grub reader and editor. Properties: a
 * file it edits, it edits to the same bytes a second time; the bytes before
 * the first change are kept; what it refuses, it names a line of; the edit
 * taken back out of the file it made reads again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const flags[] = { "intel_iommu=on", "iommu=pt" };
	struct vb_strv add = { (char **)flags, 2 };
	struct vb_edit once_rec = { 0 }, twice_rec = { 0 };
	struct vb_cmdline_problem p;
	char *text = malloc(size + 1), *once = NULL, *twice = NULL, *back = NULL;
	size_t len, olen = 0, tlen = 0, blen = 0;
	int err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text); /* the configurator reads text files; a NUL ends one */
	err = vb_grub_edit(text, len, &add, NULL, &once_rec, &once, &olen, &p);
	if (err == -22 && (p.line == 0 || !p.what[0]))
		abort(); /* refused without saying where or why */
	if (err == 0) {
		size_t same = 0;

		while (same < len && same < olen && text[same] == once[same])
			same++;
		if (vb_grub_edit(once, olen, &add, NULL, &twice_rec, &twice, &tlen, &p) != 0 ||
		    tlen != olen || memcmp(once, twice, olen) != 0)
			abort(); /* a second edit changed the file, or refused it */
		if (vb_grub_undo(once, olen, &once_rec, &back, &blen, &p) != 0)
			abort(); /* its own edit cannot be found again */
	}
	free(back);
	free(twice);
	free(once);
	free(text);
	vb_edit_free(&once_rec);
	vb_edit_free(&twice_rec);
	return 0;
}
