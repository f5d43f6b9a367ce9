// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

/* Room kept for one device entry: every string in it is cut to VB_STATUS_STRING_MAX. */
#define DEVICE_ENTRY_MAX (10 * VB_STATUS_STRING_MAX)
#define DOCUMENT_TAIL_MAX 64 /* the omitted counts and the closing brackets */

/* True when the document can take need more bytes under limit. */
static bool fits(const struct vb_json *w, size_t need, size_t limit)
{
	return w->written + need + DOCUMENT_TAIL_MAX < limit;
}

static void field_cut(struct vb_json *w, const char *key, const char *value)
{
	vb_json_key(w, key);
	vb_json_string_cut(w, value, VB_STATUS_STRING_MAX);
}

static void write_device(struct vb_json *w, const struct vb_status_entry *e)
{
	char group[24];

	snprintf(group, sizeof(group), "%ld", e->iommu_group);
	vb_json_begin_object(w, VB_JSON_INLINE);
	vb_json_field_string(w, "address", e->address);
	vb_json_field_hex(w, "vendor", e->vendor, 4);
	vb_json_field_hex(w, "device", e->device, 4);
	vb_json_field_hex(w, "subsystem_vendor", e->subsystem_vendor, 4);
	vb_json_field_hex(w, "subsystem_device", e->subsystem_device, 4);
	vb_json_field_hex(w, "class", e->class, 6);
	vb_json_field_string(w, "iommu_group", e->iommu_group >= 0 ? group : NULL);
	field_cut(w, "selected_by", e->selected_by);
	field_cut(w, "driver_before", e->driver_before && *e->driver_before ? e->driver_before : NULL);
	field_cut(w, "driver_after", e->driver_after && *e->driver_after ? e->driver_after : NULL);
	field_cut(w, "driver", e->driver && *e->driver ? e->driver : NULL);
	field_cut(w, "reset_method", e->reset_method && *e->reset_method ? e->reset_method : NULL);
	field_cut(w, "result", e->result);
	field_cut(w, "reason", e->reason);
	vb_json_end_object(w);
}

int vb_status_write(FILE *out, const struct vb_status_report *r)
{
	struct vb_json w;
	size_t n;

	vb_json_init(&w, out);
	vb_json_begin_object(&w, VB_JSON_LINES);
	vb_json_field_string(&w, "version", r->version);
	vb_json_field_bool(&w, "disabled", r->disabled);
	field_cut(&w, "disabled_by", r->disabled ? r->disabled_by : NULL);
	vb_json_field_string(&w, "companions", r->companions);
	vb_json_field_string(&w, "boot_vga", r->boot_vga);
	vb_json_key(&w, "messages");
	vb_json_begin_array(&w, VB_JSON_LINES);
	/* Messages take at most half the file; the devices matter more. */
	for (n = 0; n < r->messages->count; n++) {
		if (!fits(&w, VB_STATUS_STRING_MAX + 16, VB_STATUS_MAX / 2))
			break;
		vb_json_string_cut(&w, r->messages->items[n], VB_STATUS_STRING_MAX);
	}
	vb_json_end_array(&w);
	vb_json_field_number(&w, "messages_omitted", (long long)(r->messages->count - n));
	vb_json_key(&w, "devices");
	vb_json_begin_array(&w, VB_JSON_LINES);
	for (n = 0; n < r->count; n++) {
		struct vb_status_entry e;

		if (!fits(&w, DEVICE_ENTRY_MAX, VB_STATUS_MAX))
			break;
		r->device(r->ctx, n, &e);
		write_device(&w, &e);
	}
	vb_json_end_array(&w);
	vb_json_field_number(&w, "devices_omitted", (long long)(r->count - n));
	vb_json_end_object(&w);
	return vb_json_finish(&w);
}

static int not_a_report(char *why, size_t why_size, const char *what)
{
	if (why && why_size)
		snprintf(why, why_size, "not a vfio-boot report: %s", what);
	return -EINVAL;
}

int vb_status_parse(const char *text, size_t len, struct vb_status *status, char *why,
		    size_t why_size)
{
	const struct vb_json_value *devices, *disabled, *omitted;
	int err;

	memset(status, 0, sizeof(*status));
	err = vb_json_parse(text, len, &status->doc, why, why_size);
	if (err < 0)
		return err;
	devices = vb_json_member(&status->doc, "devices");
	disabled = vb_json_member(&status->doc, "disabled");
	omitted = vb_json_member(&status->doc, "devices_omitted");
	if (!devices || devices->type != VB_JSON_ARRAY || !disabled ||
	    (disabled->type != VB_JSON_TRUE && disabled->type != VB_JSON_FALSE)) {
		vb_status_free(status);
		return not_a_report(why, why_size, "no devices list or disabled flag");
	}
	status->disabled = disabled->type == VB_JSON_TRUE;
	if (omitted && omitted->type == VB_JSON_NUMBER)
		status->devices_omitted = strtoul(omitted->text, NULL, 10);
	status->devices = calloc(devices->count ? devices->count : 1, sizeof(*status->devices));
	if (!status->devices) {
		vb_status_free(status);
		return -ENOMEM;
	}
	for (size_t i = 0; i < devices->count; i++) {
		const struct vb_json_value *d = &devices->items[i];
		struct vb_status_device *out = &status->devices[status->count];

		out->address = vb_json_text(vb_json_member(d, "address"));
		out->result = vb_json_text(vb_json_member(d, "result"));
		out->reason = vb_json_text(vb_json_member(d, "reason"));
		out->driver_after = vb_json_text(vb_json_member(d, "driver_after"));
		out->driver = vb_json_text(vb_json_member(d, "driver"));
		out->reset_method = vb_json_text(vb_json_member(d, "reset_method"));
		if (!out->address || !out->result)
			continue; /* not an entry this reader understands */
		if (!out->reason)
			out->reason = "";
		status->count++;
	}
	return 0;
}

void vb_status_free(struct vb_status *status)
{
	vb_json_free(&status->doc);
	free(status->devices);
	memset(status, 0, sizeof(*status));
}

const struct vb_status_device *vb_status_device(const struct vb_status *status,
						const char *address)
{
	for (size_t i = 0; i < status->count; i++)
		if (strcmp(status->devices[i].address, address) == 0)
			return &status->devices[i];
	return NULL;
}
