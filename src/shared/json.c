// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON writer (the reader is json_parse.c). */
#include <string.h>

#include "json.h"
#include "text.h"

/* The escaped form of the character of n bytes at p, into buf; returns its length. */
static size_t escape_char(const unsigned char *p, size_t n, char *buf)
{
	if (n == 0)
		return (size_t)snprintf(buf, 7, "\\u%04x", p[0]); /* not UTF-8 */
	if (n > 1) {
		memcpy(buf, p, n);
		return n;
	}
	switch (p[0]) {
	case '"':
		return (size_t)snprintf(buf, 7, "\\\"");
	case '\\':
		return (size_t)snprintf(buf, 7, "\\\\");
	case '\n':
		return (size_t)snprintf(buf, 7, "\\n");
	case '\t':
		return (size_t)snprintf(buf, 7, "\\t");
	default:
		if (p[0] < 0x20 || p[0] == 0x7f)
			return (size_t)snprintf(buf, 7, "\\u%04x", p[0]);
		buf[0] = (char)p[0];
		return 1;
	}
}

bool vb_json_string_cut(FILE *out, const char *s, size_t max)
{
	size_t len, pos, written = 0, total = 0, reserve = 3; /* room for "..." */
	char buf[8];

	if (!s) {
		fputs("null", out);
		return false;
	}
	len = strlen(s);
	for (pos = 0; pos < len && total <= max;) {
		size_t n = vb_utf8_char_len(s + pos, len - pos);

		total += escape_char((const unsigned char *)s + pos, n, buf);
		pos += n ? n : 1;
	}
	if (total <= max)
		reserve = 0; /* all of it fits */
	fputc('"', out);
	for (pos = 0; pos < len;) {
		size_t n = vb_utf8_char_len(s + pos, len - pos);
		size_t elen = escape_char((const unsigned char *)s + pos, n, buf);

		if (written + elen + reserve > max) {
			fputs("...\"", out);
			return true;
		}
		fwrite(buf, 1, elen, out);
		written += elen;
		pos += n ? n : 1;
	}
	fputc('"', out);
	return false;
}

void vb_json_string(FILE *out, const char *s)
{
	vb_json_string_cut(out, s, (size_t)-1);
}

void vb_json_string_or_null(FILE *out, const char *s)
{
	vb_json_string(out, s && *s ? s : NULL);
}
