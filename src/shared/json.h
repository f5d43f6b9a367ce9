/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * JSON for status.json and --json output: one writer, one reader.
 *
 * The writer (struct vb_json) is the only code that writes JSON. It owns the
 * structure: objects, arrays, keys, the commas between members and the
 * layout; its caller says only what goes in. It refuses misuse (a key outside
 * an object, a value in an object without its key, an end that does not
 * match, a second document): nothing more is written, and vb_json_finish
 * says -EINVAL.
 *
 * Strings are always valid UTF-8, whatever bytes they are given: '"', '\'
 * and control characters are escaped, well-formed UTF-8 is copied, and any
 * byte that is not part of a well-formed UTF-8 character is written as the
 * escape \u00NN of its value (so a reader gets the Latin-1 character of that
 * byte: the value stays visible, the document stays valid).
 *
 * Layout: a container opened VB_JSON_LINES puts each member on a line of its
 * own, indented two spaces a level ("[\n  1,\n  2\n]"); one opened
 * VB_JSON_INLINE keeps them on its line ("[1, 2]"); keys are followed by ": ".
 * A document that is an object or an array ends with a newline.
 */

#define VB_JSON_DEPTH_MAX 64 /* deeper nesting is refused, by the writer and the reader */

enum vb_json_layout {
	VB_JSON_INLINE, /* {"a": 1, "b": 2} */
	VB_JSON_LINES,  /* one member a line */
};

struct vb_json_open {
	bool object;   /* else an array */
	bool lines;    /* VB_JSON_LINES */
	size_t count;  /* members written */
};

struct vb_json {
	FILE *out;
	size_t written; /* bytes written so far (status.json's cap counts them) */
	int err;        /* 0, or the first error (vb_json_finish): nothing is written after it */
	bool done;      /* one whole document has been written */
	bool keyed;     /* a key was written, its value not yet */
	unsigned depth; /* containers open */
	struct vb_json_open open[VB_JSON_DEPTH_MAX];
};

/* Starts a document on out. Every call below writes at most one value (or key) to it. */
void vb_json_init(struct vb_json *w, FILE *out);

/*
 * 0 when exactly one whole document was written; -EINVAL after a misuse or
 * when a container is still open or nothing was written; -ENOMEM when a
 * string could not be formatted; -EIO when out had a write error. Flushes out.
 */
int vb_json_finish(struct vb_json *w);

/* Opens an object (then keys and their values), or closes the one open now. */
void vb_json_begin_object(struct vb_json *w, enum vb_json_layout layout);
void vb_json_end_object(struct vb_json *w);

/* Opens an array (then values), or closes the one open now. */
void vb_json_begin_array(struct vb_json *w, enum vb_json_layout layout);
void vb_json_end_array(struct vb_json *w);

/* The name of the next member of the object open now. */
void vb_json_key(struct vb_json *w, const char *key);

/* A string, or null when s is NULL. */
void vb_json_string(struct vb_json *w, const char *s);

/* A string, or null when s is NULL or empty. */
void vb_json_string_or_null(struct vb_json *w, const char *s);

/* A string formatted as printf does. */
void vb_json_stringf(struct vb_json *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A string of at most max bytes between its quotes: when it is longer it is
 * cut before a character or an escape and ends in "...". Returns true when cut.
 */
bool vb_json_string_cut(struct vb_json *w, const char *s, size_t max);

/* A number, true or false, null. */
void vb_json_number(struct vb_json *w, long long n);
void vb_json_bool(struct vb_json *w, bool b);
void vb_json_null(struct vb_json *w);

/* A number given as its text (as the reader keeps it); refused unless it is a JSON number. */
void vb_json_number_text(struct vb_json *w, const char *text);

/* A member: its key, then its value. */
void vb_json_field_string(struct vb_json *w, const char *key, const char *s);
void vb_json_field_number(struct vb_json *w, const char *key, long long n);
void vb_json_field_bool(struct vb_json *w, const char *key, bool b);

/* A member whose value is value in digits lower-case hex digits, as a string ("10de"). */
void vb_json_field_hex(struct vb_json *w, const char *key, unsigned value, int digits);

/* A parsed JSON value (the reader). */
enum vb_json_type {
	VB_JSON_NULL,
	VB_JSON_FALSE,
	VB_JSON_TRUE,
	VB_JSON_NUMBER,
	VB_JSON_STRING,
	VB_JSON_ARRAY,
	VB_JSON_OBJECT,
};

struct vb_json_value {
	enum vb_json_type type;
	char *text;                  /* STRING: decoded UTF-8; NUMBER: as written */
	size_t len;                  /* of text */
	struct vb_json_value *items; /* ARRAY: elements; OBJECT: member values */
	char **keys;                 /* OBJECT: member names, decoded */
	size_t count;                /* of items (and keys) */
};

/*
 * Parses one JSON document (RFC 8259: UTF-8, nothing after the value but
 * white space) of len bytes into *value. Strings are decoded, surrogate
 * pairs joined; "\u0000", lone surrogates and text that is not UTF-8 are
 * refused. Returns 0, -ENOMEM, or -EINVAL with a short reason and its byte
 * offset in why (why_size bytes).
 */
int vb_json_parse(const char *text, size_t len, struct vb_json_value *value, char *why,
		  size_t why_size);

void vb_json_free(struct vb_json_value *value);

/* The value of member key of an object; NULL when absent or not an object. */
const struct vb_json_value *vb_json_member(const struct vb_json_value *object,
					   const char *key);

/* The text of a string value; NULL for anything else. */
const char *vb_json_text(const struct vb_json_value *value);
