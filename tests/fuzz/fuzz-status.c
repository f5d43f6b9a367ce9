// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: reading status.json (the JSON reader and the report on
 * it), and the writer on the same bytes. Properties: a document the reader
 * accepts, written out again with the writer, reads back the same; the
 * writer's form of any bytes is valid UTF-8 that the reader accepts, and
 * gives back bytes that were valid UTF-8 as they were.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "status.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_value(FILE *out, const struct vb_json_value *v)
{
	switch (v->type) {
	case VB_JSON_NULL: fputs("null", out); break;
	case VB_JSON_TRUE: fputs("true", out); break;
	case VB_JSON_FALSE: fputs("false", out); break;
	case VB_JSON_NUMBER: fputs(v->text, out); break;
	case VB_JSON_STRING: vb_json_string(out, v->text); break;
	case VB_JSON_ARRAY:
	case VB_JSON_OBJECT:
		fputc(v->type == VB_JSON_ARRAY ? '[' : '{', out);
		for (size_t i = 0; i < v->count; i++) {
			if (i)
				fputc(',', out);
			if (v->type == VB_JSON_OBJECT) {
				vb_json_string(out, v->keys[i]);
				fputc(':', out);
			}
			write_value(out, &v->items[i]);
		}
		fputc(v->type == VB_JSON_ARRAY ? ']' : '}', out);
		break;
	}
}

static bool same(const struct vb_json_value *a, const struct vb_json_value *b)
{
	if (a->type != b->type || a->count != b->count || a->len != b->len)
		return false;
	if (a->text && memcmp(a->text, b->text, a->len) != 0)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if ((a->keys && strcmp(a->keys[i], b->keys[i]) != 0) || !same(&a->items[i], &b->items[i]))
			return false;
	return true;
}

static char *written(void (*write)(FILE *, const void *), const void *arg, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (!out)
		return NULL;
	write(out, arg);
	fclose(out);
	return text;
}

static bool all_utf8(const char *s, size_t len)
{
	for (size_t pos = 0, n; pos < len; pos += n)
		if ((n = vb_utf8_char_len(s + pos, len - pos)) == 0)
			return false;
	return true;
}

static void write_tree(FILE *out, const void *v) { write_value(out, v); }
static void write_string(FILE *out, const void *s) { vb_json_string(out, s); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_json_value v, again;
	struct vb_status status;
	char *text, *copy;
	size_t len;

	if (vb_status_parse((const char *)data, size, &status, NULL, 0) == 0) {
		for (size_t i = 0; i < status.count; i++)
			vb_status_device(&status, status.devices[i].address);
		vb_status_free(&status);
	}
	if (vb_json_parse((const char *)data, size, &v, NULL, 0) == 0) {
		text = written(write_tree, &v, &len);
		if (!text || vb_json_parse(text, len, &again, NULL, 0) != 0 || !same(&v, &again))
			abort(); /* the writer's form does not read back the same */
		vb_json_free(&again);
		vb_json_free(&v);
		free(text);
	}

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	text = written(write_string, copy, &len);
	if (text && !all_utf8(text, len))
		abort(); /* the writer emitted bytes that are not UTF-8 */
	if (!text || vb_json_parse(text, len, &v, NULL, 0) != 0 || v.type != VB_JSON_STRING)
		abort(); /* the writer's string does not read back */
	if (all_utf8(copy, strlen(copy)) && strcmp(v.text, copy) != 0)
		abort(); /* valid UTF-8 did not come back as it was */
	vb_json_free(&v);
	free(text);
	free(copy);
	return 0;
}
