// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parameters are split as the kernel splits its command line
 * (vb_cmdline_next_param: white space outside double quotes, a quote may open
 * the whole parameter or its value). Two parameters have the same name when
 * their names are equal with '-' equal to '_', as the kernel's parameq()
 * compares them. A word "--" ends the kernel's part: what follows is init's.
 *
 * intel_iommu= is a list: the kernel reads every such word, and each option
 * of its value in turn (intel_iommu_setup(): an option that starts with "on"
 * turns the IOMMU on, one that starts with "off" turns it off, the others
 * are sub-options such as igfx_off or sm_on). configure's intel_iommu=on is
 * merged into the admin's list, so that no sub-option is ever lost.
 *
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
#include "config.h"
#include "kcmdline.h"

#define GRUB_VAR "GRUB_CMDLINE_LINUX_DEFAULT"
#define GRUB_OLD_VALUE "$" GRUB_VAR
#define GRUB_COMMENT "# Added by vfio-boot configure; vfio-boot unconfigure takes it out.\n"

struct text {
	char *s;
	size_t len;
};

struct span {
	size_t start, len;
	bool unterminated; /* a quote still open at the end of the text */
};

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

static bool next_word(const char *s, size_t len, size_t *pos, struct span *w)
{
	struct vb_cmdline_param p;

	if (!vb_cmdline_next_param(s, len, pos, &p))
		return false;
	*w = (struct span){ p.start, p.len, p.unterminated };
	return true;
}

/* Compares two words by name ('-' and '_' alike), and by value when whole. */
static bool words_match(const char *x, size_t xl, const char *y, size_t yl, bool whole)
{
	struct vb_cmdline_param px, py;
	size_t xpos = 0, ypos = 0;

	if (!vb_cmdline_next_param(x, xl, &xpos, &px) || !vb_cmdline_next_param(y, yl, &ypos, &py) ||
	    px.keylen != py.keylen)
		return false;
	for (size_t i = 0; i < px.keylen; i++) {
		char cx = x[px.key + i], cy = y[py.key + i];

		if ((cx == '-' ? '_' : cx) != (cy == '-' ? '_' : cy))
			return false;
	}
	return !whole || (px.has_value == py.has_value && px.valuelen == py.valuelen &&
			  memcmp(x + px.value, y + py.value, px.valuelen) == 0);
}

static bool is_dashdash(const char *s, const struct span *w)
{
	struct vb_cmdline_param p;
	size_t pos = w->start;

	return vb_cmdline_next_param(s, w->start + w->len, &pos, &p) && vb_cmdline_is_end(s, &p);
}

/*
 * Where "--" starts in t (t->len when there is none); *last: the last word
 * before it (len 0 when none).
 */
static size_t kernel_part(const struct text *t, struct span *last)
{
	size_t pos = 0;
	struct span w;

	*last = (struct span){ 0, 0, false };
	while (next_word(t->s, t->len, &pos, &w)) {
		if (is_dashdash(t->s, &w))
			return w.start;
		*last = w;
	}
	return t->len;
}

/* The next kernel word at or after *pos; false at "--" or the end. */
static bool kernel_word(const struct text *t, size_t *pos, struct span *w)
{
	return next_word(t->s, t->len, pos, w) && !is_dashdash(t->s, w);
}

/*
 * Adds word after the last kernel word: before "--" when there is one, and
 * before a last word whose quote never closes (it would swallow the word).
 */
static int append_word(struct text *t, const char *word)
{
	struct span last;
	size_t limit = kernel_part(t, &last), wlen = strlen(word), end;
	int err;

	if (last.len && last.unterminated)
		limit = last.start;
	if (limit < t->len) { /* before it: "word " */
		err = splice(t, limit, 0, " ", 1);
		return err < 0 ? err : splice(t, limit, 0, word, wlen);
	}
	end = last.start + last.len;
	if (last.len == 0)
		return splice(t, 0, 0, word, wlen);
	err = splice(t, end, 0, " ", 1);
	return err < 0 ? err : splice(t, end + 1, 0, word, wlen);
}

/* Takes out the kernel word at w, with the blanks before it (or after, when first). */
static int cut_word(struct text *t, const struct span *w, size_t prev_end)
{
	size_t from = prev_end, to = w->start + w->len;

	if (prev_end == 0) { /* the first word: the blanks after it go */
		from = w->start;
		while (to < t->len && (t->s[to] == ' ' || t->s[to] == '\t'))
			to++;
	}
	return splice(t, from, to - from, "", 0);
}

