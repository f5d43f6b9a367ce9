// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/default/grub is read the way the shell that grub-mkconfig sources it
 * with would split it into commands: quotes, escapes, comments, command
 * substitutions, compound commands (if, while, for, case, { }, ( )) and
 * and-or lists. An assignment to GRUB_CMDLINE_LINUX_DEFAULT takes effect for
 * certain when it is a command of assignments only (or export/readonly with
 * assignments), at the top level, not part of an and-or list or pipeline;
 * the last of those is edited unless another assignment to the variable, one
 * that may or may not run, comes after it. A here-document, or a quote or
 * substitution never closed, makes the rest of the file unreadable this way:
 * the file is refused.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "kcmdline.h"
#include "kcmdline_text.h"

#define GRUB_VAR "GRUB_CMDLINE_LINUX_DEFAULT"
#define GRUB_OLD_VALUE "$" GRUB_VAR
#define GRUB_COMMENT "# Added by vfio-boot configure; vfio-boot unconfigure takes it out.\n"

enum token { T_END, T_WORD, T_NEWLINE, T_SEMI, T_AMP, T_ANDOR, T_LPAREN, T_RPAREN, T_DSEMI,
	     T_REDIR, T_ERROR };

/* The command being read. */
struct command {
	unsigned words;
	bool export_cmd;    /* export or readonly: its words are assignments */
	bool function;      /* bash's "function NAME" */
	bool other;         /* has a command word: prefix assignments are its own */
	bool chained;       /* part of an and-or list or pipeline, or in the background */
	bool ours;          /* assigns the variable */
	struct span value;  /* the last such value */
	size_t start;       /* where the command starts */
	bool line_start;    /* nothing but blanks before it on its line */
};

/* Where the value that takes effect is. */
struct grub_value {
	bool found;
	struct span value;
	size_t start;       /* its command's start */
	bool own_line;      /* the command is alone on its line(s) */
	size_t line_end;    /* after that line's newline */
	bool odd_after;     /* an assignment that may or may not run comes after it */
};

struct scan {
	const char *s;
	size_t len, pos;
	unsigned line;
	int depth, case_depth;
	unsigned open_line; /* where the outermost compound command still open began */
	unsigned bad_line;  /* where a closing word came without its opening, or 0 */
	unsigned chain_line; /* where the last '|', '&&' or '||' was */
	bool skip_word;     /* a redirection's target */
	struct command cmd;
	struct grub_value v;
	struct vb_cmdline_problem *p;
};

/* A compound command opens (delta 1) or closes (-1); the lines that matter are kept. */
static void nest(struct scan *sc, int delta)
{
	if (delta > 0 && sc->depth == 0)
		sc->open_line = sc->line;
	sc->depth += delta;
	if (sc->depth < 0 && !sc->bad_line)
		sc->bad_line = sc->line;
}

static bool refuse(struct scan *sc, unsigned line, const char *what)
{
	if (sc->p->what[0] == '\0') {
		sc->p->line = line;
		snprintf(sc->p->what, sizeof(sc->p->what), "%s", what);
	}
	return false;
}

static void count_newline(struct scan *sc, size_t at)
{
	if (sc->s[at] == '\n')
		sc->line++;
}

static bool skip_dquote(struct scan *sc);
static bool skip_subst(struct scan *sc);

/* From a ' to past its pair. */
static bool skip_squote(struct scan *sc, bool escapes)
{
	unsigned line = sc->line;

	for (sc->pos++; sc->pos < sc->len && sc->s[sc->pos] != '\''; sc->pos++) {
		if (escapes && sc->s[sc->pos] == '\\' && sc->pos + 1 < sc->len)
			count_newline(sc, ++sc->pos);
		else
			count_newline(sc, sc->pos);
	}
	if (sc->pos >= sc->len)
		return refuse(sc, line, "a quote (') that is never closed");
	sc->pos++;
	return true;
}

/* From a ` to past its pair. */
static bool skip_backquote(struct scan *sc)
{
	unsigned line = sc->line;

	for (sc->pos++; sc->pos < sc->len && sc->s[sc->pos] != '`'; sc->pos++) {
		if (sc->s[sc->pos] == '\\' && sc->pos + 1 < sc->len)
			sc->pos++;
		count_newline(sc, sc->pos);
	}
	if (sc->pos >= sc->len)
		return refuse(sc, line, "a command substitution (`) that is never closed");
	sc->pos++;
	return true;
}

