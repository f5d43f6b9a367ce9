// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the unified-diff writer. The input is two texts split at
 * the first 0xff byte. Property: the diff, applied to the first text the way
 * patch(1) applies it (strictly: every hunk at its stated line, context and
 * removed lines exactly as they are), gives the second. tests/unit/test-udiff.c
 * checks the same with patch(1) itself.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const char *s;
	size_t len, pos;
};

/* The next line of c (with its '\n', when it has one); false at the end. */
static bool next_line(struct cursor *c, const char **line, size_t *len)
{
	const char *nl;

	if (c->pos >= c->len)
		return false;
	*line = c->s + c->pos;
	nl = memchr(*line, '\n', c->len - c->pos);
	*len = nl ? (size_t)(nl - *line) + 1 : c->len - c->pos;
	c->pos += *len;
	return true;
}

/* "A[,N]": the start (1-based; 0 for an empty side) and count of a range. */
static void parse_range(const char **p, size_t *start, size_t *count)
{
	char *end;

	*start = strtoul(*p, &end, 10);
	*count = 1;
	if (*end == ',')
		*count = strtoul(end + 1, &end, 10);
	*p = end;
}

/* Applies diff to a into out (a memstream). Returns false when it does not apply. */
static bool apply(const char *a, size_t alen, const char *diff, size_t dlen, FILE *out)
{
	struct cursor d = { diff, dlen, 0 }, src = { a, alen, 0 };
	const char *line, *sline;
	size_t len, slen, line_no = 0;

	if (!next_line(&d, &line, &len) || strncmp(line, "--- ", 4) != 0)
		return false;
	if (!next_line(&d, &line, &len) || strncmp(line, "+++ ", 4) != 0)
		return false;
	while (next_line(&d, &line, &len)) {
		size_t astart, acount, bstart, bcount;
		const char *p = line + 4;

		if (strncmp(line, "@@ -", 4) != 0)
			return false;
		parse_range(&p, &astart, &acount);
		if (strncmp(p, " +", 2) != 0)
			return false;
		p += 2;
		parse_range(&p, &bstart, &bcount);
		/* Copy the lines before the hunk. */
		for (size_t want = acount ? astart - 1 : astart; line_no < want; line_no++) {
			if (!next_line(&src, &sline, &slen))
				return false;
			fwrite(sline, 1, slen, out);
		}
		while (acount || bcount) {
			char op;
			size_t body;

			if (!next_line(&d, &line, &len) || len == 0)
				return false;
			op = line[0];
			body = len - 1;
			/* "\ No newline at end of file" after a line: it had none. */
			if (d.pos < d.len && d.s[d.pos] == '\\') {
				const char *mark;
				size_t mlen;

				next_line(&d, &mark, &mlen);
				if (body > 0 && line[len - 1] == '\n')
					body--;
			}
			if (op == ' ' || op == '-') {
				if (!acount || !next_line(&src, &sline, &slen) || slen != body ||
				    memcmp(sline, line + 1, body) != 0)
					return false;
				acount--;
				line_no++;
			}
			if (op == ' ' || op == '+') {
				if (!bcount)
					return false;
				fwrite(line + 1, 1, body, out);
				bcount--;
			}
			if (op != ' ' && op != '-' && op != '+')
				return false;
		}
	}
	while (next_line(&src, &sline, &slen))
		fwrite(sline, 1, slen, out);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data, *sep = memchr(data, 0xff, size);
	size_t alen = sep ? (size_t)(sep - a) : size;
	const char *b = sep ? sep + 1 : "";
	size_t blen = sep ? size - alen - 1 : 0;
	char *diff = NULL, *result = NULL;
	size_t dlen = 0, rlen = 0;
	FILE *out = open_memstream(&diff, &dlen);

	if (!out)
		return 0;
	if (vb_udiff(out, "a/f", a, alen, "b/f", b, blen) < 0) {
		fclose(out);
		free(diff);
		return 0;
	}
	fclose(out);
	out = open_memstream(&result, &rlen);
	if (!out) {
		free(diff);
		return 0;
	}
	if (!apply(a, alen, diff, dlen, out))
		abort(); /* the diff does not apply to the text it was made from */
	fclose(out);
	if (rlen != blen || memcmp(result, b, blen) != 0)
		abort(); /* applied, it does not give the new text */
	free(result);
	free(diff);
	return 0;
}
