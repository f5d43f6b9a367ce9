/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bootloader.h"
#include "changeset.h"
#include "cli.h"
#include "strv.h"
#include "plan.h"

/*
 * What one configure or unconfigure run did, for --json: the selection
 * resolved, the kernel flags, the changeset's files and their actions, the
 * diff, its commands with their states and exit statuses. One outcome is
 * open at a time, between vb_outcome_begin and vb_outcome_end; the other
 * calls record into it, and do nothing when none is open or the run is not
 * --json. vb_outcome_end writes it as the command's members of the --json
 * answer (reply.h; fields in vfio-boot(8) and the README). The text output is
 * not made here: it stays where it was, on the text output (cli_text).
 */

/* Opens the outcome of a configure or unconfigure run. Returns 0 or -errno. */
int vb_outcome_begin(const struct cli *cli);

/* Closes it: with --json writes its members into the answer. Returns exit_status. */
int vb_outcome_end(int exit_status);

/*
 * Runs run between vb_outcome_begin and vb_outcome_end. Returns its exit
 * status (VB_EXIT_FAILED when the outcome cannot be set up).
 */
int vb_outcome_run(const struct cli *cli, int (*run)(const struct cli *cli));

/* The functions of the plan (names from pci.ids through m). */
void vb_outcome_plan(const struct machine *m, const struct vb_plan *plan);

/* The bootloader, and the kernel command line flags it gets (flags may be NULL). */
void vb_outcome_kernel_flags(enum vb_bootloader bl, const struct vb_strv *flags);

/*
 * The steps of cs as they stand (staged, or after vb_changeset_apply): its
 * files and directories with their actions, the diff of the files that
 * change, and its commands with their states and exit statuses. A step done
 * and not taken back makes the run one that changed the system.
 */
void vb_outcome_changeset(const struct vb_changeset *cs);

/* This run changed the system (or, with --dry-run, would), or finished or rolled back an interrupted one. */
void vb_outcome_changed(void);
