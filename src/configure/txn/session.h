/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "changeset.h"
#include "cli.h"
#include "journal.h"

/*
 * One run of configure, unconfigure or status against the tree's state: the
 * lock held, the journal read, and a run that was interrupted finished or
 * rolled back before anything else is done.
 */
struct session {
	const struct cli *cli;
	struct vb_engine engine;
	int lock_fd;               /* -1 when not locked */
	struct vb_journal journal; /* empty when nothing is configured */
};

/*
 * Starts it: takes the lock when lock is true (waiting up to cli->wait
 * seconds), reads the journal and, locked, recovers an interrupted run
 * (unlocked, says that one is pending). Returns 0, or the exit status after
 * saying why (busy, damaged journal, a recovery that failed).
 */
int session_begin(struct session *s, const struct cli *cli, bool lock);
void session_end(struct session *s);

/* The engine for the tree: commands run unless under --root without privileges. */
void session_engine(const struct cli *cli, struct vb_engine *engine);
