// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "status_result.h"
#include "text.h"

static const char *image_state_name(enum vb_image_state state)
{
	static const char *const names[] = { "complete", "stale", "incomplete", "unreadable",
					      "missing" };

	return names[state];
}

int status_result_add_image(struct status_result *r, const char *path,
			    enum vb_image_state state, const char *detail)
{
	struct status_image *grown = reallocarray(r->images, r->nimages + 1, sizeof(*grown));
	struct status_image *image;

	if (!grown)
		return -ENOMEM;
	r->images = grown;
	image = &grown[r->nimages];
	*image = (struct status_image){ path ? strdup(path) : NULL, state, strdup(detail) };
	if ((path && !image->path) || !image->detail) {
		free(image->path);
		free(image->detail);
		return -ENOMEM;
	}
	r->nimages++;
	return 0;
}

void status_result_free(struct status_result *r)
{
	for (size_t i = 0; i < r->nimages; i++) {
		free(r->images[i].path);
		free(r->images[i].detail);
	}
	free(r->images);
	free(r->functions);
	vb_strv_free(&r->notes);
	memset(r, 0, sizeof(*r));
}

void status_result_text(FILE *out, const struct status_result *r)
{
	if (!r->configured && !r->selects)
		fputs("nothing configured (no /etc/vfio-boot.conf)\n", out);
	if (r->disabled)
		fprintf(out, "binding was disabled on this boot: %s is on the kernel command line, so "
			"vfio-boot-bind left every device to its host driver\n", r->disabled_by);
	if (r->configured || r->selects)
		fprintf(out, "%-14s %-11s %-10s %-14s %s\n", "ADDRESS", "ID", "EXPECTED", "ACTUAL",
			"WHY");
	for (size_t i = 0; i < r->nfunctions; i++) {
		const struct status_function *f = &r->functions[i];
		char id[16], line[sizeof(f->why) * 2];

		snprintf(id, sizeof(id), "%04x:%04x", f->vendor, f->device);
		vb_text_printable(line, sizeof(line), f->why); /* it quotes the report */
		fprintf(out, "%-14s %-11s %-10s %-14s %s", f->address, id,
			f->take ? f->expect : "host", f->driver[0] ? f->driver : "none", line);
		if (f->reset_method[0])
			fprintf(out, "%sreset_method %s", line[0] ? "; " : "", f->reset_method);
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->notes.count; i++)
		fprintf(out, "note: %s\n", r->notes.items[i]);
	for (size_t i = 0; i < r->nimages; i++)
		fprintf(out, "image: %s\n", r->images[i].detail);
}

void status_result_json(struct vb_json *w, const struct status_result *r)
{
	vb_json_field_bool(w, "configured", r->configured);
	vb_json_field_bool(w, "disabled", r->disabled);
	vb_json_key(w, "functions");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < r->nfunctions; i++) {
		const struct status_function *f = &r->functions[i];

		vb_json_begin_object(w, VB_JSON_INLINE);
		reply_function(w, f->address, f->vendor, f->device);
		vb_json_field_string(w, "expected", f->take ? f->expect : "host");
		vb_json_key(w, "actual");
		vb_json_string_or_null(w, f->driver);
		vb_json_field_bool(w, "as_expected", f->as_expected);
		vb_json_key(w, "reset_method");
		vb_json_string_or_null(w, f->reset_method);
		vb_json_key(w, "why");
		vb_json_string_or_null(w, f->why);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
	vb_json_key(w, "images");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < r->nimages; i++) {
		vb_json_begin_object(w, VB_JSON_INLINE);
		vb_json_field_string(w, "path", r->images[i].path);
		vb_json_field_string(w, "state", image_state_name(r->images[i].state));
		vb_json_field_string(w, "detail", r->images[i].detail);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
	vb_json_field_bool(w, "as_expected", r->as_expected);
}
