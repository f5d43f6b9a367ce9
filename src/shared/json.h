/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * JSON for status.json and --json output: one writer, one reader.
 *
 * The writer always emits valid UTF-8, whatever bytes it is given: '"', '\'
 * and control characters are escaped, well-formed UTF-8 is copied, and any
 * byte that is not part of a well-formed UTF-8 character is written as the
 * escape \u00NN of its value (so a reader gets the Latin-1 character of that
 * byte: the value stays visible, the document stays valid).
 */

/* Writes s as a JSON string literal, or null when s is NULL. */
void vb_json_string(FILE *out, const char *s);

/* Writes s as a JSON string, or null when s is NULL or empty. */
void vb_json_string_or_null(FILE *out, const char *s);

/*
 * Writes s as a JSON string literal of at most max bytes between its quotes:
 * when it is longer it is cut before a character or an escape and ends in
 * "...". Returns true when cut.
 */
bool vb_json_string_cut(FILE *out, const char *s, size_t max);

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

#define VB_JSON_DEPTH_MAX 64 /* deeper nesting is refused */

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
