// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: reading status.json (the JSON reader and the report on
 * it), and the writer on the same bytes. Properties: a document the reader
 * accepts, written out again with the writer, reads back the same; a report
 * read, written again by the status writer, stays under the cap and reads
 * back with its devices; the writer's form of any bytes is valid UTF-8 that
 * the reader accepts, and gives back bytes that were valid UTF-8 as they
 * were; the writer never reports a misuse of its own.
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

static void write_value(struct vb_json *w, const struct vb_json_value *v)
{
	switch (v->type) {
	case VB_JSON_NULL: vb_json_null(w); break;
	case VB_JSON_TRUE: vb_json_bool(w, true); break;
	case VB_JSON_FALSE: vb_json_bool(w, false); break;
	case VB_JSON_NUMBER: vb_json_number_text(w, v->text); break;
	case VB_JSON_STRING: vb_json_string(w, v->text); break;
	case VB_JSON_ARRAY:
		vb_json_begin_array(w, VB_JSON_INLINE);
		for (size_t i = 0; i < v->count; i++)
			write_value(w, &v->items[i]);
		vb_json_end_array(w);
		break;
	case VB_JSON_OBJECT:
		vb_json_begin_object(w, VB_JSON_LINES);
		for (size_t i = 0; i < v->count; i++) {
			vb_json_key(w, v->keys[i]);
			write_value(w, &v->items[i]);
		}
		vb_json_end_object(w);
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

/* What the writer makes of arg; NULL when it refused or failed. */
static char *written(void (*write)(struct vb_json *, const void *), const void *arg, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);
	struct vb_json w;
	int err;

	if (!out)
		return NULL;
	vb_json_init(&w, out);
	write(&w, arg);
	err = vb_json_finish(&w);
	fclose(out);
	if (err < 0 || w.written != *len) {
		free(text);
		return NULL;
	}
	return text;
}

static bool all_utf8(const char *s, size_t len)
{
	for (size_t pos = 0, n; pos < len; pos += n)
		if ((n = vb_utf8_char_len(s + pos, len - pos)) == 0)
			return false;
	return true;
}

static void write_tree(struct vb_json *w, const void *v) { write_value(w, v); }
static void write_string(struct vb_json *w, const void *s) { vb_json_string(w, s); }

static void status_entry(const void *ctx, size_t i, struct vb_status_entry *e)
{
	const struct vb_status_device *d = &((const struct vb_status *)ctx)->devices[i];

	*e = (struct vb_status_entry){ .address = d->address, .iommu_group = -1,
				       .driver_after = d->driver_after, .driver = d->driver,
				       .reset_method = d->reset_method, .result = d->result,
				       .reason = d->reason };
}

static void write_status(FILE *out, const void *st)
{
	static const struct vb_strv none;
	const struct vb_status *status = st;
	const struct vb_status_report r = {
		.version = "fuzz", .disabled = status->disabled, .disabled_by = "fuzz",
		.companions = "slot", .boot_vga = "refuse", .messages = &none,
		.count = status->count, .device = status_entry, .ctx = status,
	};

	if (vb_status_write(out, &r) < 0)
		abort(); /* the status writer misused the emitter */
}

/* A report read, written again by the status writer: under the cap, and it reads back. */
static void status_again(const struct vb_status *status)
{
	struct vb_status again;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return;
	write_status(out, status);
	fclose(out);
	if (len >= VB_STATUS_MAX || vb_status_parse(text, len, &again, NULL, 0) != 0 ||
	    again.disabled != status->disabled ||
	    again.count + again.devices_omitted != status->count)
		abort(); /* the status writer's document does not read back */
	for (size_t i = 0; i < again.count; i++)
		if (strcmp(again.devices[i].address, status->devices[i].address) != 0 ||
		    (strlen(status->devices[i].result) < VB_STATUS_STRING_MAX / 6 &&
		     strcmp(again.devices[i].result, status->devices[i].result) != 0))
			abort(); /* a device came back changed */
	vb_status_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vb_json_value v, again;
	struct vb_status status;
	char *text, *copy;
	size_t len;

	if (vb_status_parse((const char *)data, size, &status, NULL, 0) == 0) {
		for (size_t i = 0; i < status.count; i++)
			vb_status_device(&status, status.devices[i].address);
		status_again(&status);
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
