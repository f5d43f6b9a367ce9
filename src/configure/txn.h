/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "root.h"

/*
 * A set of whole-file changes under a root directory, applied together.
 * Paths are absolute as seen from the root ("/etc/vfio-boot.conf").
 *
 * State lives in ROOT/var/lib/vfio-boot/: for every file configure ever
 * changed, the original bytes (and mode) or a note that it did not exist, in a
 * manifest, written the first time the file is changed, never overwritten
 * later. unconfigure restores every file byte for byte from there.
 */
struct vb_txn;

/*
 * Returns a new empty transaction on the tree root (borrowed: it must outlive
 * the transaction), or NULL. Every file is read and written through root.
 */
struct vb_txn *vb_txn_new(const struct vb_root *root);
void vb_txn_free(struct vb_txn *txn);

/*
 * Records that path should hold content (len bytes) with mode. Comparing with
 * what is on disk now decides whether it is a change. Returns 0 or -errno.
 */
int vb_txn_put(struct vb_txn *txn, const char *path, const char *content, size_t len,
	       mode_t mode);

/* Records that path should not exist. Returns 0 or -errno. */
int vb_txn_remove(struct vb_txn *txn, const char *path);

/* How many recorded paths differ from what is on disk. */
size_t vb_txn_changes(const struct vb_txn *txn);

/* What a recorded path's change does to it. */
enum vb_txn_action {
	VB_TXN_UNCHANGED,
	VB_TXN_CREATE,
	VB_TXN_MODIFY, /* other bytes, or another mode */
	VB_TXN_REMOVE,
};

/* How many paths are recorded. */
size_t vb_txn_count(const struct vb_txn *txn);

/* The i-th recorded path (in recording order) and, in *action, its change. */
const char *vb_txn_entry(const struct vb_txn *txn, size_t i, enum vb_txn_action *action);

/* "unchanged", "create", "modify" or "remove". */
const char *vb_txn_action_name(enum vb_txn_action action);

/*
 * Writes a unified diff ("--- a/etc/x" / "+++ b/etc/x") of every change to out.
 * Returns 0 or -errno.
 */
int vb_txn_diff(const struct vb_txn *txn, FILE *out);

/*
 * Applies every change: saves originals first (only those not saved before),
 * then for each file writes a temp file in the same directory, fsyncs, renames
 * (creating missing parent directories), or unlinks. If any step fails, every
 * file already changed is put back as it was and the error is returned, with
 * a one-line description in err. Returns 0 or -errno.
 */
int vb_txn_commit(struct vb_txn *txn, char *err, size_t errsize);

/*
 * Fills txn with the changes that put every file in the manifest back as it
 * was before the first configure: original bytes and mode, or removal of files
 * configure created. Returns 0, -ENOENT when nothing is configured, or -errno.
 */
int vb_txn_restore_all(struct vb_txn *txn);

/*
 * After a successful commit of a restore: removes the saved originals and the
 * manifest. Returns 0 or -errno.
 */
int vb_txn_forget_saved(struct vb_txn *txn);

/* True when ROOT/var/lib/vfio-boot holds a manifest (configure has run). */
bool vb_txn_is_configured(const struct vb_root *root);
