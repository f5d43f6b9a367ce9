/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "boot_refresh.h"
#include "changeset.h"
#include "cli.h"
#include "journal.h"

/* What configure and unconfigure share: one run's changeset and what it is built from. */
struct changeset_job {
	const struct cli *cli;
	struct vb_engine engine;
	struct vb_journal *journal; /* what is configured */
	struct vb_changeset *cs;    /* what this run does */
	struct vb_boot_refresh refresh; /* what boots, made again after the images */
};

/* Frees the changeset and what the job found out. */
void job_free(struct changeset_job *job);

/*
 * Reads path of the tree whole (links followed in the tree); st may be NULL.
 * Returns 0, -ENOENT or -errno.
 */
int job_read_file(const struct vb_root *root, const char *path, char **text, size_t *len,
		  struct stat *st);

/* The kernel flags configure's recorded edits of path left in it. Returns 0 or -ENOMEM. */
int job_flags_ours(const struct vb_journal *j, const char *path, struct vb_strv *ours);

/* True when the changeset changes file path. */
bool job_file_changes(const struct vb_changeset *cs, const char *path);

/* --dry-run: the diff and the commands that would run. */
void job_show(const struct changeset_job *job);