/* Removes every kernel word equal to word. Returns how many, or -ENOMEM. */
static int remove_word(struct text *t, const char *word)
{
	size_t pos = 0, prev_end = 0, wlen = strlen(word);
	struct span w;
	int removed = 0;

	while (kernel_word(t, &pos, &w)) {
		if (!words_match(t->s + w.start, w.len, word, wlen, true)) {
			prev_end = w.start + w.len;
			continue;
		}
		if (cut_word(t, &w, prev_end) < 0)
			return -ENOMEM;
		removed++;
		pos = prev_end;
	}
	return removed;
}

/* ------------------------------------------------------------ list parameters */

/* A parameter the kernel reads as a comma-separated list of options, each in turn. */
struct list_param {
	const char *flag; /* configure's flag: KEY=ON */
	const char *on;   /* the option that turns it on (a prefix, as strncmp() reads it) */
	const char *off;  /* the one that turns it off */
};

static const struct list_param list_params[] = {
	{ "intel_iommu=on", "on", "off" },
};

/* The list parameter word (len bytes) is one of, by its name; NULL when none. */
static const struct list_param *list_param_of(const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(list_params); i++)
		if (words_match(word, len, list_params[i].flag, strlen(list_params[i].flag), false))
			return &list_params[i];
	return NULL;
}

/* The list parameter flag turns on (flag is its KEY=ON); NULL for any other flag. */
static const struct list_param *list_flag(const char *flag)
{
	const struct list_param *lp = list_param_of(flag, strlen(flag));

	return lp && words_match(flag, strlen(flag), lp->flag, strlen(lp->flag), true) ? lp : NULL;
}

enum option_kind { OPTION_OTHER, OPTION_ON, OPTION_OFF };

/* The next option of the value that ends at end, from *pos; false when none is left. */
static bool next_option(const char *s, size_t end, size_t *pos, struct span *o)
{
	while (*pos < end && s[*pos] == ',')
		(*pos)++;
	if (*pos >= end)
		return false;
	o->start = *pos;
	while (*pos < end && s[*pos] != ',')
		(*pos)++;
	o->len = *pos - o->start;
	return true;
}

static enum option_kind option_kind(const struct list_param *lp, const char *s,
				    const struct span *o)
{
	size_t on = strlen(lp->on), off = strlen(lp->off);

	if (o->len >= on && memcmp(s + o->start, lp->on, on) == 0)
		return OPTION_ON;
	if (o->len >= off && memcmp(s + o->start, lp->off, off) == 0)
		return OPTION_OFF;
	return OPTION_OTHER;
}

/*
 * Reads every kernel word of lp's key in s (len bytes) as the kernel does.
 * Returns 1 when it ends on, 0 when off, -1 when no option says either;
 * *after_on: where the last "on" option ends (0 when none); *words: how many
 * words have the key; *last: the last of them.
 */
static int list_state(const char *s, size_t len, const struct list_param *lp, size_t *after_on,
		      size_t *words, struct span *last)
{
	size_t pos = 0;
	struct span w;
	int state = -1;

	*after_on = 0;
	*words = 0;
	while (next_word(s, len, &pos, &w) && !is_dashdash(s, &w)) {
		struct vb_cmdline_param p;
		size_t at = w.start, opos;
		struct span o;

		if (!words_match(s + w.start, w.len, lp->flag, strlen(lp->flag), false))
			continue;
		(*words)++;
		*last = w;
		vb_cmdline_next_param(s, w.start + w.len, &at, &p);
		for (opos = p.value; next_option(s, p.value + p.valuelen, &opos, &o);) {
			enum option_kind k = option_kind(lp, s, &o);

			if (k == OPTION_ON) {
				state = 1;
				*after_on = o.start + o.len;
			} else if (k == OPTION_OFF) {
				state = 0;
			}
		}
	}
	return state;
}

/*
 * The word w of t with lp turned on: every "off" option at or after
 * after_on starts with "on" instead; with merge_on (no option said either),
 * "on" is put first in its list. Returns a new string, or NULL on ENOMEM.
 */
