// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <syslog.h>

#include "json.h"
#include "report.h"
#include "version.h"

static void json_hex(FILE *out, unsigned value, int digits)
{
	fprintf(out, "\"%0*x\"", digits, value);
}

void vb_report_json(FILE *out, const struct vb_report *r)
{
	fputs("{\n  \"version\": ", out);
	vb_json_string(out, VB_VERSION);
	fprintf(out, ",\n  \"disabled\": %s,\n  \"companions\": ",
		r->cfg->disabled ? "true" : "false");
	vb_json_string(out, vb_companions_name(r->cfg->companions));
	fputs(",\n  \"boot_vga\": ", out);
	vb_json_string(out, vb_boot_vga_name(r->cfg->boot_vga));
	fputs(",\n  \"messages\": [", out);
	for (size_t i = 0; i < r->messages->count; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		vb_json_string(out, r->messages->items[i]);
	}
	fputs(r->messages->count ? "\n  ],\n  \"devices\": [" : "],\n  \"devices\": [", out);
	for (size_t i = 0; i < r->plan->count; i++) {
		const struct vb_target *t = &r->plan->targets[i];
		const struct vb_pci_fn *fn = &r->snap->fns[t->fn];
		const struct vb_outcome *o = &r->outcomes[i];

		fputs(i ? ",\n    {" : "\n    {", out);
		fputs("\"address\": ", out);
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
		fputs(", \"selected_by\": ", out);
		vb_json_string(out, t->selected_by);
		fputs(", \"driver_before\": ", out);
		vb_json_string_or_null(out, fn->driver);
		fputs(", \"driver_after\": ", out);
		vb_json_string_or_null(out, o->driver_after);
		fputs(", \"result\": ", out);
		vb_json_string(out, vb_result_name(o->result));
		fputs(", \"reason\": ", out);
		vb_json_string(out, o->reason);
		fputc('}', out);
	}
	fputs(r->plan->count ? "\n  ]\n}\n" : "]\n}\n", out);
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
	char line[512];

	if (r->cfg->disabled) {
		emit(LOG_NOTICE, "disabled by vfio_boot.disable on the kernel command line", ctx);
		return;
	}
	for (size_t i = 0; i < r->messages->count; i++)
		emit(LOG_WARNING, r->messages->items[i], ctx);
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
