/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The command line editor's own text helpers, shared by kcmdline.c (the
 * words) and grub_default.c (/etc/default/grub): not for other rooms.
 */
#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "strv.h"

struct text {
	char *s;
	size_t len;
};

struct span {
	size_t start, len;
	bool unterminated; /* a quote still open at the end of the text */
};

/* t becomes a copy of len bytes of s. Returns 0 or -ENOMEM. */
int cmdline_text_set(struct text *t, const char *s, size_t len);

/* Replaces cut bytes at at with ins. Returns 0 or -ENOMEM. */
int cmdline_splice(struct text *t, size_t at, size_t cut, const char *ins, size_t inslen);

/* The edit itself on a command line text (kcmdline.h says what it does). */
int cmdline_edit_words(struct text *t, const struct vb_strv *add, const struct vb_strv *remove,
		       struct vb_edit *record);

/* Takes record's edit back out of t: each part only where it is still to be found. */
int cmdline_undo_words(struct text *t, const struct vb_edit *record);

/* Hands t over as *out (*outlen bytes), or frees it when err < 0. Returns err or 0. */
int cmdline_finish(struct text *t, int err, char **out, size_t *outlen);
