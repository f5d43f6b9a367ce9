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
	vb_json_field_string(w, "event", e->event);
	vb_json_end_object(w);
}

/* An earlier entry is copied member by member: at most this many, keys this long. */
#define EARLIER_MEMBERS_MAX 24
#define EARLIER_KEY_MAX 64

static bool copied_member(const struct vb_json_value *entry, size_t i)
{
	enum vb_json_type t = entry->items[i].type;

	return i < EARLIER_MEMBERS_MAX && strlen(entry->keys[i]) <= EARLIER_KEY_MAX &&
	       t != VB_JSON_ARRAY && t != VB_JSON_OBJECT;
}

/* The most bytes copy_entry writes for entry. */
static size_t entry_bound(const struct vb_json_value *entry)
{
	size_t bound = 16;

	for (size_t i = 0; i < entry->count; i++)
		if (copied_member(entry, i))
			bound += 6 * EARLIER_KEY_MAX + VB_STATUS_STRING_MAX + 16;
	return bound;
}

/* An entry of the earlier report, as it was: its strings, numbers, true, false, null. */
static void copy_entry(struct vb_json *w, const struct vb_json_value *entry)
{
	vb_json_begin_object(w, VB_JSON_INLINE);
	for (size_t i = 0; i < entry->count; i++) {
		const struct vb_json_value *v = &entry->items[i];

		if (!copied_member(entry, i))
			continue;
		vb_json_key(w, entry->keys[i]);
		if (v->type == VB_JSON_STRING)
			vb_json_string_cut(w, v->text, VB_STATUS_STRING_MAX);
		else if (v->type == VB_JSON_NUMBER)
			vb_json_number_text(w, v->text);
		else if (v->type == VB_JSON_NULL)
			vb_json_null(w);
		else
			vb_json_bool(w, v->type == VB_JSON_TRUE);
	}
	vb_json_end_object(w);
}

/* Member key of the earlier report when it has the type wanted; else NULL. */
static const struct vb_json_value *earlier_member(const struct vb_status_report *r,
						  const char *key, enum vb_json_type type)
{
	const struct vb_json_value *v = vb_json_member(r->earlier, key);

	return v && v->type == type ? v : NULL;
}

/* A count the earlier report left out ("devices_omitted"); 0 when none. */
static unsigned long long earlier_count(const struct vb_status_report *r, const char *key)
{
	const struct vb_json_value *v = earlier_member(r, key, VB_JSON_NUMBER);
	unsigned long long n = 0;

	for (const char *p = v ? v->text : ""; *p >= '0' && *p <= '9' && n < (1ULL << 40); p++)
		n = n * 10 + (unsigned long long)(*p - '0');
	return n;
}

/* The earlier report's string member key, or this report's value. */
static const char *earlier_text(const struct vb_status_report *r, const char *key,
				const char *value)
{
	const struct vb_json_value *v = earlier_member(r, key, VB_JSON_STRING);

	return v ? v->text : value;
}

/* The address of an earlier entry; NULL when it is not an entry. */
static const char *entry_address(const struct vb_json_value *entry)
{
	return entry->type == VB_JSON_OBJECT ? vb_json_text(vb_json_member(entry, "address")) :
					       NULL;
}

/* True when this report has an entry for address. */
static bool replaced(const struct vb_status_report *r, const char *address)
{
	struct vb_status_entry e;

	for (size_t i = 0; i < r->count; i++) {
		r->device(r->ctx, i, &e);
		if (strcmp(e.address, address) == 0)
			return true;
	}
	return false;
}

static void write_header(struct vb_json *w, const struct vb_status_report *r)
{
	const struct vb_json_value *disabled = vb_json_member(r->earlier, "disabled");
	const struct vb_json_value *by = vb_json_member(r->earlier, "disabled_by");
	bool off = r->disabled;
	const char *why = r->disabled ? r->disabled_by : NULL;

	if (disabled && (disabled->type == VB_JSON_TRUE || disabled->type == VB_JSON_FALSE)) {
		off = disabled->type == VB_JSON_TRUE;
		why = off ? vb_json_text(by) : NULL;
	}
	vb_json_field_string(w, "version", r->version);
	vb_json_field_bool(w, "disabled", off);
	field_cut(w, "disabled_by", why);
	vb_json_field_string(w, "companions", earlier_text(r, "companions", r->companions));
	vb_json_field_string(w, "boot_vga", earlier_text(r, "boot_vga", r->boot_vga));
}