/* One byte of a word or substitution: quotes and substitutions are skipped whole. */
static bool skip_unit(struct scan *sc)
{
	const char *s = sc->s;

	switch (s[sc->pos]) {
	case '\\':
		if (sc->pos + 1 < sc->len)
			count_newline(sc, ++sc->pos);
		sc->pos++;
		return true;
	case '\'':
		return skip_squote(sc, false);
	case '"':
		return skip_dquote(sc);
	case '`':
		return skip_backquote(sc);
	case '$':
		if (sc->pos + 1 < sc->len && s[sc->pos + 1] == '(') {
			sc->pos++;
			return skip_subst(sc);
		}
		if (sc->pos + 1 < sc->len && s[sc->pos + 1] == '\'') {
			sc->pos++;
			return skip_squote(sc, true);
		}
		break;
	}
	count_newline(sc, sc->pos);
	sc->pos++;
	return true;
}

/* From a " to past its pair. */
static bool skip_dquote(struct scan *sc)
{
	unsigned line = sc->line;

	sc->pos++;
	while (sc->pos < sc->len && sc->s[sc->pos] != '"') {
		char c = sc->s[sc->pos];

		if (c == '\'') { /* literal inside double quotes */
			sc->pos++;
			continue;
		}
		if (!skip_unit(sc))
			return false;
	}
	if (sc->pos >= sc->len)
		return refuse(sc, line, "a quote (\") that is never closed");
	sc->pos++;
	return true;
}

/* From the ( of $( to past its ). */
static bool skip_subst(struct scan *sc)
{
	unsigned line = sc->line;
	int depth = 1;

	sc->pos++;
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos];

		if (c == '<' && sc->pos + 1 < sc->len && sc->s[sc->pos + 1] == '<')
			return refuse(sc, sc->line, "a here-document (<<)");
		if (c == '(' || c == ')') {
			depth += c == '(' ? 1 : -1;
			sc->pos++;
			if (depth == 0)
				return true;
			continue;
		}
		if (!skip_unit(sc))
			return false;
	}
	return refuse(sc, line, "a command substitution $( that is never closed");
}

static bool is_word_end(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
	       c == ')' || c == '<' || c == '>';
}

static enum token next_token(struct scan *sc, struct span *w)
{
	const char *s = sc->s;

	for (;;) {
		while (sc->pos < sc->len && (s[sc->pos] == ' ' || s[sc->pos] == '\t'))
			sc->pos++;
		if (sc->pos + 1 < sc->len && s[sc->pos] == '\\' && s[sc->pos + 1] == '\n') {
			sc->pos += 2;
			sc->line++;
			continue;
		}
		if (sc->pos < sc->len && s[sc->pos] == '#') {
			while (sc->pos < sc->len && s[sc->pos] != '\n')
				sc->pos++;
			continue;
		}
		break;
	}
	if (sc->pos >= sc->len)
		return T_END;
	w->start = sc->pos;
	switch (s[sc->pos]) {
	case '\n':
		sc->pos++;
		sc->line++;
		return T_NEWLINE;
	case ';':
		sc->pos += sc->pos + 1 < sc->len && s[sc->pos + 1] == ';' ? 2 : 1;
		return sc->pos - w->start == 2 ? T_DSEMI : T_SEMI;
	case '&':
	case '|':
		if (sc->pos + 1 < sc->len && s[sc->pos + 1] == s[sc->pos]) {
			sc->pos += 2;
			return T_ANDOR;
		}
		sc->pos++;
		return s[sc->pos - 1] == '&' ? T_AMP : T_ANDOR;
	case '(':
		sc->pos++;
		return T_LPAREN;
	case ')':
		sc->pos++;
		return T_RPAREN;
	case '<':
	case '>':
		if (s[sc->pos] == '<' && sc->pos + 1 < sc->len && s[sc->pos + 1] == '<') {
			refuse(sc, sc->line, "a here-document (<<)");
			return T_ERROR;
		}
		while (sc->pos < sc->len && strchr("<>&|", s[sc->pos]))
			sc->pos++;
		return T_REDIR;
	}
	while (sc->pos < sc->len && !is_word_end(s[sc->pos]))
		if (!skip_unit(sc))
			return T_ERROR;
	w->len = sc->pos - w->start;
	return T_WORD;
}

