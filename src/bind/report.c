// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <syslog.h>

#include "json.h"
#include "report.h"
#include "status.h"
#include "version.h"

/* Room kept for one device entry: every string in it is cut to VB_STATUS_STRING_MAX. */
#define DEVICE_ENTRY_MAX (8 * VB_STATUS_STRING_MAX)
#define DOCUMENT_TAIL_MAX 64 /* the omitted counts and the closing brackets */

static void json_hex(FILE *out, unsigned value, int digits)
{
	fprintf(out, "\"%0*x\"", digits, value);
}

static void json_field(FILE *out, const char *key, const char *value)
{
	fprintf(out, ", \"%s\": ", key);
	vb_json_string_cut(out, value, VB_STATUS_STRING_MAX);
}

/* Why binding was disabled: "vfio_boot.disable=Y on the kernel command line". */
static const char *disabled_reason(const struct vb_report *r, char *buf, size_t size)
{
	if (r->disabled_by)
		return r->disabled_by;
	snprintf(buf, size, "%s on the kernel command line",
		 r->cfg->disabled_by[0] ? r->cfg->disabled_by : "vfio_boot.disable");
	return buf;
}

static void json_device(FILE *out, const struct vb_report *r, size_t i)
{
	const struct vb_target *t = &r->plan->targets[i];
	const struct vb_pci_fn *fn = &r->snap->fns[t->fn];
	const struct vb_outcome *o = &r->outcomes[i];

	fputs("{\"address\": ", out);
	vb_json_string(out, fn->name);
	fputs(", \"vendor\": ", out);
	json_hex(out, fn->vendor, 4);
	fputs(", \"device\": ", out);
	json_hex(out, fn->device, 4);
	fputs(", \"subsystem_vendor\": ", out);
	json_hex(out, fn->subvendor, 4);
	fputs(", \"subsystem_device\": ", out);
	json_hex(out, fn->subdevice, 4);
	fputs(", \"class\": ", out);
	json_hex(out, fn->class, 6);
	fputs(", \"iommu_group\": ", out);
	if (fn->iommu_group >= 0)
		fprintf(out, "\"%ld\"", fn->iommu_group);
	else
		fputs("null", out);
	json_field(out, "selected_by", t->selected_by);
	json_field(out, "driver_before", fn->driver[0] ? fn->driver : NULL);
	json_field(out, "driver_after", o->driver_after[0] ? o->driver_after : NULL);
	json_field(out, "result", vb_result_name(o->result));
	json_field(out, "reason", o->reason);
	fputc('}', out);
}

/* True when the document, now at ftell(out), can take need more bytes under limit. */
static bool fits(FILE *out, size_t need, size_t limit)
{
	long at = ftell(out);

	return at >= 0 && (size_t)at + need + DOCUMENT_TAIL_MAX < limit;
}

void vb_report_json(FILE *out, const struct vb_report *r)
{
	char why[VB_ORIGIN_MAX + 64];
	size_t written = 0;

	fputs("{\n  \"version\": ", out);
	vb_json_string(out, VB_VERSION);
	fprintf(out, ",\n  \"disabled\": %s,\n  \"disabled_by\": ",
		r->cfg->disabled ? "true" : "false");
	vb_json_string_cut(out, r->cfg->disabled ? disabled_reason(r, why, sizeof(why)) : NULL,
			   VB_STATUS_STRING_MAX);
	fputs(",\n  \"companions\": ", out);
	vb_json_string(out, vb_companions_name(r->cfg->companions));
	fputs(",\n  \"boot_vga\": ", out);
	vb_json_string(out, vb_boot_vga_name(r->cfg->boot_vga));
	fputs(",\n  \"messages\": [", out);
	/* Messages take at most half the file; the devices matter more. */
	for (; written < r->messages->count; written++) {
		if (!fits(out, VB_STATUS_STRING_MAX + 16, VB_STATUS_MAX / 2))
			break;
		fputs(written ? ",\n    " : "\n    ", out);
		vb_json_string_cut(out, r->messages->items[written], VB_STATUS_STRING_MAX);
	}
	fprintf(out, "%s],\n  \"messages_omitted\": %zu,\n  \"devices\": [",
		written ? "\n  " : "", r->messages->count - written);
	for (written = 0; written < r->plan->count; written++) {
		if (!fits(out, DEVICE_ENTRY_MAX, VB_STATUS_MAX))
			break;
		fputs(written ? ",\n    " : "\n    ", out);
		json_device(out, r, written);
	}
	fprintf(out, "%s],\n  \"devices_omitted\": %zu\n}\n", written ? "\n  " : "",
		r->plan->count - written);
}

static int level_of(enum vb_result result)
{
	switch (result) {
	case VB_RESULT_FAILED:
		return LOG_ERR;
	case VB_RESULT_REFUSED:
		return LOG_WARNING;
	default:
		return LOG_INFO;
	}
}

void vb_report_lines(const struct vb_report *r,
		     void (*emit)(int level, const char *line, void *ctx), void *ctx)
{
	size_t counts[VB_RESULT_DRY_RUN + 1] = { 0 };
	char line[512], why[VB_ORIGIN_MAX + 64];

	/* A serial console prints about 10 lines of 100 bytes in 0.1 s: keep it short. */
	for (size_t i = 0; i < r->messages->count && i < VB_LOG_MESSAGES_MAX; i++)
		emit(LOG_WARNING, r->messages->items[i], ctx);
	if (r->messages->count > VB_LOG_MESSAGES_MAX) {
		snprintf(line, sizeof(line), "%zu more messages left out here (see status.json)",
			 r->messages->count - VB_LOG_MESSAGES_MAX);
		emit(LOG_WARNING, line, ctx);
	}
	if (r->cfg->disabled) {
		snprintf(line, sizeof(line), "disabled by %s: nothing is bound, every device "
			 "stays with its driver", disabled_reason(r, why, sizeof(why)));
		emit(LOG_NOTICE, line, ctx);
		return;
	}
	for (size_t i = 0; i < r->plan->count; i++) {
		const struct vb_target *t = &r->plan->targets[i];
		const struct vb_pci_fn *fn = &r->snap->fns[t->fn];
		const struct vb_outcome *o = &r->outcomes[i];

		counts[o->result]++;
		snprintf(line, sizeof(line), "%s [%04x:%04x] %s%s%s (selected by %s)", fn->name,
			 fn->vendor, fn->device, vb_result_name(o->result),
			 o->reason[0] ? ": " : "", o->reason, t->selected_by);
		emit(level_of(o->result), line, ctx);
	}
	if (r->cfg->select.count == 0) {
		emit(LOG_INFO, "nothing selected", ctx);
		return;
	}
	if (counts[VB_RESULT_DRY_RUN] || r->elapsed_us < 0)
		snprintf(line, sizeof(line),
			 "dry run: %zu to bind, %zu already bound, %zu refused; nothing written",
			 counts[VB_RESULT_DRY_RUN], counts[VB_RESULT_ALREADY_BOUND],
			 counts[VB_RESULT_REFUSED]);
	else
		snprintf(line, sizeof(line),
			 "%zu bound, %zu already bound, %zu refused, %zu failed in %ld.%03ld ms",
			 counts[VB_RESULT_BOUND], counts[VB_RESULT_ALREADY_BOUND],
			 counts[VB_RESULT_REFUSED], counts[VB_RESULT_FAILED],
			 r->elapsed_us / 1000, r->elapsed_us % 1000);
	emit(LOG_INFO, line, ctx);
}
