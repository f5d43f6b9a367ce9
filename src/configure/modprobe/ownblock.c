// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ownblock.h"

struct block {
	bool found;
	size_t begin; /* start of the BEGIN line */
	size_t body;  /* start of the first line after it */
	size_t end;   /* start of the END line */
	size_t after; /* start of the line after END */
};

static bool line_is(const char *line, size_t len, const char *marker)
{
	size_t mlen = strlen(marker);

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return len == mlen && memcmp(line, marker, mlen) == 0;
}

static int find_block(const char *text, size_t len, struct block *b)
{
	size_t pos = 0;
	int begins = 0, ends = 0;

	memset(b, 0, sizeof(*b));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t next = nl ? (size_t)(nl - text) + 1 : len;
		size_t llen = (nl ? (size_t)(nl - text) : len) - pos;

		if (line_is(text + pos, llen, VB_BLOCK_BEGIN)) {
			if (begins++ || ends)
				return -EINVAL;
			b->begin = pos;
			b->body = next;
		} else if (line_is(text + pos, llen, VB_BLOCK_END)) {
			if (ends++ || !begins)
				return -EINVAL;
			b->end = pos;
			b->after = next;
		}
		pos = next;
	}
	if (begins != ends)
		return -EINVAL;
	b->found = begins == 1;
	return 0;
}

int vb_ownblock_get(const char *text, size_t len, char **body)
{
	struct block b;
	int err = find_block(text, len, &b);

	if (err < 0)
		return err;
	*body = b.found ? strndup(text + b.body, b.end - b.body) : strdup("");
	return *body ? 0 : -ENOMEM;
}

static int set_block(const char *text, size_t len, const char *body, bool first, char **out,
		     size_t *outlen)
{
	size_t blen = strlen(body), from, to, size;
	bool newline = blen > 0 && body[blen - 1] != '\n';
	struct block b;
	char *s, *p;
	int err = find_block(text, len, &b);

	if (err < 0)
		return err;
	from = b.found ? b.begin : first ? 0 : len;
	to = b.found ? b.after : from;
	size = len - (to - from) + 1 + (blen ? strlen(VB_BLOCK_BEGIN) + strlen(VB_BLOCK_END) + 3 +
						    blen + newline : 0);
	s = malloc(size + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, text, from);
	p = s + from;
	if (blen) {
		/* Added at the end: after a line of its own. */
		if (!b.found && from > 0 && text[from - 1] != '\n')
			*p++ = '\n';
		p = stpcpy(p, VB_BLOCK_BEGIN "\n");
		memcpy(p, body, blen);
		p += blen;
		if (newline)
			*p++ = '\n';
		p = stpcpy(p, VB_BLOCK_END "\n");
	}
	memcpy(p, text + to, len - to);
	p += len - to;
	*p = '\0';
	*out = s;
	*outlen = (size_t)(p - s);
	return 0;
}

int vb_ownblock_set(const char *text, size_t len, const char *body, char **out, size_t *outlen)
{
	return set_block(text, len, body, false, out, outlen);
}

int vb_ownblock_set_first(const char *text, size_t len, const char *body, char **out,
			  size_t *outlen)
{
	return set_block(text, len, body, true, out, outlen);
}