static bool word_is(const struct scan *sc, const struct span *w, const char *word)
{
	return w->len == strlen(word) && memcmp(sc->s + w->start, word, w->len) == 0;
}

/* Length of NAME in NAME=..., or 0 when the word is no assignment. */
static size_t assignment_name(const struct scan *sc, const struct span *w)
{
	const char *s = sc->s + w->start;
	size_t n = 0;

	if (w->len == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	while (n < w->len && (s[n] == '_' || (s[n] >= 'A' && s[n] <= 'Z') ||
			      (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9')))
		n++;
	if (n < w->len && s[n] == '=')
		return n;
	if (n + 1 < w->len && s[n] == '+' && s[n + 1] == '=')
		return n; /* bash's += appends: its value is not the whole value */
	return 0;
}

static void command_word(struct scan *sc, const struct span *w)
{
	static const char *const opening[] = { "if", "while", "until", "for", "case", "{" };
	static const char *const closing[] = { "fi", "done", "esac", "}" };
	static const char *const going_on[] = { "then", "do", "else", "elif", "!" };
	struct command *c = &sc->cmd;
	size_t name;

	if (sc->skip_word) {
		sc->skip_word = false;
		return;
	}
	/* bash's "function NAME {": the brace opens the body. */
	if (c->words == 2 && c->function && word_is(sc, w, "{")) {
		nest(sc, 1);
		memset(c, 0, sizeof(*c));
		return;
	}
	if (c->words == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(opening); i++)
			if (word_is(sc, w, opening[i])) {
				nest(sc, 1);
				sc->case_depth += i == 4;
				return;
			}
		for (size_t i = 0; i < ARRAY_SIZE(closing); i++)
			if (word_is(sc, w, closing[i])) {
				nest(sc, -1);
				sc->case_depth -= i == 2;
				return;
			}
		for (size_t i = 0; i < ARRAY_SIZE(going_on); i++)
			if (word_is(sc, w, going_on[i]))
				return;
		c->start = w->start;
		c->line_start = true;
		for (size_t i = w->start; i-- > 0 && sc->s[i] != '\n';)
			c->line_start = c->line_start && (sc->s[i] == ' ' || sc->s[i] == '\t');
	}
	name = assignment_name(sc, w);
	if (c->words == 0 && word_is(sc, w, "function"))
		c->function = true;
	if (c->words == 0 && (word_is(sc, w, "export") || word_is(sc, w, "readonly"))) {
		c->export_cmd = true;
	} else if (name && (c->export_cmd || !c->other)) {
		if (name == strlen(GRUB_VAR) && memcmp(sc->s + w->start, GRUB_VAR, name) == 0) {
			bool append = sc->s[w->start + name] == '+';

			c->ours = true;
			c->other = c->other || append; /* never certain: treated as odd */
			c->value.start = w->start + name + 1 + append;
			c->value.len = w->len - name - 1 - append;
		}
	} else if (!c->export_cmd) {
		c->other = true;
	}
	c->words++;
}

/* The command ends at token tok (its first byte at end). */
static void end_command(struct scan *sc, enum token tok, size_t end)
{
	struct command *c = &sc->cmd;
	bool chained = c->chained || tok == T_ANDOR || tok == T_AMP;

	if (c->ours) {
		if (c->other || chained || sc->depth != 0) {
			sc->v.odd_after = true;
		} else {
			size_t nl = end;

			while (nl < sc->len && sc->s[nl] != '\n')
				nl++;
			sc->v.found = true;
			sc->v.odd_after = false;
			sc->v.value = c->value;
			sc->v.start = c->start;
			sc->v.line_end = nl < sc->len ? nl + 1 : sc->len;
			sc->v.own_line = c->line_start && (tok == T_NEWLINE || tok == T_END);
		}
	}
	if (c->words || tok != T_NEWLINE || !c->chained) {
		memset(c, 0, sizeof(*c));
		c->chained = tok == T_ANDOR;
	}
	sc->skip_word = false; /* a redirection's target never comes after the command */
	if (tok == T_ANDOR)
		sc->chain_line = sc->line;
}

/* Reads the whole file; false (with p) when it cannot be read safely. */
static bool scan_grub(const char *s, size_t len, struct grub_value *v,
		      struct vb_cmdline_problem *p)
{
	struct scan sc = { .s = s, .len = len, .line = 1, .p = p };
	bool dangling = false;

	memset(p, 0, sizeof(*p));
	for (;;) {
		struct span w = { 0, 0, false };
		size_t at = sc.pos;
		enum token tok = next_token(&sc, &w);

		if (tok == T_ERROR)
			return false;
		if (tok == T_WORD) {
			command_word(&sc, &w);
			continue;
		}
		if (tok == T_REDIR) {
			sc.skip_word = true;
			continue;
		}
		if (tok != T_END)
			at = w.start;
		else
			dangling = sc.cmd.chained && sc.cmd.words == 0;
		end_command(&sc, tok, at);
		if (tok == T_LPAREN && sc.case_depth == 0)
			nest(&sc, 1);
		if (tok == T_RPAREN && sc.case_depth == 0)
			nest(&sc, -1);
		if (tok == T_END)
			break;
	}
	/* A file the shell would not run to its end: where to add anything is not known. */
	if (sc.bad_line)
		return refuse(&sc, sc.bad_line, "a closing ')', '}', fi, done or esac without its opening");
	if (sc.depth > 0)
		return refuse(&sc, sc.open_line, "a '(', '{', if, for, while or case that is never closed");
	if (dangling)
		return refuse(&sc, sc.chain_line, "a '|', '&&' or '||' that nothing follows");
	*v = sc.v;
	return true;
}

/* Where the value's words are, and how it is quoted; false when it is not one simple string. */
static bool editable(const char *s, const struct span *value, struct span *inner, char *quote)
{
	const char *v = s + value->start;
	size_t n = value->len;

	*inner = *value;
	*quote = 0;
	if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'' && !memchr(v + 1, '\'', n - 2)) {
		*quote = '\'';
	} else if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n; i++) {
			if (v[i] == '\\') {
				i++;
				continue;
			}
			if (v[i] == '"' || v[i] == '`' || (v[i] == '$' && v[i + 1] == '('))
				return false;
		}
		*quote = '"';
	} else {
		for (size_t i = 0; i < n; i++)
			if (strchr("\"'\\$`", v[i]))
				return false;
		return true;
	}
	inner->start++;
	inner->len -= 2;
	return true;
}

