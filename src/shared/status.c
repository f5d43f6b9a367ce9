// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

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
