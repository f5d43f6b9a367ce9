/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "journal.h"
#include "root.h"

/*
 * The state directory, /var/lib/vfio-boot in the tree: the lock that lets one
 * vfio-boot at a time change the tree, and the journal (journal.h), replaced
 * whole and atomically each time it changes (written beside, fsynced,
 * renamed, the directory fsynced). It exists while something is configured
 * (or a run is under way) and is removed with the last of it.
 */
#define VB_STATE_DIR "/var/lib/vfio-boot"
#define VB_JOURNAL_PATH VB_STATE_DIR "/journal"
#define VB_LOCK_PATH VB_STATE_DIR "/lock"

/*
 * Takes the tree's lock, an flock on VB_LOCK_PATH (made, with the state
 * directory, when missing), waiting up to wait_seconds for another run to
 * let go; waiting() is called once when it has to wait. The descriptor is
 * inherited by the commands vfio-boot runs, so a command still running after
 * vfio-boot was killed holds the lock too. A journal write a crash cut short
 * leaves a temporary file: it is removed. Returns the descriptor,
 * -EWOULDBLOCK after the wait (with the holder's pid in *holder, 0 when
 * unknown), or -errno.
 */
int vb_state_lock(const struct vb_root *root, unsigned wait_seconds, void (*waiting)(void),
		  long *holder);

/*
 * Lets go of the lock. When no journal is left, the lock file and the state
 * directory are removed first (a run waiting on the old file notices and
 * takes a new one).
 */
void vb_state_unlock(const struct vb_root *root, int lock_fd);

/*
 * Reads the journal. Returns 0, -ENOENT when there is none (nothing is
 * configured), -EBADMSG when it is damaged (d says how), or -errno.
 */
int vb_state_load(const struct vb_root *root, struct vb_journal *j, struct vb_journal_damage *d);

/*
 * Writes the journal; one with no step and no changeset under way is
 * removed instead. Returns 0 or -errno.
 */
int vb_state_store(const struct vb_root *root, const struct vb_journal *j);

/* True when the tree holds a journal (damaged or not). */
bool vb_state_exists(const struct vb_root *root);

/* True when the state directory exists (a journal, or what a killed run left). */
bool vb_state_dir_exists(const struct vb_root *root);
