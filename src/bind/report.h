/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "apply.h"
#include "config.h"
#include "pci.h"
#include "plan.h"

/* Everything one run of the binder decided and did. */
struct vb_report {
	const struct vb_config *cfg;
	const struct vb_snapshot *snap;
	const struct vb_plan *plan;
	const struct vb_outcome *outcomes; /* one per plan target */
	const struct vb_strv *messages;    /* problems and notes, in order */
	long elapsed_us;                   /* run time for the summary; -1 in a dry run */
	const char *disabled_by;           /* why cfg->disabled; NULL: vfio_boot.disable */
};

/*
 * Writes the status.json document (vb_status_write, status.h). Returns 0 or
 * -errno.
 */
int vb_report_json(FILE *out, const struct vb_report *report);

#define VB_LOG_MESSAGES_MAX 20 /* messages logged one by one; status.json has more */

/*
 * Calls emit once per log line (without newline): the disabled notice, the
 * first VB_LOG_MESSAGES_MAX messages and a count of the others, one line per
 * device and a summary. level is a syslog level. Lines hold untrusted bytes:
 * emit applies the log rule (vb_text_printable).
 */
void vb_report_lines(const struct vb_report *report,
		     void (*emit)(int level, const char *line, void *ctx), void *ctx);
