// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON reader: a recursive descent over RFC 8259, into a small tree. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "text.h"

struct parser {
	const char *s;
	size_t len, pos;
	const char *why; /* set with the first error */
	size_t why_at;
};

static int fail(struct parser *p, const char *why)
{
	if (!p->why) {
		p->why = why;
		p->why_at = p->pos;
	}
	return -EINVAL;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\n\r", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static bool take(struct parser *p, char c)
{
	skip_space(p);
	if (p->pos < p->len && p->s[p->pos] == c) {
		p->pos++;
		return true;
	}
	return false;
}

static bool take_word(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static int hex4(struct parser *p, uint32_t *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++, p->pos++) {
		char c = p->pos < p->len ? p->s[p->pos] : '\0';
		int digit = c >= '0' && c <= '9' ? c - '0' :
			    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (digit < 0)
			return fail(p, "bad \\u escape");
		*out = *out << 4 | (uint32_t)digit;
	}
	return 0;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The code point of a \u escape (p->pos after the 'u'), pairs of surrogates joined. */
static int unicode_escape(struct parser *p, uint32_t *cp)
{
	uint32_t low;

	if (hex4(p, cp) < 0)
		return -EINVAL;
	if (*cp == 0)
		return fail(p, "\\u0000 in a string");
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return fail(p, "lone low surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (!take_word(p, "\\u") || hex4(p, &low) < 0 || low < 0xdc00 || low > 0xdfff)
		return fail(p, "lone high surrogate");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
	return 0;
}

/* A string (p->pos at its opening quote), decoded into a new buffer. */
static int parse_string(struct parser *p, char **text, size_t *len)
{
	size_t start = ++p->pos, n = 0;
	char *out;

	/* Decoded text is never longer than its source. */
	while (p->pos < p->len && p->s[p->pos] != '"')
		p->pos += p->s[p->pos] == '\\' ? 2 : 1;
	if (p->pos >= p->len)
		return fail(p, "unterminated string");
	out = malloc(p->pos - start + 1);
	if (!out)
		return -ENOMEM;
	p->pos = start;
	while (p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos];
		size_t clen = vb_utf8_char_len(p->s + p->pos, p->len - p->pos);
		uint32_t cp;

		if (c < 0x20 || clen == 0) {
			free(out);
			return fail(p, c < 0x20 ? "control character in a string" :
						  "string is not UTF-8");
		}
		if (c != '\\') {
			memcpy(out + n, p->s + p->pos, clen);
			n += clen;
			p->pos += clen;
			continue;
		}
		p->pos++;
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/': out[n++] = (char)c; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (unicode_escape(p, &cp) < 0) {
				free(out);
				return -EINVAL;
			}
			n += put_utf8(out + n, cp);
			break;
		default:
			p->pos--;
			free(out);
			return fail(p, "bad escape");
		}
	}
	p->pos++;
	out[n] = '\0';
	*text = out;
	*len = n;
	return 0;
}

static bool is_digit(struct parser *p)
{
	return p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static int parse_number(struct parser *p, struct vb_json_value *v)
{
	size_t start = p->pos;

	take_word(p, "-");
	if (!is_digit(p))
		return fail(p, "bad number");
	if (!take_word(p, "0"))
		while (is_digit(p))
			p->pos++;
	if (take_word(p, ".")) {
		if (!is_digit(p))
			return fail(p, "bad number");
		while (is_digit(p))
			p->pos++;
	}
	if (take_word(p, "e") || take_word(p, "E")) {
		if (!take_word(p, "+"))
			take_word(p, "-");
		if (!is_digit(p))
			return fail(p, "bad number");
		while (is_digit(p))
			p->pos++;
	}
	v->type = VB_JSON_NUMBER;
	v->text = strndup(p->s + start, p->pos - start);
	v->len = p->pos - start;
	return v->text ? 0 : -ENOMEM;
}

static int parse_value(struct parser *p, struct vb_json_value *v, int depth);

/* Adds one zeroed item (and key) to an array or object. */
static struct vb_json_value *grow(struct vb_json_value *v, char *key)
{
	struct vb_json_value *items = realloc(v->items, (v->count + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return NULL;
	v->items = items;
	if (v->type == VB_JSON_OBJECT) {
		keys = realloc(v->keys, (v->count + 1) * sizeof(*keys));
		if (!keys)
			return NULL;
		v->keys = keys;
		keys[v->count] = key;
	}
	memset(&items[v->count], 0, sizeof(*items));
	return &items[v->count++];
}

/* An array or object: p->pos at its opening bracket. */
static int parse_container(struct parser *p, struct vb_json_value *v, int depth)
{
	bool object = p->s[p->pos] == '{';
	char close = object ? '}' : ']';

	if (depth >= VB_JSON_DEPTH_MAX)
		return fail(p, "nested too deep");
	v->type = object ? VB_JSON_OBJECT : VB_JSON_ARRAY;
	p->pos++;
	if (take(p, close))
		return 0;
	do {
		struct vb_json_value *item;
		char *key = NULL;
		size_t keylen;
		int err;

		skip_space(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, "expected a member name");
			err = parse_string(p, &key, &keylen);
			if (err == 0 && !take(p, ':'))
				err = fail(p, "expected ':'");
			if (err < 0) {
				free(key);
				return err;
			}
		}
		item = grow(v, key);
		if (!item) {
			free(key);
			return -ENOMEM;
		}
		err = parse_value(p, item, depth + 1);
		if (err < 0)
			return err;
	} while (take(p, ','));
	return take(p, close) ? 0 : fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
}

static int parse_value(struct parser *p, struct vb_json_value *v, int depth)
{
	skip_space(p);
	if (p->pos >= p->len)
		return fail(p, "unexpected end");
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return parse_container(p, v, depth);
	case '"':
		v->type = VB_JSON_STRING;
		return parse_string(p, &v->text, &v->len);
	case 't':
		v->type = VB_JSON_TRUE;
		return take_word(p, "true") ? 0 : fail(p, "bad literal");
	case 'f':
		v->type = VB_JSON_FALSE;
		return take_word(p, "false") ? 0 : fail(p, "bad literal");
	case 'n':
		v->type = VB_JSON_NULL;
		return take_word(p, "null") ? 0 : fail(p, "bad literal");
	default:
		return parse_number(p, v);
	}
}

int vb_json_parse(const char *text, size_t len, struct vb_json_value *value, char *why,
		  size_t why_size)
{
	struct parser p = { .s = text, .len = len };
	int err;

	memset(value, 0, sizeof(*value));
	err = parse_value(&p, value, 0);
	skip_space(&p);
	if (err == 0 && p.pos < len)
		err = fail(&p, "text after the value");
	if (err < 0) {
		vb_json_free(value);
		if (why && why_size)
			snprintf(why, why_size, "%s at byte %zu",
				 err == -ENOMEM ? "out of memory" : p.why, p.why_at);
	}
	return err;
}

void vb_json_free(struct vb_json_value *v)
{
	for (size_t i = 0; i < v->count; i++) {
		vb_json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

const struct vb_json_value *vb_json_member(const struct vb_json_value *object, const char *key)
{
	if (!object || object->type != VB_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < object->count; i++)
		if (strcmp(object->keys[i], key) == 0)
			return &object->items[i];
	return NULL;
}

const char *vb_json_text(const struct vb_json_value *value)
{
	return value && value->type == VB_JSON_STRING ? value->text : NULL;
}