/* The earlier messages, then this report's: at most half the file. */
static void write_messages(struct vb_json *w, const struct vb_status_report *r)
{
	const struct vb_json_value *earlier = earlier_member(r, "messages", VB_JSON_ARRAY);
	size_t total = r->messages->count + (earlier ? earlier->count : 0), n = 0;

	vb_json_key(w, "messages");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (; n < total; n++) {
		bool old = earlier && n < earlier->count;
		const char *text = old ? vb_json_text(&earlier->items[n]) :
					 r->messages->items[n - (earlier ? earlier->count : 0)];

		if (!fits(w, VB_STATUS_STRING_MAX + 16, VB_STATUS_MAX / 2))
			break;
		if (text)
			vb_json_string_cut(w, text, VB_STATUS_STRING_MAX);
	}
	vb_json_end_array(w);
	vb_json_field_number(w, "messages_omitted",
			     (long long)(total - n + earlier_count(r, "messages_omitted")));
}

/*
 * The earlier entries this report does not replace and this report's
 * entries, merged by address (each list is in address order).
 */
static void write_devices(struct vb_json *w, const struct vb_status_report *r)
{
	const struct vb_json_value *earlier = earlier_member(r, "devices", VB_JSON_ARRAY);
	size_t ne = earlier ? earlier->count : 0, i = 0, n = 0;
	unsigned long long omitted = earlier_count(r, "devices_omitted");
	struct vb_status_entry e;
	bool full = false;

	vb_json_key(w, "devices");
	vb_json_begin_array(w, VB_JSON_LINES);
	while (i < ne || n < r->count) {
		const char *address = i < ne ? entry_address(&earlier->items[i]) : NULL;

		if (i < ne && (!address || replaced(r, address))) {
			i++; /* not an entry, or replaced */
			continue;
		}
		if (n < r->count)
			r->device(r->ctx, n, &e);
		if (i < ne && (n >= r->count || strcmp(address, e.address) < 0)) {
			full = full || !fits(w, entry_bound(&earlier->items[i]), VB_STATUS_MAX);
			if (full)
				omitted++;
			else
				copy_entry(w, &earlier->items[i]);
			i++;
			continue;
		}
		full = full || !fits(w, DEVICE_ENTRY_MAX, VB_STATUS_MAX);
		if (full)
			omitted++;
		else
			write_device(w, &e);
		n++;
	}
	vb_json_end_array(w);
	vb_json_field_number(w, "devices_omitted", (long long)omitted);
}

int vb_status_write(FILE *out, const struct vb_status_report *r)
{
	struct vb_json w;

	vb_json_init(&w, out);
	vb_json_begin_object(&w, VB_JSON_LINES);
	write_header(&w, r);
	write_messages(&w, r);
	write_devices(&w, r);
	vb_json_end_object(&w);
	return vb_json_finish(&w);
}

bool vb_status_has_message(const struct vb_json_value *report, const char *text)
{
	const struct vb_json_value *messages = vb_json_member(report, "messages");

	for (size_t i = 0; messages && messages->type == VB_JSON_ARRAY && i < messages->count; i++)
		if (vb_json_text(&messages->items[i]) &&
		    strcmp(vb_json_text(&messages->items[i]), text) == 0)
			return true;
	return false;
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
		out->event = vb_json_text(vb_json_member(d, "event"));
		out->driver = vb_json_text(vb_json_member(d, "driver"));
		out->reset_method = vb_json_text(vb_json_member(d, "reset_method"));
		if (!out->address || !out->result)
			continue; /* not an entry this reader understands */
		if (!out->reason)
			out->reason = "";
		if (!out->event)
			out->event = "boot"; /* written before events were */
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
