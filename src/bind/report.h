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
	const struct vb_msgs *messages;    /* problems and notes, in order */
	long elapsed_us;                   /* run time for the summary; -1 in a dry run */
};

/* Writes the status.json document. */
void vb_report_json(FILE *out, const struct vb_report *report);

/*
 * Calls emit once per log line (without newline): the disabled notice, each
 * message, one line per device and a summary. level is a syslog level.
 */
void vb_report_lines(const struct vb_report *report,
		     void (*emit)(int level, const char *line, void *ctx), void *ctx);
