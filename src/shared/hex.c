// SPDX-License-Identifier: GPL-2.0-or-later
#include "hex.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vb_hex_parse(const char *text, size_t len, size_t min, size_t max,
		 uint32_t *value)
{
	uint32_t v = 0;
	size_t n = 0;

	while (n < len && hex_digit(text[n]) >= 0) {
		if (n == max)
			return -1;
		v = (v << 4) | (uint32_t)hex_digit(text[n]);
		n++;
	}
	if (n < min)
		return -1;
	*value = v;
	return (int)n;
}
