// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udiff.h"

#define CONTEXT 3
#define LCS_CELLS_MAX (4u * 1024 * 1024)

struct line {
	const char *text;
	size_t len; /* with its '\n', when it has one */
};

enum op { OP_SAME, OP_DEL, OP_ADD };

struct edit {
	enum op op;
	size_t a, b; /* line index in a and in b before this edit */
};

static size_t split_lines(const char *text, size_t len, struct line **out)
{
	size_t count = 0, i = 0;
	struct line *lines;

	for (size_t p = 0; p < len; p++)
		if (text[p] == '\n')
			count++;
	if (len > 0 && text[len - 1] != '\n')
		count++;
	lines = calloc(count ? count : 1, sizeof(*lines));
	if (!lines)
		return SIZE_MAX;
	for (size_t start = 0; start < len; i++) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;

		lines[i] = (struct line){ text + start, end - start };
		start = end;
	}
	*out = lines;
	return count;
}

static int same_line(const struct line *x, const struct line *y)
{
	return x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

/*
 * Fills edits with a shortest edit script for a[lo..na-hi) -> b[lo..nb-hi)
 * bracketed by the common lines; returns the edit count.
 */
static size_t edit_script(const struct line *a, size_t na, const struct line *b, size_t nb,
			  struct edit *edits)
{
	size_t lo = 0, hi = 0, n, m, count = 0, i, j;
	uint32_t *lcs = NULL;

	while (lo < na && lo < nb && same_line(&a[lo], &b[lo]))
		lo++;
	while (hi < na - lo && hi < nb - lo && same_line(&a[na - 1 - hi], &b[nb - 1 - hi]))
		hi++;
	n = na - lo - hi;
	m = nb - lo - hi;
	if (n > 0 && m > 0 && (n + 1) * (m + 1) <= LCS_CELLS_MAX)
		lcs = calloc((n + 1) * (m + 1), sizeof(*lcs));
#define L(x, y) lcs[(x) * (m + 1) + (y)]
	for (i = n; lcs && i-- > 0;) {
		for (j = m; j-- > 0;) {
			if (same_line(&a[lo + i], &b[lo + j]))
				L(i, j) = L(i + 1, j + 1) + 1;
			else if (L(i + 1, j) >= L(i, j + 1))
				L(i, j) = L(i + 1, j);
			else
				L(i, j) = L(i, j + 1);
		}
	}

	for (i = 0; i < lo; i++)
		edits[count++] = (struct edit){ OP_SAME, i, i };
	for (i = 0, j = 0; i < n || j < m;) {
		enum op op;

		if (lcs && i < n && j < m && same_line(&a[lo + i], &b[lo + j]))
			op = OP_SAME;
		else if (i < n && (j == m || !lcs || L(i + 1, j) >= L(i, j + 1)))
			op = OP_DEL;
		else
			op = OP_ADD;
		edits[count++] = (struct edit){ op, lo + i, lo + j };
		i += op != OP_ADD;
		j += op != OP_DEL;
	}
#undef L
	for (i = 0; i < hi; i++)
		edits[count++] = (struct edit){ OP_SAME, lo + n + i, lo + m + i };
	free(lcs);
	return count;
}

static void print_range(FILE *out, size_t start, size_t count)
{
	if (count == 1)
		fprintf(out, "%zu", start + 1);
	else
		fprintf(out, "%zu,%zu", count ? start + 1 : start, count);
}

static void print_line(FILE *out, char prefix, const struct line *line)
{
	fputc(prefix, out);
	fwrite(line->text, 1, line->len, out);
	if (line->len == 0 || line->text[line->len - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", out);
}

static void print_hunk(FILE *out, const struct edit *e, size_t n, const struct line *a,
		       const struct line *b)
{
	size_t na = 0, nb = 0;

	for (size_t k = 0; k < n; k++) {
		na += e[k].op != OP_ADD;
		nb += e[k].op != OP_DEL;
	}
	fputs("@@ -", out);
	print_range(out, e[0].a, na);
	fputs(" +", out);
	print_range(out, e[0].b, nb);
	fputs(" @@\n", out);
	for (size_t k = 0; k < n; k++) {
		if (e[k].op == OP_ADD)
			print_line(out, '+', &b[e[k].b]);
		else
			print_line(out, e[k].op == OP_DEL ? '-' : ' ', &a[e[k].a]);
	}
}

int vb_udiff(FILE *out, const char *label_a, const char *a, size_t alen, const char *label_b,
	     const char *b, size_t blen)
{
	struct line *la = NULL, *lb = NULL;
	struct edit *edits = NULL;
	size_t na, nb, count, k = 0;
	int err = 0;

	na = split_lines(a, alen, &la);
	nb = split_lines(b, blen, &lb);
	if (na != SIZE_MAX && nb != SIZE_MAX)
		edits = calloc(na + nb + 1, sizeof(*edits));
	if (!edits) {
		err = -ENOMEM;
		goto out;
	}
	count = edit_script(la, na, lb, nb, edits);

	fprintf(out, "--- %s\n+++ %s\n", label_a, label_b);
	while (k < count) {
		size_t start, last;

		if (edits[k].op == OP_SAME) {
			k++;
			continue;
		}
		start = k > CONTEXT ? k - CONTEXT : 0;
		last = k;
		for (; k < count && k - last <= 2 * CONTEXT + 1; k++)
			if (edits[k].op != OP_SAME)
				last = k;
		k = last + 1 + CONTEXT < count ? last + 1 + CONTEXT : count;
		print_hunk(out, edits + start, k - start, la, lb);
	}
	if (ferror(out))
		err = -EIO;
out:
	free(edits);
	free(la);
	free(lb);
	return err;
}