static char *list_word_on(const struct text *t, const struct span *w, const struct list_param *lp,
			  size_t after_on, bool merge_on)
{
	struct vb_cmdline_param p;
	struct text word = { 0 };
	size_t at = w->start, opos, shorter = 0;
	struct span o;
	int err;

	vb_cmdline_next_param(t->s, w->start + w->len, &at, &p);
	err = text_set(&word, t->s + w->start, w->len);
	if (err == 0 && merge_on) {
		if (!p.has_value)
			err = splice(&word, p.key + p.keylen - w->start, 0, "=", 1);
		if (err == 0)
			err = splice(&word, (p.has_value ? p.value : p.key + p.keylen + 1) - w->start, 0,
				     lp->on, strlen(lp->on));
		if (err == 0 && p.valuelen)
			err = splice(&word, p.value - w->start + strlen(lp->on), 0, ",", 1);
	}
	for (opos = p.value; err == 0 && !merge_on && next_option(t->s, p.value + p.valuelen, &opos, &o);) {
		if (o.start < after_on || option_kind(lp, t->s, &o) != OPTION_OFF)
			continue;
		/* Only its "off": the kernel reads what starts with "on" as on, and quotes stay. */
		err = splice(&word, o.start - w->start - shorter, strlen(lp->off), lp->on,
			     strlen(lp->on));
		shorter += strlen(lp->off) - strlen(lp->on);
	}
	if (err < 0) {
		free(word.s);
		return NULL;
	}
	return word.s;
}

/*
 * Turns lp on in t, keeping every option: nothing to do when the kernel
 * would read it on already; else each word that says "off" after the last
 * "on" says "on" there instead, or, when no word says either, "on" goes
 * first in the last word's list; with no word at all, the flag is added.
 * Each word changed is a replaced pair of record.
 */
static int set_list_flag(struct text *t, const char *flag, const struct list_param *lp,
			 struct vb_edit *record)
{
	size_t after_on, words, pos = 0;
	struct span w, last = { 0, 0, false };
	int state = list_state(t->s, t->len, lp, &after_on, &words, &last), err = 0;

	if (state == 1)
		return 0;
	if (words == 0) {
		err = append_word(t, flag);
		return err < 0 ? err : vb_strv_add(&record->added, "%s", flag);
	}
	while (err == 0 && kernel_word(t, &pos, &w)) {
		bool merge_on = state < 0 && w.start == last.start;
		char *now;

		if (!words_match(t->s + w.start, w.len, lp->flag, strlen(lp->flag), false) ||
		    (state < 0 && !merge_on))
			continue;
		now = list_word_on(t, &w, lp, after_on, merge_on);
		if (!now)
			return -ENOMEM;
		if (strlen(now) != w.len || memcmp(now, t->s + w.start, w.len) != 0) {
			err = vb_strv_add(&record->replaced_old, "%.*s", (int)w.len, t->s + w.start);
			if (err == 0)
				err = vb_strv_add(&record->replaced_new, "%s", now);
			if (err == 0)
				err = splice(t, w.start, w.len, now, strlen(now));
			pos = w.start + strlen(now);
		}
		free(now);
	}
	return err;
}

/* ------------------------------------------------------------ guides' leftovers */

/*
 * Parameters guides have people put on the command line that defeat
 * vfio-boot: vfio-pci's ids= takes every device with the IDs at boot, an
 * identical host card too, whatever vfio_boot.disable says.
 */
static const char *const leftover_keys[] = { "vfio_pci.ids" };

static bool is_leftover(const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(leftover_keys); i++)
		if (words_match(word, len, leftover_keys[i], strlen(leftover_keys[i]), false))
			return true;
	return false;
}

/* True when a flag of add has word's key: configure wants that parameter itself. */
static bool wanted_key(const struct vb_strv *add, const char *word, size_t len)
{
	for (size_t i = 0; add && i < add->count; i++)
		if (words_match(word, len, add->items[i], strlen(add->items[i]), false))
			return true;
	return false;
}

/* Takes every leftover out of t (those add asks for stay); record->dropped gets each. */
static int drop_leftovers(struct text *t, const struct vb_strv *add, struct vb_edit *record)
{
	size_t pos = 0, prev_end = 0;
	struct span w;
	int err = 0;

	while (err == 0 && kernel_word(t, &pos, &w)) {
		/* A word the journal cannot hold as one line stays (check warns of it). */
		if (!is_leftover(t->s + w.start, w.len) || wanted_key(add, t->s + w.start, w.len) ||
		    memchr(t->s + w.start, '\n', w.len) || w.len > VB_EDIT_WORD_MAX) {
			prev_end = w.start + w.len;
			continue;
		}
		err = vb_strv_add(&record->dropped, "%.*s", (int)w.len, t->s + w.start);
		if (err == 0)
			err = cut_word(t, &w, prev_end);
		pos = prev_end;
	}
	return err;
}

