// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the sysfs modalias reader. Property: what it accepts,
 * written back in the kernel's format, is what it read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "pci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_pci_fn fn = { 0 };
	char back[64];
	int n;

	if (vb_pci_modalias_parse((const char *)data, size, &fn) < 0)
		return 0;
	n = snprintf(back, sizeof(back), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		     fn.vendor, fn.device, fn.subvendor, fn.subdevice, fn.class >> 16,
		     (fn.class >> 8) & 0xff, fn.class & 0xff);
	if (n < 0 || (size_t)n > size || strncasecmp(back, (const char *)data, (size_t)n) != 0)
		abort(); /* accepted something other than it reported */
	return 0;
}
