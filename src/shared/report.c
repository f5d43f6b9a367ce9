// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "report.h"
#include "status.h"
#include "status_file.h"

/* Entry i of the report: target i of the plan, as it came out. */
static void device_entry(const void *ctx, size_t i, struct vb_status_entry *e)
{
	const struct vb_report *r = ctx;
	const struct vb_target *t = &r->plan->targets[i];
	const struct vb_pci_fn *fn = &r->snap->fns[t->fn];
	const struct vb_outcome *o = &r->outcomes[i];

	*e = (struct vb_status_entry){ fn->name, fn->vendor, fn->device, fn->subvendor,
				       fn->subdevice, fn->class, fn->iommu_group, t->selected_by,
				       fn->driver, o->driver_after, o->driver, o->reset_method,
				       vb_result_name(o->result), o->reason, r->event };
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

int vb_report_json(FILE *out, const struct vb_report *r, const struct vb_json_value *earlier)
{
	char why[VB_ORIGIN_MAX + 64];
	const struct vb_status_report status = {
		.version = r->version,
		.disabled = r->cfg->disabled,
		.disabled_by = disabled_reason(r, why, sizeof(why)),
		.companions = vb_companions_name(r->cfg->companions),
		.boot_vga = vb_boot_vga_name(r->cfg->boot_vga),
		.messages = r->messages,
		.count = r->plan->count,
		.device = device_entry,
		.ctx = r,
		.earlier = earlier,
	};

	return vb_status_write(out, &status);
}

/* What vb_report_replace writes: the report, merged into the earlier one or not. */
struct report_out {
	const struct vb_report *report;
	const struct vb_json_value *earlier;
};

static int write_report(FILE *out, const void *ctx)
{
	const struct report_out *o = ctx;

	return vb_report_json(out, o->report, o->earlier);
}

int vb_report_replace(const struct vb_status_place *place, const struct vb_report *r,
		      const struct vb_json_value *earlier)
{
	const struct report_out o = { r, earlier };

	return vb_status_replace(place, write_report, &o);
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
	size_t counts[VB_RESULT_RELEASED + 1] = { 0 };
	bool release = r->event && strcmp(r->event, VB_EVENT_RELEASE) == 0;
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
		snprintf(line, sizeof(line), "%s [%04x:%04x] %s%s%s (%s by %s)", fn->name,
			 fn->vendor, fn->device, vb_result_name(o->result),
			 o->reason[0] ? ": " : "", o->reason, release ? "named" : "selected",
			 t->selected_by);
		emit(level_of(o->result), line, ctx);
	}
	if (r->cfg->select.count == 0 && r->cfg->vfs.count == 0 && !release) {
		emit(LOG_INFO, "nothing selected", ctx);
		return;
	}
	if (release && r->elapsed_us < 0)
		snprintf(line, sizeof(line), "dry run: %zu to release; nothing written",
			 counts[VB_RESULT_DRY_RUN]);
	else if (release)
		snprintf(line, sizeof(line), "%zu released, %zu failed in %ld.%03ld ms",
			 counts[VB_RESULT_RELEASED], counts[VB_RESULT_FAILED],
			 r->elapsed_us / 1000, r->elapsed_us % 1000);
	else if (counts[VB_RESULT_DRY_RUN] || r->elapsed_us < 0)
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