/*
 * Parameters the kernel takes many times, each word adding to a list:
 * video= (each is one entry of the fbdev mode options, fb_get_options() in
 * drivers/video/fbdev/core/fb_cmdline.c, video_setup() in drivers/video/cmdline.c)
 * and initcall_blacklist= (each adds its names, initcall_blacklist() in
 * init/main.c). A flag of theirs joins the admin's words, never replaces one.
 */
static bool repeatable_flag(const char *flag)
{
	static const char *const keys[] = { "video=", "initcall_blacklist=" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strncmp(flag, keys[i], strlen(keys[i])) == 0)
			return true;
	return false;
}

/* True when the very word flag is a kernel word of t. */
static bool has_word(const char *s, size_t len, const char *flag)
{
	size_t pos = 0;
	struct span w;

	while (next_word(s, len, &pos, &w) && !is_dashdash(s, &w))
		if (words_match(s + w.start, w.len, flag, strlen(flag), true))
			return true;
	return false;
}

/*
 * Makes flag the only kernel word with its key: nothing to do when every
 * word with that key is the flag already; otherwise the first becomes the
 * flag and the others go, or the flag is added. record gets what was done.
 */
static int set_flag(struct text *t, const char *flag, struct vb_edit *record)
{
	size_t flen = strlen(flag), pos = 0, prev_end = 0;
	struct span w, first = { 0, 0, false };
	struct text old = { 0 };
	bool found = false, all_same = true;
	const struct list_param *lp = list_flag(flag);
	int err = 0;

	if (lp)
		return set_list_flag(t, flag, lp, record);
	if (repeatable_flag(flag)) {
		if (has_word(t->s, t->len, flag))
			return 0;
		err = append_word(t, flag);
		return err < 0 ? err : vb_strv_add(&record->added, "%s", flag);
	}
	while (kernel_word(t, &pos, &w)) {
		if (words_match(t->s + w.start, w.len, flag, flen, false)) {
			all_same = all_same && words_match(t->s + w.start, w.len, flag, flen, true);
			if (!found)
				first = w;
			found = true;
		}
	}
	if (found && all_same)
		return 0;
	if (!found) {
		err = append_word(t, flag);
		return err < 0 ? err : vb_strv_add(&record->added, "%s", flag);
	}
	/* The words it replaces, in order, then the later ones dropped. */
	err = text_set(&old, "", 0);
	pos = first.start;
	while (err == 0 && kernel_word(t, &pos, &w)) {
		if (!words_match(t->s + w.start, w.len, flag, flen, false)) {
			prev_end = w.start + w.len;
			continue;
		}
		err = splice(&old, old.len, 0, " ", old.len ? 1 : 0);
		if (err == 0)
			err = splice(&old, old.len, 0, t->s + w.start, w.len);
		if (err == 0 && w.start != first.start) {
			err = cut_word(t, &w, prev_end);
			pos = prev_end;
		} else {
			prev_end = w.start + w.len;
		}
	}
	if (err == 0)
		err = splice(t, first.start, first.len, flag, flen);
	if (err == 0)
		err = vb_strv_add(&record->replaced_old, "%s", old.s);
	if (err == 0)
		err = vb_strv_add(&record->replaced_new, "%s", flag);
	free(old.s);
	return err;
}

/* The edit itself on a command line text. */
static int edit_words(struct text *t, const struct vb_strv *add, const struct vb_strv *remove,
		      struct vb_edit *record)
{
	int err = drop_leftovers(t, add, record);

	for (size_t i = 0; err >= 0 && remove && i < remove->count; i++) {
		bool wanted = add && vb_strv_contains(add, remove->items[i]);

		err = wanted ? 0 : remove_word(t, remove->items[i]);
		if (err > 0)
			err = vb_strv_add(&record->removed, "%s", remove->items[i]);
	}
	for (size_t i = 0; err >= 0 && add && i < add->count; i++)
		err = set_flag(t, add->items[i], record);
	return err < 0 ? err : 0;
}

/* Adds word again unless a word with its key (whole: the very word) is there. */
static int put_back(struct text *t, const char *word, bool whole)
{
	bool present = false;
	size_t pos = 0;
	struct span w;

	while (kernel_word(t, &pos, &w))
		present = present || words_match(t->s + w.start, w.len, word, strlen(word), whole);
	return present ? 0 : append_word(t, word);
}

