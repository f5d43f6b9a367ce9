/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Parses between min and max hex digits at *text (within len bytes), stopping
 * at the first non-hex byte. Returns the count of digits used, or -1 when it is
 * fewer than min or more than max.
 */
int vb_hex_parse(const char *text, size_t len, size_t min, size_t max,
		 uint32_t *value);
