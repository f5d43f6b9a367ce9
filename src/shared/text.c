// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

size_t vb_utf8_char_len(const char *s, size_t avail)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
	size_t len;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0; /* continuation byte, overlong lead, beyond U+10FFFF */
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f; /* UTF-16 surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (avail < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

size_t vb_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t pos = 0;

	if (len <= max)
		return len;
	while (pos < max) {
		size_t n = vb_utf8_char_len(s + pos, len - pos);

		if (n == 0)
			n = 1; /* a stray byte is a unit of its own */
		if (pos + n > max)
			break;
		pos += n;
	}
	return pos;
}

size_t vb_utf8_complete(const char *s, size_t len)
{
	/* A character is at most 4 bytes: its lead is among the last 3 if cut. */
	for (size_t back = 1; back <= 3 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];

		if (c < 0x80)
			return len; /* ASCII: nothing open */
		if (c >= 0xc0) {
			size_t want = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

			return want > back ? len - back : len;
		}
	}
	return len;
}

size_t vb_text_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (size == 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	if ((size_t)n < size)
		return (size_t)n;
	n = (int)vb_utf8_complete(buf, size - 1);
	buf[n] = '\0';
	return (size_t)n;
}

/* True for the code points of the C0 and C1 control sets and DEL. */
static bool is_control(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	if (n == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/* Bytes of the printable form of the piece at s (n: its vb_utf8_char_len); *units: bytes read. */
static size_t piece(const char *s, size_t n, size_t *units)
{
	bool escape = n == 0 || is_control(s, n);

	*units = n ? n : 1;
	return escape ? 4 * *units : n;
}

bool vb_text_printable(char *buf, size_t size, const char *s)
{
	size_t len = strlen(s), in = 0, out = 0, total = 0, units;
	size_t reserve = size > 4 ? 3 : 0; /* room for "..." */

	if (size == 0)
		return len > 0;
	for (size_t i = 0; i < len; i += units)
		total += piece(s + i, vb_utf8_char_len(s + i, len - i), &units);
	if (total < size)
		reserve = 0; /* all of it fits */
	while (in < len) {
		size_t n = vb_utf8_char_len(s + in, len - in);
		size_t need = piece(s + in, n, &units);

		if (out + need + reserve >= size) {
			if (reserve) {
				memcpy(buf + out, "...", 3);
				out += 3;
			}
			buf[out] = '\0';
			return true;
		}
		if (need == n) {
			memcpy(buf + out, s + in, n);
		} else {
			for (size_t i = 0; i < units; i++)
				snprintf(buf + out + 4 * i, 5, "\\x%02x", (unsigned char)s[in + i]);
		}
		in += units;
		out += need;
	}
	buf[out] = '\0';
	return false;
}
