/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "bootloader.h"
#include "cli.h"
#include "msgs.h"
#include "pci.h"
#include "plan.h"
#include "txn.h"

/*
 * What one configure or unconfigure run did: the selection resolved, the
 * files, the commands, warnings and errors. cmd_configure.c tells it here as
 * it happens; in text mode each call prints its line at once (the output
 * vfio-boot always had), with --json everything is collected and written as
 * one object by vb_outcome_end (fields in vfio-boot(8) and the README).
 */
struct vb_outcome_function {
	char address[VB_PCI_NAME_MAX]; /* "0000:01:00.0" */
	unsigned vendor, device;
	char *name;          /* from pci.ids */
	char *selected_by;   /* the selector, or "companion" */
	const char *verdict; /* "bind", "already-bound" or "refuse" */
	char *why;
};

struct vb_outcome_command {
	char **argv;       /* NULL-terminated */
	bool ran;
	int status;        /* exit status when ran; -errno when it could not start */
};

struct vb_outcome_file {
	char *path;
	const char *action; /* vb_txn_action_name */
};

struct vb_outcome {
	bool json;
	FILE *json_out;      /* the original stdout; fd 1 then points at stderr */
	const char *command; /* "configure" or "unconfigure" */
	const char *root;
	bool dry_run;
	bool changed;
	const char *bootloader;  /* NULL until known */
	struct vb_msgs flags;    /* kernel command line flags */
	struct vb_outcome_function *functions;
	size_t nfunctions;
	struct vb_outcome_file *files;
	size_t nfiles;
	struct vb_outcome_command *commands;
	size_t ncommands;
	char *diff;              /* JSON: the unified diff of the files */
	struct vb_msgs warnings; /* the text output's note: and warning: lines */
	struct vb_msgs errors;   /* every cli_error line while the run lasts */
	bool incomplete;         /* out of memory: something was not recorded */
};

/*
 * Starts the outcome of command ("configure", "unconfigure") for cli. With
 * --json, fd 1 is moved to stderr for the rest of the run, so that nothing
 * (not even a command's chatter) can mix into the JSON, and cli_error lines
 * are collected as errors. Returns 0 or -errno.
 */
int vb_outcome_begin(struct vb_outcome *o, const char *command, const struct cli *cli);

/*
 * Writes the JSON object (with --json), frees o. Returns exit_status, or
 * VB_EXIT_FAILED when the JSON could not be written.
 */
int vb_outcome_end(struct vb_outcome *o, int exit_status);

/* A function of the resolved selection; name is its pci.ids name. */
void vb_outcome_function(struct vb_outcome *o, const struct vb_pci_fn *fn, const char *name,
			 const struct vb_target *t);

/* A remark: "note: ..." in text, a warning in JSON. */
void vb_outcome_note(struct vb_outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "warning: ..." in text, a warning in JSON. */
void vb_outcome_warning(struct vb_outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A problem the run goes on despite: stderr (cli_error) in text, a warning in JSON. */
void vb_outcome_problem_kept(struct vb_outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line of the text output only (its facts are fields in JSON). */
void vb_outcome_say(struct vb_outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The bootloader, and the kernel command line flags it gets. */
void vb_outcome_kernel_flags(struct vb_outcome *o, enum vb_bootloader bl,
			     const struct vb_msgs *flags);

/*
 * Flags for the user to add: explicit (--bootloader none) or because no
 * bootloader was recognised (then also a warning in JSON).
 */
void vb_outcome_flags_to_add(struct vb_outcome *o, bool explicit_none, const char *joined);

/* The files txn holds; the diff shown in text when show_diff, kept in JSON always. */
void vb_outcome_files(struct vb_outcome *o, const struct vb_txn *txn, bool show_diff);

enum vb_outcome_run {
	VB_OUTCOME_WOULD_RUN, /* --dry-run */
	VB_OUTCOME_NOT_ROOT,  /* under --root without privileges */
	VB_OUTCOME_RUNNING,
};

/* A command; with VB_OUTCOME_RUNNING, vb_outcome_command_status follows. */
void vb_outcome_command(struct vb_outcome *o, const struct vb_command *cmd,
			enum vb_outcome_run how);

/* The exit status (or -errno) of the command last told as running. */
void vb_outcome_command_status(struct vb_outcome *o, int status);
