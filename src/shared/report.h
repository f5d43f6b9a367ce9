/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "apply.h"
#include "config.h"
#include "json.h"
#include "pci.h"
#include "plan.h"

/*
 * Everything one run decided and did: a run of the binder (at boot, or for
 * one device that appeared), or a live bind or release by vfio-boot. The
 * same lines go to the kernel log and the same entries to status.json
 * whoever ran it.
 */
struct vb_report {
	const struct vb_config *cfg;
	const struct vb_snapshot *snap;
	const struct vb_plan *plan;
	const struct vb_outcome *outcomes; /* one per plan target */
	const struct vb_strv *messages;    /* problems and notes, in order */
	long elapsed_us;                   /* run time for the summary; -1 in a dry run */
	const char *disabled_by;           /* why cfg->disabled; NULL: vfio_boot.disable */
	const char *version;               /* the program's */
	const char *event;                 /* VB_EVENT_*: what ran */
};

/* What a run was, in status.json's "event" of each entry it wrote. */
#define VB_EVENT_BOOT "boot"       /* vfio-boot-bind on the whole selection */
#define VB_EVENT_HOTPLUG "hotplug" /* vfio-boot-bind --device: a device that appeared */
#define VB_EVENT_BIND "bind"       /* vfio-boot bind */
#define VB_EVENT_RELEASE "release" /* vfio-boot release */

/*
 * Writes the status.json document (vb_status_write, status.h); with earlier
 * (an earlier report, parsed), the entries of this run merged into it.
 * Returns 0 or -errno.
 */
int vb_report_json(FILE *out, const struct vb_report *report,
		   const struct vb_json_value *earlier);

/*
 * Replaces status.json at place with vb_report_json's document (merged into
 * earlier when given), atomically. Returns 0 or -errno.
 */
struct vb_status_place;
int vb_report_replace(const struct vb_status_place *place, const struct vb_report *report,
		      const struct vb_json_value *earlier);

#define VB_LOG_MESSAGES_MAX 20 /* messages logged one by one; status.json has more */

/*
 * Calls emit once per log line (without newline): the disabled notice, the
 * first VB_LOG_MESSAGES_MAX messages and a count of the others, one line per
 * device and a summary. level is a syslog level. Lines hold untrusted bytes:
 * emit applies the log rule (vb_text_printable).
 */
void vb_report_lines(const struct vb_report *report,
		     void (*emit)(int level, const char *line, void *ctx), void *ctx);