/* Takes record's edit back out of t: each part only where it is still to be found. */
static int undo_words(struct text *t, const struct vb_edit *record)
{
	int err = 0;

	for (size_t i = record->replaced_new.count; err >= 0 && i-- > 0;) {
		const char *now = record->replaced_new.items[i];
		size_t pos = 0, nlen = strlen(now);
		struct span w;

		while (kernel_word(t, &pos, &w)) {
			if (words_match(t->s + w.start, w.len, now, nlen, true)) {
				const char *old = record->replaced_old.items[i];

				err = splice(t, w.start, w.len, old, strlen(old));
				break;
			}
		}
	}
	for (size_t i = record->added.count; err >= 0 && i-- > 0;)
		err = remove_word(t, record->added.items[i]);
	for (size_t i = 0; err >= 0 && i < record->removed.count; i++)
		err = put_back(t, record->removed.items[i], false);
	/* A guide's leftover comes back unless the very word is there again. */
	for (size_t i = 0; err >= 0 && i < record->dropped.count; i++)
		err = put_back(t, record->dropped.items[i], true);
	return err < 0 ? err : 0;
}

static int finish(struct text *t, int err, char **out, size_t *outlen)
{
	if (err < 0) {
		free(t->s);
		return err;
	}
	*out = t->s;
	*outlen = t->len;
	return 0;
}

/* ------------------------------------------------------------ /etc/kernel/cmdline */

int vb_kernel_cmdline_edit(const char *text, size_t len, const struct vb_strv *add,
			   const struct vb_strv *remove, struct vb_edit *record, char **out,
			   size_t *outlen)
{
	struct text t;
	int err = text_set(&t, text, len);

	record->kind = VB_EDIT_KERNEL_CMDLINE;
	if (err == 0)
		err = edit_words(&t, add, remove, record);
	/* A file that was empty gets a line. */
	if (err == 0 && len == 0 && t.len > 0)
		err = splice(&t, t.len, 0, "\n", 1);
	return finish(&t, err, out, outlen);
}

int vb_kernel_cmdline_undo(const char *text, size_t len, const struct vb_edit *record,
			   char **out, size_t *outlen)
{
	struct text t;
	int err = text_set(&t, text, len);

	if (err == 0)
		err = undo_words(&t, record);
	return finish(&t, err, out, outlen);
}

