/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Untrusted bytes on their way to a reader: UTF-8 checks, cuts at character
 * boundaries, and the one rule for what reaches a terminal or the kernel log.
 */

/*
 * Length of the well-formed UTF-8 character at s (at most avail bytes):
 * 1 to 4, or 0 when the bytes there are not one (a stray continuation byte,
 * an overlong form, a surrogate, above U+10FFFF, or cut short).
 */
size_t vb_utf8_char_len(const char *s, size_t avail);

/* The longest prefix of s[0..len) of at most max bytes that cuts no character in two. */
size_t vb_utf8_cut(const char *s, size_t len, size_t max);

/*
 * The length of s[0..len) without a character cut short at its end (what a
 * truncating snprintf leaves): len, or the offset of that character's lead byte.
 */
size_t vb_utf8_complete(const char *s, size_t len);

/*
 * snprintf into buf; when the text does not fit it is cut before a
 * character, never through one. Returns the length written.
 */
size_t vb_text_format(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The log rule, for every line that goes to the kernel log, stderr or a
 * terminal: copies s into buf (size bytes, NUL-terminated) with well-formed
 * UTF-8 kept as it is and control characters (C0, DEL, C1) and bytes that are
 * not UTF-8 written as \xNN, so a line can neither move the cursor, clear the
 * screen nor forge a second line. When the whole does not fit, it is cut
 * before a character or an escape and ends in "...". Returns true when cut.
 */
bool vb_text_printable(char *buf, size_t size, const char *s);
