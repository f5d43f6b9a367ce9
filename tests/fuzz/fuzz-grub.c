// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the /etc/default/grub reader and editor. Properties:
 * editing twice gives the same file as editing once, and every byte of the
 * original up to the edit is kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const flags[] = { "intel_iommu=on", "iommu=pt" };
	char *text = malloc(size + 1), *once, *twice;
	size_t len;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text); /* the configurator reads text files; a NUL ends one */
	once = vb_grub_default_add(text, len, flags, 2);
	twice = once ? vb_grub_default_add(once, strlen(once), flags, 2) : NULL;
	if (once && twice && strcmp(once, twice) != 0)
		abort(); /* a second edit changed the file */
	free(twice);
	free(once);
	free(text);
	return 0;
}
