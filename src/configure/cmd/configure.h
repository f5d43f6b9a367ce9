/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "boot_refresh.h"
#include "bootloader.h"
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
void configure_job_free(struct changeset_job *job);

/* Refuses (after saying so) to change the host's own system without root. Returns 0 or -EPERM. */
int configure_refuse_without_privileges(const struct cli *cli);

/*
 * Reads path of the tree whole (links followed in the tree); st may be NULL.
 * Returns 0, -ENOENT or -errno.
 */
int configure_read(const struct vb_root *root, const char *path, char **text, size_t *len,
		   struct stat *st);

/* The kernel flags configure's recorded edits of path left in it. Returns 0 or -ENOMEM. */
int configure_ours(const struct vb_journal *j, const char *path, struct vb_msgs *ours);

/*
 * The regenerations a changeset that changes anything (or, with force, any
 * changeset) ends with: the refresh of each bootloader in bls (count of
 * them) whose file it changes, the initramfs (unless --no-regenerate), then
 * what boots is made again from them (kernel-install, proxmox-boot-tool,
 * sbctl: boot_refresh.h). Returns 0 or -errno.
 */
int configure_stage_regeneration(struct changeset_job *job, const enum vb_bootloader *bls,
				 size_t count, bool force);

/* True when the changeset changes file path. */
bool configure_file_changes(const struct vb_changeset *cs, const char *path);

/* --dry-run: the diff and the commands that would run. */
void configure_show(const struct changeset_job *job);
