/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "strv.h"

/*
 * status.json, the binder's report of one run: written and read here, so
 * that one file owns the format.
 *
 *   { "version": "...", "disabled": false, "disabled_by": null,
 *     "companions": "slot",
 *     "boot_vga": "refuse",
 *     "messages": ["..."], "messages_omitted": 0,
 *     "devices": [{"address": "0000:01:00.0", "vendor": "10de", ...,
 *                  "driver": "vfio-pci", "reset_method": null,
 *                  "result": "bound", "reason": "..."}],
 *     "devices_omitted": 0 }
 *
 * disabled_by says, when disabled is true, what disabled binding
 * ("vfio_boot.disable=Y on the kernel command line").
 *
 * The boot's run writes the whole report. A later run (a device that
 * appeared, a live bind or release) merges its entries into it: its entries
 * replace those of the same address, the others and the boot's header stay,
 * its new messages follow the earlier ones. Each entry says which run wrote
 * it ("event": "boot", "hotplug", "bind", "release"; an entry without one
 * is the boot's).
 *
 * The file stays below VB_STATUS_MAX bytes: messages take at most half of
 * it, each cut to VB_STATUS_STRING_MAX bytes; what does not fit is left out
 * and counted in messages_omitted and devices_omitted.
 */
#define VB_STATUS_MAX (256 * 1024)
#define VB_STATUS_STRING_MAX 1024 /* bytes of one string, escaped, between its quotes */

/* One device entry of the report, as written. */
struct vb_status_entry {
	const char *address;
	unsigned vendor, device, subsystem_vendor, subsystem_device, class;
	long iommu_group;          /* -1: none */
	const char *selected_by;
	const char *driver_before; /* NULL or "": none */
	const char *driver_after;  /* NULL or "": none */
	const char *driver;        /* the driver the binder gave it ("vfio-pci" or a
				      variant's); NULL or "": none (refused) */
	const char *reset_method;  /* the reset methods it wrote; NULL or "": none */
	const char *result;        /* "bound", "failed", ... */
	const char *reason;
	const char *event;         /* the run that wrote it (report.h's VB_EVENT_*) */
};

/* What one run of the binder reports. */
struct vb_status_report {
	const char *version;
	bool disabled;
	const char *disabled_by;       /* what disabled binding; NULL unless disabled */
	const char *companions;        /* "slot", "group", "none" */
	const char *boot_vga;          /* "refuse", "allow" */
	const struct vb_strv *messages; /* problems and notes, in order */
	size_t count;                  /* device entries */
	/* Fills entry i (i < count), by address; called for each entry written. */
	void (*device)(const void *ctx, size_t i, struct vb_status_entry *entry);
	const void *ctx;
	/*
	 * An earlier report (parsed) to merge into, or NULL. Its header
	 * (disabled, disabled_by, companions, boot_vga), its messages, its
	 * omitted counts and every device entry this report does not replace
	 * are kept; an entry is copied member by member, strings and numbers,
	 * each string cut to VB_STATUS_STRING_MAX.
	 */
	const struct vb_json_value *earlier;
};

/*
 * Writes the status.json document to out, below VB_STATUS_MAX bytes (what
 * does not fit is counted, as above). Returns vb_json_finish's result.
 */
int vb_status_write(FILE *out, const struct vb_status_report *report);

/* One device entry of the report, as read back. */
struct vb_status_device {
	const char *address;
	const char *result;    /* "bound", "failed", ... */
	const char *reason;    /* "" when none */
	const char *driver_after; /* NULL when none */
	const char *event;     /* "boot", "hotplug", "bind", "release" */
	const char *driver;       /* the driver it was given; NULL when none */
	const char *reset_method; /* the reset methods written; NULL when none */
};

struct vb_status {
	struct vb_json_value doc;    /* owns every string below */
	bool disabled;
	struct vb_status_device *devices;
	size_t count;
	unsigned long devices_omitted;
};

/*
 * Parses status.json text. Returns 0, -ENOMEM, or -EINVAL when it is not
 * JSON or not a report, with the reason in why.
 */
int vb_status_parse(const char *text, size_t len, struct vb_status *status, char *why,
		    size_t why_size);

void vb_status_free(struct vb_status *status);

/*
 * True when text is one of the messages of report (an earlier report,
 * parsed): a later run says again only what it has new.
 */
bool vb_status_has_message(const struct vb_json_value *report, const char *text);

/* The entry of the device at address; NULL when the report does not list it. */
const struct vb_status_device *vb_status_device(const struct vb_status *status,
						const char *address);
