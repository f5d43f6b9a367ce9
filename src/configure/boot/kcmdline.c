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
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "config.h"
#include "kcmdline.h"
#include "kcmdline_text.h"

int cmdline_text_set(struct text *t, const char *s, size_t len)
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
int cmdline_splice(struct text *t, size_t at, size_t cut, const char *ins, size_t inslen)
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
		err = cmdline_splice(t, limit, 0, " ", 1);
		return err < 0 ? err : cmdline_splice(t, limit, 0, word, wlen);
	}
	end = last.start + last.len;
	if (last.len == 0)
		return cmdline_splice(t, 0, 0, word, wlen);
	err = cmdline_splice(t, end, 0, " ", 1);
	return err < 0 ? err : cmdline_splice(t, end + 1, 0, word, wlen);
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
	return cmdline_splice(t, from, to - from, "", 0);
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

/*
 * intel_iommu= (intel_iommu_setup()) and x86's iommu= (iommu_setup() in
 * arch/x86/kernel/pci-dma.c: "pt" sets passthrough, "nopt" takes it back,
 * "soft", "force" and the others are settings of their own). Both compare
 * each option by its prefix, with strncmp().
 */
static const struct list_param list_params[] = {
	{ "intel_iommu=on", "on", "off" },
	{ "iommu=pt", "pt", "nopt" },
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
	err = cmdline_text_set(&word, t->s + w->start, w->len);
	if (err == 0 && merge_on) {
		if (!p.has_value)
			err = cmdline_splice(&word, p.key + p.keylen - w->start, 0, "=", 1);
		if (err == 0)
			err = cmdline_splice(&word, (p.has_value ? p.value : p.key + p.keylen + 1) - w->start, 0,
				     lp->on, strlen(lp->on));
		if (err == 0 && p.valuelen)
			err = cmdline_splice(&word, p.value - w->start + strlen(lp->on), 0, ",", 1);
	}
	for (opos = p.value; err == 0 && !merge_on && next_option(t->s, p.value + p.valuelen, &opos, &o);) {
		if (o.start < after_on || option_kind(lp, t->s, &o) != OPTION_OFF)
			continue;
		/* Only its "off": the kernel reads what starts with "on" as on, and quotes stay. */
		err = cmdline_splice(&word, o.start - w->start - shorter, strlen(lp->off), lp->on,
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
				err = cmdline_splice(t, w.start, w.len, now, strlen(now));
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
	err = cmdline_text_set(&old, "", 0);
	pos = first.start;
	while (err == 0 && kernel_word(t, &pos, &w)) {
		if (!words_match(t->s + w.start, w.len, flag, flen, false)) {
			prev_end = w.start + w.len;
			continue;
		}
		err = cmdline_splice(&old, old.len, 0, " ", old.len ? 1 : 0);
		if (err == 0)
			err = cmdline_splice(&old, old.len, 0, t->s + w.start, w.len);
		if (err == 0 && w.start != first.start) {
			err = cut_word(t, &w, prev_end);
			pos = prev_end;
		} else {
			prev_end = w.start + w.len;
		}
	}
	if (err == 0)
		err = cmdline_splice(t, first.start, first.len, flag, flen);
	if (err == 0)
		err = vb_strv_add(&record->replaced_old, "%s", old.s);
	if (err == 0)
		err = vb_strv_add(&record->replaced_new, "%s", flag);
	free(old.s);
	return err;
}

/* The edit itself on a command line text. */
int cmdline_edit_words(struct text *t, const struct vb_strv *add, const struct vb_strv *remove,
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
int cmdline_undo_words(struct text *t, const struct vb_edit *record)
{
	int err = 0;

	for (size_t i = record->replaced_new.count; err >= 0 && i-- > 0;) {
		const char *now = record->replaced_new.items[i];
		size_t pos = 0, nlen = strlen(now);
		struct span w;

		while (kernel_word(t, &pos, &w)) {
			if (words_match(t->s + w.start, w.len, now, nlen, true)) {
				const char *old = record->replaced_old.items[i];

				err = cmdline_splice(t, w.start, w.len, old, strlen(old));
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

int cmdline_finish(struct text *t, int err, char **out, size_t *outlen)
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
	int err = cmdline_text_set(&t, text, len);

	record->kind = VB_EDIT_KERNEL_CMDLINE;
	if (err == 0)
		err = cmdline_edit_words(&t, add, remove, record);
	/* A file that was empty gets a line. */
	if (err == 0 && len == 0 && t.len > 0)
		err = cmdline_splice(&t, t.len, 0, "\n", 1);
	return cmdline_finish(&t, err, out, outlen);
}

int vb_kernel_cmdline_undo(const char *text, size_t len, const struct vb_edit *record,
			   char **out, size_t *outlen)
{
	struct text t;
	int err = cmdline_text_set(&t, text, len);

	if (err == 0)
		err = cmdline_undo_words(&t, record);
	return cmdline_finish(&t, err, out, outlen);
}

char *vb_kernel_cmdline_from_running(const char *cmdline)
{
	size_t len = strlen(cmdline), pos = 0;
	struct text t;
	struct span w;

	if (cmdline_text_set(&t, "", 0) < 0)
		return NULL;
	while (next_word(cmdline, len, &pos, &w)) {
		const char *word = cmdline + w.start;

		if ((w.len >= 11 && strncmp(word, "BOOT_IMAGE=", 11) == 0) ||
		    (w.len >= 7 && strncmp(word, "initrd=", 7) == 0))
			continue;
		if ((t.len && cmdline_splice(&t, t.len, 0, " ", 1) < 0) ||
		    cmdline_splice(&t, t.len, 0, word, w.len) < 0) {
			free(t.s);
			return NULL;
		}
	}
	if (cmdline_splice(&t, t.len, 0, "\n", 1) < 0) {
		free(t.s);
		return NULL;
	}
	return t.s;
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
