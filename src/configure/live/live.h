/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "apply.h"
#include "cli.h"
#include "config.h"
#include "plan.h"
#include "status_file.h"
#include "strv.h"

/*
 * vfio-boot bind and release on the running system: the selection (the
 * saved one, or the command's selectors), the machine, the plan the boot
 * binder would make, what was done to each target, and the report merged
 * into status.json, under the lock every run that moves devices holds.
 */
struct live_run {
	struct vb_config cfg;
	struct vb_device_rules saved;  /* named: the saved device lines, cfg.devices' fallback */
	struct machine m;
	struct vb_plan plan;
	struct vb_outcome *out;      /* one per plan target */
	struct vb_strv messages;     /* problems of the run, for status.json */
	const char *disabled_by;     /* why cfg.disabled, when the command line could not be read */
	const char *event;           /* VB_EVENT_BIND or VB_EVENT_RELEASE */
	bool named;                  /* selectors given: the saved selection is not used */
	int lock_fd;
	struct timespec start;       /* when the run began (CLOCK_MONOTONIC): the report's time */
};

/*
 * Takes the report's lock (not in a dry run), reads the selection (the
 * command's selectors, else ROOT/etc/vfio-boot.conf), the kernel command
 * line (vfio_boot.skip=, vfio_boot.disable) and the machine, and plans as
 * the boot binder does; with_host, the host's disk and network are refused
 * too. Returns 0, or an exit status after saying why.
 */
int live_prepare(const struct cli *cli, const char *event, bool with_host, struct live_run *r);

/*
 * Writes the run's entries into status.json (merged into the boot's report)
 * and prints its lines: the binder's, through vb_report_lines. Returns 0 or
 * -errno (said).
 */
int live_report(const struct cli *cli, struct live_run *r);

void live_free(struct live_run *r);

/* A process that holds a /dev/vfio/N open. */
struct live_holder {
	pid_t pid;
	long group;
	char comm[32]; /* its name (proc/PID/comm), "?" when unreadable */
};

struct live_holders {
	struct live_holder *items;
	size_t count;
};

#define LIVE_HOLDERS_MAX 64     /* holders named; more are counted only */
#define LIVE_PROC_FDS_MAX 65536 /* descriptors of one process looked at, at most */

/*
 * Finds the processes that hold the VFIO group device of any of groups
 * (ngroups numbers) open: ROOT/proc/PID/fd/N links to /dev/vfio/GROUP.
 * Returns 0 or -errno (-ENOMEM; proc unreadable).
 */
int live_find_holders(const struct vb_root *root, const long *groups, size_t ngroups,
		      struct live_holders *out);
void live_holders_free(struct live_holders *h);

/*
 * Gives the functions of plan that are on vfio-pci back to the host: every
 * override cleared first, then each unbound from vfio-pci, probed again, its
 * module loaded from its modalias when no driver took it (MODPROBE MODALIAS,
 * at most timeout_s), and its driver link read back. Fills out[i] for each
 * target (VB_RESULT_RELEASED, or FAILED). With dry_run, says what it would
 * do. Returns the number of failed targets.
 */
size_t live_release(const struct vb_root *root, const struct vb_snapshot *snap,
		    const struct vb_plan *plan, bool dry_run, unsigned timeout_s,
		    struct vb_outcome *out);

/*
 * Keeps in r's plan only the targets now on vfio-pci or on the variant
 * driver their driver= line names (what release gives back). Returns 0 or
 * -ENOMEM.
 */
int live_keep_on_vfio(const struct vb_root *root, struct live_run *r);

/* The IOMMU groups of r's targets, each once, into groups (r->plan.count entries). Returns how many. */
size_t live_groups(const struct live_run *r, long *groups);

/*
 * --json: the command's members: "dry_run", "devices" (address, vendor,
 * device, selected_by, driver_before, driver_after, result, reason) and,
 * when holders is not NULL, "holders" (pid, comm, group).
 */
void live_json(const struct cli *cli, const struct live_run *r, const struct live_holders *holders);
