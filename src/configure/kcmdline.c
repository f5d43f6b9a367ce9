// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parameters are split as the kernel splits its command line
 * (vb_cmdline_next_param: white space outside double quotes, a quote may open
 * the whole parameter or its value). Two parameters have the same name when
 * their names are equal with '-' equal to '_', as the kernel's parameq()
 * compares them. Words after a "--" are init's: never matched, and flags are
 * added before it.
 *
 * In /etc/default/grub the last uncommented GRUB_CMDLINE_LINUX_DEFAULT= at the
 * start of a line counts (after blanks and an optional "export"): it is the one
 * in effect when grub-mkconfig sources the file. A value that is not a single
 * plain, "..." or '...' string ($VAR, backslashes, "a"'b') is not edited; a
 * line GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT FLAGS" follows
 * it. Flags are inserted as they are and must not need shell quoting.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kcmdline.h"

#define GRUB_KEY "GRUB_CMDLINE_LINUX_DEFAULT="

struct text {
	char *s;
	size_t len;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int text_set(struct text *t, const char *s, size_t len)
{
	t->s = malloc(len + 1);
	if (!t->s)
		return -ENOMEM;
	memcpy(t->s, s, len);
	t->s[len] = '\0';
	t->len = len;
	return 0;
}

/* Replaces cut bytes at at with ins. */
static int splice(struct text *t, size_t at, size_t cut, const char *ins, size_t inslen)
{
	size_t len = t->len - cut + inslen;
	char *s = malloc(len + 1);

	if (!s)
		return -ENOMEM;
	memcpy(s, t->s, at);
	memcpy(s + at, ins, inslen);
	memcpy(s + at + inslen, t->s + at + cut, t->len - at - cut);
	s[len] = '\0';
	free(t->s);
	t->s = s;
	t->len = len;
	return 0;
}

/*
 * The next parameter before a "--": what follows "--" is init's, not the
 * kernel's, so it is neither matched nor edited.
 */
static bool next_param(const char *s, size_t len, size_t *pos, struct vb_cmdline_param *p)
{
	return vb_cmdline_next_param(s, len, pos, p) && !vb_cmdline_is_end(s, p);
}

/* Compares two parameters by name ('-' and '_' alike), and by value when whole. */
static bool params_match(const char *x, const struct vb_cmdline_param *px, const char *y,
			 const struct vb_cmdline_param *py, bool whole)
{
	if (px->keylen != py->keylen)
		return false;
	for (size_t i = 0; i < px->keylen; i++) {
		char cx = x[px->key + i], cy = y[py->key + i];

		if ((cx == '-' ? '_' : cx) != (cy == '-' ? '_' : cy))
			return false;
	}
	return !whole || (px->has_value == py->has_value && px->valuelen == py->valuelen &&
			  memcmp(x + px->value, y + py->value, px->valuelen) == 0);
}

/* Inserts flag as a word of its own at at: before the word there, or after the word that ends there. */
static int insert_word(struct text *t, size_t at, const char *flag, bool before)
{
	size_t flen = strlen(flag);
	int err = splice(t, at, 0, before ? " " : "", before ? 1 : 0);

	if (err == 0)
		err = splice(t, at, 0, flag, flen);
	if (err == 0 && !before && at > 0)
		err = splice(t, at, 0, " ", 1);
	return err;
}

/*
 * Makes flag the only parameter with its name in t: nothing to do when every
 * one with that name is the flag already; otherwise the first becomes the
 * flag and the others go, or the flag is added after the last parameter (but
 * before a "--", and before a last word whose quote never closes, which would
 * swallow it).
 */
static int set_flag(struct text *t, const char *flag)
{
	size_t flen = strlen(flag), pos = 0, end = 0, fpos = 0;
	struct vb_cmdline_param w, first = { 0 }, fp, last = { 0 };
	bool found = false, all_same = true, any = false;
	int err;

	vb_cmdline_next_param(flag, flen, &fpos, &fp);
	while (next_param(t->s, t->len, &pos, &w)) {
		if (params_match(t->s, &w, flag, &fp, false)) {
			all_same = all_same && params_match(t->s, &w, flag, &fp, true);
			if (!found)
				first = w;
			found = true;
		}
		last = w;
		any = true;
	}
	if (found && all_same)
		return 0;
	if (!found) {
		if (any && last.unterminated)
			return insert_word(t, last.start, flag, true);
		if (any)
			return insert_word(t, last.start + last.len, flag, false);
		/* Nothing before a "--" (or nothing at all): the flag goes first. */
		pos = 0;
		if (vb_cmdline_next_param(t->s, t->len, &pos, &w))
			return insert_word(t, w.start, flag, true);
		return splice(t, 0, 0, flag, flen);
	}
	/* Drop the later parameters with the name, with the space before each. */
	pos = end = first.start + first.len;
	while (next_param(t->s, t->len, &pos, &w)) {
		if (!params_match(t->s, &w, flag, &fp, false)) {
			end = w.start + w.len;
			continue;
		}
		err = splice(t, end, w.start + w.len - end, "", 0);
		if (err < 0)
			return err;
		pos = end;
	}
	return splice(t, first.start, first.len, flag, flen);
}

static int set_flags(struct text *t, const char *const *flags, size_t nflags)
{
	for (size_t i = 0; i < nflags; i++) {
		int err = set_flag(t, flags[i]);

		if (err < 0)
			return err;
	}
	return 0;
}

char *vb_kernel_cmdline_add(const char *text, size_t len, const char *const *flags,
			    size_t nflags)
{
	struct text t;
	int err;

	if (text_set(&t, text, len) < 0)
		return NULL;
	err = set_flags(&t, flags, nflags);
	if (err == 0 && len == 0 && t.len > 0)
		err = splice(&t, t.len, 0, "\n", 1);
	if (err < 0) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* How a shell statement ends. */
enum stmt_end {
	STMT_CLOSED,    /* at a newline or at the end of the text */
	STMT_CONTINUED, /* a backslash at the end joins the next line to it */
	STMT_IN_QUOTE,  /* a quote is still open at the end of the text */
};

/* Where an assignment's value is, when it is one plain or quoted string. */
struct grub_value {
	size_t start, end; /* the bytes between the quotes */
	char quote;        /* '"', '\'' or 0 for none */
	bool simple;       /* false: several parts, escapes or expansions */
	size_t stmt_end;   /* just after the assignment's line */
	enum stmt_end how; /* how that statement ends */
};

/* Returns the index of the quote closing the one at p, or len. */
static size_t closing_quote(const char *s, size_t len, size_t p)
{
	char quote = s[p];

	for (p++; p < len && s[p] != quote; p++)
		if (quote == '"' && s[p] == '\\')
			p++;
	return p < len ? p : len;
}

/* Ends a shell word outside quotes. */
static bool is_word_end(char c)
{
	return is_space(c) || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
	       c == '(' || c == ')';
}

/*
 * Returns the index after the end of the statement starting at p; *how says
 * whether it ended (at a newline, or with the text), or runs on into whatever
 * follows the text: a quote still open, or a backslash before its end.
 */
static size_t skip_statement(const char *s, size_t len, size_t p, enum stmt_end *how)
{
	bool word_start = true;

	*how = STMT_CLOSED;
	while (p < len && s[p] != '\n') {
		char c = s[p];

		if (c == '\'' || c == '"') {
			p = closing_quote(s, len, p) + 1;
			if (p > len)
				*how = STMT_IN_QUOTE;
			word_start = false;
		} else if (c == '\\') {
			if (p + 2 >= len)
				*how = STMT_CONTINUED;
			p += 2;
			word_start = false;
		} else if (c == '#' && word_start) {
			while (p < len && s[p] != '\n')
				p++;
		} else {
			word_start = is_word_end(c);
			p++;
		}
	}
	return p < len ? p + 1 : len;
}

/* Parses the shell word at p: plain, "..." or '...', or something harder. */
static void parse_value(const char *s, size_t len, size_t p, struct grub_value *v)
{
	size_t parts = 0;

	*v = (struct grub_value){ .start = p, .end = p, .simple = true };
	while (p < len && !is_word_end(s[p])) {
		parts++;
		v->quote = 0;
		if (s[p] == '"' || s[p] == '\'') {
			size_t close = closing_quote(s, len, p);

			v->quote = s[p];
			v->start = p + 1;
			v->end = close;
			v->simple = v->simple && close < len;
			p = close < len ? close + 1 : len;
			continue;
		}
		v->start = p;
		for (; p < len && !is_word_end(s[p]) && s[p] != '"' && s[p] != '\''; p++) {
			if (s[p] == '\\' || s[p] == '$' || s[p] == '`')
				v->simple = false;
			if (s[p] == '\\' && p + 1 < len)
				p++;
		}
		v->end = p;
	}
	v->simple = v->simple && parts <= 1;
}

/*
 * Finds the last uncommented GRUB_CMDLINE_LINUX_DEFAULT= at a line start;
 * *last says how the file's last statement ends.
 */
static bool find_grub_value(const char *s, size_t len, struct grub_value *found,
			    enum stmt_end *last)
{
	const size_t keylen = strlen(GRUB_KEY);
	bool any = false;
	size_t p = 0;

	*last = STMT_CLOSED;
	while (p < len) {
		while (p < len && is_blank(s[p]))
			p++;
		if (len - p > 7 && memcmp(s + p, "export", 6) == 0 && is_blank(s[p + 6]))
			for (p += 6; p < len && is_blank(s[p]);)
				p++;
		if (len - p >= keylen && memcmp(s + p, GRUB_KEY, keylen) == 0) {
			parse_value(s, len, p + keylen, found);
			found->stmt_end = skip_statement(s, len, p, &found->how);
			any = true;
		}
		p = skip_statement(s, len, p, last);
	}
	return any;
}

/*
 * Inserts GRUB_CMDLINE_LINUX_DEFAULT="[$GRUB_CMDLINE_LINUX_DEFAULT ]FLAGS" as a
 * statement of its own at at, just after a statement that ended as before
 * says: an empty line first breaks a backslash's continuation. Nothing can
 * follow a quote that never closes (the shell would read it as part of the
 * quote, and grub-mkconfig fails on such a file anyway): t is left as it is.
 */
static int insert_assignment(struct text *t, size_t at, enum stmt_end before, bool keep_old,
			     const char *const *flags, size_t nflags)
{
	static const char old[] = "$GRUB_CMDLINE_LINUX_DEFAULT";
	struct text value = { 0 }, line = { 0 };
	bool ends_line = at == 0 || t->s[at - 1] == '\n';
	/* A newline to end the line; after a backslash, one more to end the statement. */
	size_t newlines = (ends_line ? 0 : 1) + (before == STMT_CONTINUED ? 1 : 0);
	int err;

	if (before == STMT_IN_QUOTE)
		return 0;
	err = text_set(&value, old, keep_old ? strlen(old) : 0);
	if (err == 0)
		err = set_flags(&value, flags, nflags);
	if (err == 0)
		err = text_set(&line, "\n\n" GRUB_KEY "\"", strlen(GRUB_KEY) + 3);
	if (err == 0)
		err = splice(&line, line.len, 0, value.s, value.len);
	if (err == 0)
		err = splice(&line, line.len, 0, "\"\n", 2);
	if (err == 0)
		err = splice(t, at, 0, line.s + 2 - newlines, line.len - 2 + newlines);
	free(value.s);
	free(line.s);
	return err;
}

/* Edits the value in place, adding double quotes when a plain one needs them. */
static int edit_value(struct text *t, const struct grub_value *v, const char *const *flags,
		      size_t nflags)
{
	struct text value = { 0 };
	size_t oldlen = v->end - v->start;
	int err = text_set(&value, t->s + v->start, oldlen);

	if (err == 0)
		err = set_flags(&value, flags, nflags);
	if (err == 0 && (value.len != oldlen || memcmp(value.s, t->s + v->start, oldlen) != 0)) {
		bool quote = v->quote == 0 && strpbrk(value.s, " \t\n");

		if (quote)
			err = splice(&value, 0, 0, "\"", 1);
		if (err == 0 && quote)
			err = splice(&value, value.len, 0, "\"", 1);
		if (err == 0)
			err = splice(t, v->start, oldlen, value.s, value.len);
	}
	free(value.s);
	return err;
}

char *vb_grub_default_add(const char *text, size_t len, const char *const *flags,
			  size_t nflags)
{
	struct grub_value v = { 0 };
	enum stmt_end last;
	struct text t;
	int err;

	if (text_set(&t, text, len) < 0)
		return NULL;
	if (nflags == 0)
		return t.s;
	if (!find_grub_value(text, len, &v, &last))
		err = insert_assignment(&t, len, last, false, flags, nflags);
	else if (!v.simple)
		err = insert_assignment(&t, v.stmt_end, v.how, true, flags, nflags);
	else
		err = edit_value(&t, &v, flags, nflags);
	if (err < 0) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

int vb_cmdline_has_all(const char *cmdline, const char *const *flags, size_t nflags)
{
	size_t len = strlen(cmdline);

	for (size_t i = 0; i < nflags; i++) {
		size_t flen = strlen(flags[i]), pos = 0, fpos = 0;
		struct vb_cmdline_param w, last = { 0 }, fp;
		bool found = false;

		vb_cmdline_next_param(flags[i], flen, &fpos, &fp);
		/* The kernel takes the last one of a name. */
		while (next_param(cmdline, len, &pos, &w)) {
			if (params_match(cmdline, &w, flags[i], &fp, false)) {
				last = w;
				found = true;
			}
		}
		if (!found || !params_match(cmdline, &last, flags[i], &fp, true))
			return 0;
	}
	return 1;
}
