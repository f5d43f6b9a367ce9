// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON writer (the reader is json_parse.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "text.h"

static void put(struct vb_json *w, const char *s, size_t n)
{
	fwrite(s, 1, n, w->out);
	w->written += n;
}

static bool misuse(struct vb_json *w)
{
	if (!w->err)
		w->err = -EINVAL;
	return false;
}

/* A line break and the indentation of level depth. */
static void new_line(struct vb_json *w, unsigned depth)
{
	static const char spaces[] = "\n                ";

	put(w, spaces, 1);
	for (size_t left = 2 * (size_t)depth, n; left; left -= n) {
		n = left < sizeof(spaces) - 2 ? left : sizeof(spaces) - 2;
		put(w, spaces + 1, n);
	}
}

/*
 * Writes what goes before a key (key true) or a value here: the comma and
 * the layout. Returns false, writing nothing, when none may go here.
 */
static bool place(struct vb_json *w, bool key)
{
	struct vb_json_open *c = &w->open[w->depth ? w->depth - 1 : 0];

	if (w->err)
		return false;
	if (w->depth == 0)
		return w->done || key ? misuse(w) : true;
	if (w->keyed) {
		w->keyed = false;
		return key ? misuse(w) : true;
	}
	if (c->object != key)
		return misuse(w); /* a key outside an object, a value without its key */
	if (c->count)
		put(w, ",", 1);
	if (c->lines)
		new_line(w, w->depth);
	else if (c->count)
		put(w, " ", 1);
	c->count++;
	return true;
}

/* A scalar was written: at the top it is the whole document. */
static void placed(struct vb_json *w)
{
	if (w->depth == 0)
		w->done = true;
}

void vb_json_init(struct vb_json *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

int vb_json_finish(struct vb_json *w)
{
	if (!w->err && (!w->done || w->depth))
		w->err = -EINVAL;
	if ((fflush(w->out) != 0 || ferror(w->out)) && !w->err)
		w->err = -EIO;
	return w->err;
}

static void begin(struct vb_json *w, bool object, enum vb_json_layout layout)
{
	if (!place(w, false))
		return;
	if (w->depth == VB_JSON_DEPTH_MAX) {
		misuse(w);
		return;
	}
	w->open[w->depth++] = (struct vb_json_open){ object, layout == VB_JSON_LINES, 0 };
	put(w, object ? "{" : "[", 1);
}

static void end(struct vb_json *w, bool object)
{
	const struct vb_json_open *c = &w->open[w->depth ? w->depth - 1 : 0];

	if (w->err)
		return;
	if (w->depth == 0 || c->object != object || w->keyed) {
		misuse(w);
		return;
	}
	if (c->lines && c->count)
		new_line(w, w->depth - 1);
	put(w, object ? "}" : "]", 1);
	if (--w->depth == 0) {
		put(w, "\n", 1);
		w->done = true;
	}
}

void vb_json_begin_object(struct vb_json *w, enum vb_json_layout layout)
{
	begin(w, true, layout);
}

void vb_json_end_object(struct vb_json *w)
{
	end(w, true);
}

void vb_json_begin_array(struct vb_json *w, enum vb_json_layout layout)
{
	begin(w, false, layout);
}

void vb_json_end_array(struct vb_json *w)
{
	end(w, false);
}

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

/* s as a string literal of at most max bytes between its quotes, or null. */
static bool quote(struct vb_json *w, const char *s, size_t max)
{
	size_t len, pos, written = 0, total = 0, reserve = 3; /* room for "..." */
	char buf[8];

	if (!s) {
		put(w, "null", 4);
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
	put(w, "\"", 1);
	for (pos = 0; pos < len;) {
		size_t n = vb_utf8_char_len(s + pos, len - pos);
		size_t elen = escape_char((const unsigned char *)s + pos, n, buf);

		if (written + elen + reserve > max) {
			put(w, "...\"", 4);
			return true;
		}
		put(w, buf, elen);
		written += elen;
		pos += n ? n : 1;
	}
	put(w, "\"", 1);
	return false;
}

void vb_json_key(struct vb_json *w, const char *key)
{
	if (!key) {
		misuse(w);
		return;
	}
	if (!place(w, true))
		return;
	quote(w, key, (size_t)-1);
	put(w, ": ", 2);
	w->keyed = true;
}

bool vb_json_string_cut(struct vb_json *w, const char *s, size_t max)
{
	bool cut;

	if (!place(w, false))
		return false;
	cut = quote(w, s, max);
	placed(w);
	return cut;
}

void vb_json_string(struct vb_json *w, const char *s)
{
	vb_json_string_cut(w, s, (size_t)-1);
}

void vb_json_string_or_null(struct vb_json *w, const char *s)
{
	vb_json_string(w, s && *s ? s : NULL);
}

void vb_json_stringf(struct vb_json *w, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (!w->err)
			w->err = -ENOMEM;
		return;
	}
	vb_json_string(w, s);
	free(s);
}

/* A literal value: a number, true, false or null. */
static void literal(struct vb_json *w, const char *text)
{
	if (!place(w, false))
		return;
	put(w, text, strlen(text));
	placed(w);
}

void vb_json_number(struct vb_json *w, long long n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", n);
	literal(w, buf);
}

/* The digits at *p; false when there is none. */
static bool digits(const char **p)
{
	const char *start = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > start;
}

void vb_json_number_text(struct vb_json *w, const char *text)
{
	const char *p = text ? text : "";

	p += *p == '-';
	if (*p == '0')
		p++;
	else if (!digits(&p))
		p = "x";
	if (*p == '.' && (p++, !digits(&p)))
		p = "x";
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '+' || *p == '-';
		if (!digits(&p))
			p = "x";
	}
	if (*p) {
		misuse(w);
		return;
	}
	literal(w, text);
}

void vb_json_bool(struct vb_json *w, bool b)
{
	literal(w, b ? "true" : "false");
}

void vb_json_null(struct vb_json *w)
{
	literal(w, "null");
}

void vb_json_field_string(struct vb_json *w, const char *key, const char *s)
{
	vb_json_key(w, key);
	vb_json_string(w, s);
}

void vb_json_field_number(struct vb_json *w, const char *key, long long n)
{
	vb_json_key(w, key);
	vb_json_number(w, n);
}

void vb_json_field_bool(struct vb_json *w, const char *key, bool b)
{
	vb_json_key(w, key);
	vb_json_bool(w, b);
}

void vb_json_field_hex(struct vb_json *w, const char *key, unsigned value, int digits)
{
	char hex[16];

	snprintf(hex, sizeof(hex), "%0*x", digits, value);
	vb_json_field_string(w, key, hex);
}