char *vb_kernel_cmdline_from_running(const char *cmdline)
{
	size_t len = strlen(cmdline), pos = 0;
	struct text t;
	struct span w;

	if (text_set(&t, "", 0) < 0)
		return NULL;
	while (next_word(cmdline, len, &pos, &w)) {
		const char *word = cmdline + w.start;

		if ((w.len >= 11 && strncmp(word, "BOOT_IMAGE=", 11) == 0) ||
		    (w.len >= 7 && strncmp(word, "initrd=", 7) == 0))
			continue;
		if ((t.len && splice(&t, t.len, 0, " ", 1) < 0) ||
		    splice(&t, t.len, 0, word, w.len) < 0) {
			free(t.s);
			return NULL;
		}
	}
	if (splice(&t, t.len, 0, "\n", 1) < 0) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* ------------------------------------------------------------ /etc/default/grub */

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
	err = text_set(&value, t->s + inner.start, inner.len);
	if (err == 0)
		err = undo ? undo_words(&value, undo) : edit_words(&value, add, remove, record);
	if (err == 0 && (value.len != inner.len || memcmp(value.s, t->s + inner.start, inner.len))) {
		if (!quote && strpbrk(value.s, " \t\n")) {
			err = splice(&value, 0, 0, "\"", 1);
			if (err == 0)
				err = splice(&value, value.len, 0, "\"", 1);
		}
		if (err == 0)
			err = splice(t, inner.start, inner.len, value.s, value.len);
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
	int err = text_set(&value, GRUB_OLD_VALUE, strlen(GRUB_OLD_VALUE));

	if (err == 0)
		err = edit_words(&value, add, remove, record);
	if (err == 0 && value.len > strlen(GRUB_OLD_VALUE)) {
		if (t->len && t->s[t->len - 1] != '\n')
			err = splice(t, t->len, 0, "\n", 1);
		/* A backslash that joins the last line to the next: an empty line ends it. */
		if (err == 0 && t->len >= 2 && t->s[t->len - 2] == '\\' &&
		    !ends_escaped_backslash(t->s, t->len - 2))
			err = splice(t, t->len, 0, "\n", 1);
		if (err == 0)
			err = splice(t, t->len, 0, GRUB_COMMENT GRUB_VAR "=\"",
				     strlen(GRUB_COMMENT GRUB_VAR "=\""));
		if (err == 0)
			err = splice(t, t->len, 0, value.s, value.len);
		if (err == 0)
			err = splice(t, t->len, 0, "\"\n", 2);
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
	err = text_set(&t, text, len);
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
	return finish(&t, err, out, outlen);
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
	return splice(t, from, v.line_end - from, "", 0);
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
	err = text_set(&t, text, len);
	if (err == 0)
		err = edit_value(&t, &v, NULL, NULL, NULL, record);
	if (err == 0)
		err = drop_own_line(&t);
	return finish(&t, err, out, outlen);
}

/* ------------------------------------------------------------ running kernels */

int vb_cmdline_has_all(const char *cmdline, const char *const *flags, size_t nflags)
{
	size_t len = strlen(cmdline);

	for (size_t i = 0; i < nflags; i++) {
		size_t flen = strlen(flags[i]), pos = 0, after_on, words;
		struct span w, last = { 0, 0, false };
		const struct list_param *lp = list_flag(flags[i]);
		bool found = false;

		if (lp) {
			if (list_state(cmdline, len, lp, &after_on, &words, &last) != 1)
				return 0;
			continue;
		}
		if (repeatable_flag(flags[i])) {
			if (!has_word(cmdline, len, flags[i]))
				return 0;
			continue;
		}
		while (next_word(cmdline, len, &pos, &w)) {
			if (is_dashdash(cmdline, &w))
				break;
			if (words_match(cmdline + w.start, w.len, flags[i], flen, false)) {
				last = w;
				found = true;
			}
		}
		if (!found || !words_match(cmdline + last.start, last.len, flags[i], flen, true))
			return 0;
	}
	return 1;
}

bool vb_cmdline_has_key(const char *cmdline, const char *flag)
{
	size_t len = strlen(cmdline), pos = 0;
	struct span w;

	while (next_word(cmdline, len, &pos, &w) && !is_dashdash(cmdline, &w))
		if (words_match(cmdline + w.start, w.len, flag, strlen(flag), false))
			return true;
	return false;
}

int vb_edit_ours(const struct vb_edit *e, struct vb_strv *ours)
{
	int err = 0;

	for (size_t w = 0; err == 0 && w < e->added.count; w++)
		err = vb_strv_add_unique(ours, e->added.items[w]);
	for (size_t w = 0; err == 0 && w < e->replaced_new.count; w++) {
		const char *word = e->replaced_new.items[w];

		err = vb_strv_add_unique(ours, vb_cmdline_own_flag(word));
	}
	for (size_t w = 0; w < e->removed.count; w++)
		for (size_t o = 0; o < ours->count; o++)
			if (strcmp(ours->items[o], e->removed.items[w]) == 0) {
				free(ours->items[o]);
				ours->items[o] = ours->items[--ours->count];
				break;
			}
	return err;
}

const char *vb_cmdline_own_flag(const char *word)
{
	const struct list_param *lp = list_param_of(word, strlen(word));
	size_t after_on, words;
	struct span last;

	return lp && list_state(word, strlen(word), lp, &after_on, &words, &last) == 1 ? lp->flag :
										       word;
}

int vb_cmdline_leftovers(const char *cmdline, struct vb_strv *words)
{
	size_t len = strlen(cmdline), pos = 0;
	struct span w;
	int err = 0;

	while (err == 0 && next_word(cmdline, len, &pos, &w) && !is_dashdash(cmdline, &w))
		if (is_leftover(cmdline + w.start, w.len))
			err = vb_strv_add(words, "%.*s", (int)w.len, cmdline + w.start);
	return err;
}

char *vb_cmdline_merged(const char *word, const char *flag)
{
	const struct list_param *lp = list_flag(flag);
	struct text t = { (char *)word, strlen(word) };
	size_t after_on, words;
	struct span last = { 0, 0, false };
	int state;

	if (!lp || !words_match(word, t.len, flag, strlen(flag), false))
		return strdup(flag);
	state = list_state(word, t.len, lp, &after_on, &words, &last);
	if (state == 1 || words != 1)
		return strdup(state == 1 ? word : flag);
	return list_word_on(&t, &last, lp, after_on, state < 0);
}
