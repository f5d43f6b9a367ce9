// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the kernel command line editor on /etc/kernel/cmdline.
 * The first byte picks the flags. Properties: editing twice gives the same
 * text as editing once; the edited line carries every flag, as the kernel
 * would read it (vb_cmdline_has_all); the line is read without a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"

static const char *const flag_sets[][3] = {
	{ "intel_iommu=on", "iommu=pt", NULL },
	{ "amd_iommu=on", "iommu=pt", "vfio-pci.ids=10de:2504,10de:228e" },
	{ "iommu=pt", NULL, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *flags;
	size_t nflags = 0;
	char *once, *twice, *text;

	if (size == 0)
		return 0;
	flags = flag_sets[data[0] % 3];
	while (nflags < 3 && flags[nflags])
		nflags++;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	vb_cmdline_has_all(text, flags, nflags);
	once = vb_kernel_cmdline_add(text, strlen(text), flags, nflags);
	twice = once ? vb_kernel_cmdline_add(once, strlen(once), flags, nflags) : NULL;
	if (once && twice && strcmp(once, twice) != 0)
		abort(); /* a second edit changed the line */
	if (once && !vb_cmdline_has_all(once, flags, nflags))
		abort(); /* a flag the kernel would not see */
	free(twice);
	free(once);
	free(text);
	return 0;
}