/* Edits the value at v in place, or undoes record in it. */
static int edit_value(struct text *t, const struct grub_value *v, const struct vb_strv *add,
		      const struct vb_strv *remove, struct vb_edit *record, const struct vb_edit *undo)
{
	struct text value = { 0 };
	struct span inner = { 0, 0, false };
	char quote;
	int err;

	editable(t->s, &v->value, &inner, &quote);
	err = cmdline_text_set(&value, t->s + inner.start, inner.len);
	if (err == 0)
		err = undo ? cmdline_undo_words(&value, undo) : cmdline_edit_words(&value, add, remove, record);
	if (err == 0 && (value.len != inner.len || memcmp(value.s, t->s + inner.start, inner.len))) {
		if (!quote && strpbrk(value.s, " \t\n")) {
			err = cmdline_splice(&value, 0, 0, "\"", 1);
			if (err == 0)
				err = cmdline_splice(&value, value.len, 0, "\"", 1);
		}
		if (err == 0)
			err = cmdline_splice(t, inner.start, inner.len, value.s, value.len);
	}
	free(value.s);
	return err;
}

/* True when the backslash at s[at] is itself escaped (an odd run of them before it). */
static bool ends_escaped_backslash(const char *s, size_t at)
{
	size_t n = 0;

	while (at > n && s[at - 1 - n] == '\\')
		n++;
	return n % 2 == 1;
}

/* GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT FLAGS" at the end, with a comment. */
static int append_assignment(struct text *t, const struct vb_strv *add,
			     const struct vb_strv *remove, struct vb_edit *record)
{
	struct text value = { 0 };
	int err = cmdline_text_set(&value, GRUB_OLD_VALUE, strlen(GRUB_OLD_VALUE));

	if (err == 0)
		err = cmdline_edit_words(&value, add, remove, record);
	if (err == 0 && value.len > strlen(GRUB_OLD_VALUE)) {
		if (t->len && t->s[t->len - 1] != '\n')
			err = cmdline_splice(t, t->len, 0, "\n", 1);
		/* A backslash that joins the last line to the next: an empty line ends it. */
		if (err == 0 && t->len >= 2 && t->s[t->len - 2] == '\\' &&
		    !ends_escaped_backslash(t->s, t->len - 2))
			err = cmdline_splice(t, t->len, 0, "\n", 1);
		if (err == 0)
			err = cmdline_splice(t, t->len, 0, GRUB_COMMENT GRUB_VAR "=\"",
				     strlen(GRUB_COMMENT GRUB_VAR "=\""));
		if (err == 0)
			err = cmdline_splice(t, t->len, 0, value.s, value.len);
		if (err == 0)
			err = cmdline_splice(t, t->len, 0, "\"\n", 2);
	}
	free(value.s);
	return err;
}

int vb_grub_edit(const char *text, size_t len, const struct vb_strv *add,
		 const struct vb_strv *remove, struct vb_edit *record, char **out, size_t *outlen,
		 struct vb_cmdline_problem *p)
{
	struct grub_value v;
	struct span inner = { 0, 0, false };
	struct text t;
	char quote;
	int err;

	record->kind = VB_EDIT_GRUB;
	if (!scan_grub(text, len, &v, p))
		return -EINVAL;
	err = cmdline_text_set(&t, text, len);
	if (err == 0 && v.found && !v.odd_after && editable(text, &v.value, &inner, &quote)) {
		err = edit_value(&t, &v, add, remove, record, NULL);
	} else if (err == 0) {
		err = append_assignment(&t, add, remove, record);
		/* The line added must be the one in effect: not taken in by what ends the file. */
		if (err == 0 && t.len > len &&
		    (!scan_grub(t.s, t.len, &v, p) || !v.found || v.odd_after || v.start < len)) {
			memset(p, 0, sizeof(*p));
			for (size_t i = 0; i < len; i++)
				p->line += text[i] == '\n';
			p->line += len > 0 && text[len - 1] != '\n';
			snprintf(p->what, sizeof(p->what),
				 "its end runs on into what follows it (a '|', '&&' or '\\' there)");
			err = -EINVAL;
		}
	}
	return cmdline_finish(&t, err, out, outlen);
}

/* Our own line, emptied by an undo: taken out whole, with its comment. */
static int drop_own_line(struct text *t)
{
	struct grub_value v;
	struct vb_cmdline_problem p;
	static const char empty[] = "\"" GRUB_OLD_VALUE "\"";
	size_t from, clen = strlen(GRUB_COMMENT);

	if (!scan_grub(t->s, t->len, &v, &p) || !v.found || !v.own_line ||
	    v.value.len != strlen(empty) || memcmp(t->s + v.value.start, empty, v.value.len) != 0)
		return 0;
	from = v.start;
	while (from > 0 && t->s[from - 1] != '\n')
		from--;
	if (from >= clen && memcmp(t->s + from - clen, GRUB_COMMENT, clen) == 0 &&
	    (from == clen || t->s[from - clen - 1] == '\n'))
		from -= clen;
	return cmdline_splice(t, from, v.line_end - from, "", 0);
}

int vb_grub_undo(const char *text, size_t len, const struct vb_edit *record, char **out,
		 size_t *outlen, struct vb_cmdline_problem *p)
{
	struct grub_value v;
	struct span inner = { 0, 0, false };
	struct text t;
	char quote;
	int err;

	if (!scan_grub(text, len, &v, p))
		return -EINVAL;
	if (!v.found || v.odd_after || !editable(text, &v.value, &inner, &quote)) {
		p->line = 0;
		snprintf(p->what, sizeof(p->what), "no " GRUB_VAR " assignment to take the flags from");
		return -EINVAL;
	}
	err = cmdline_text_set(&t, text, len);
	if (err == 0)
		err = edit_value(&t, &v, NULL, NULL, NULL, record);
	if (err == 0)
		err = drop_own_line(&t);
	return cmdline_finish(&t, err, out, outlen);
}

