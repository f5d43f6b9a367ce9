/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "journal.h"
#include "root.h"

/*
 * The changeset engine: one run's effects on the tree, done in order as one
 * unit. configure and unconfigure compute the state they want and describe it
 * here as steps (journal.h): file replacements, the directories they need,
 * bootloader commands with their inverses, regenerations, checks. Applying
 * records every step in the journal before doing it; a step that fails rolls
 * back the ones before it, in reverse order, regenerations last (run again
 * on the restored files, unless the one that failed, which changed nothing).
 * A run that died is found by the next one and finished (every step was
 * done) or rolled back the same way.
 *
 * Undoing a file step is checked against the file: it is put back only when
 * it holds what the step wrote, and left alone (and reported) when it holds
 * something else.
 */

/* What the engine tells as it works; NULL members print the plain text lines. */
struct vb_changeset_hooks {
	/* A command about to run (run false: it cannot here, not root); undo when rolling back. */
	void (*command)(void *ctx, const struct vb_strv *argv, bool run, bool undo);
	/* One line about something that went wrong (a step, an undo). */
	void (*problem)(void *ctx, const char *msg);
	void *ctx;
};

/* Where and how a changeset works: the tree, the hooks, whether commands can run. */
struct vb_engine {
	const struct vb_root *root;
	const struct vb_changeset_hooks *hooks; /* NULL: plain text */
	bool run_commands;                      /* false under --root without privileges */
};

struct vb_changeset;

/* A verification: 0 when what was done is right, else -errno with the reason in why. */
typedef int (*vb_verify_fn)(void *ctx, char *why, size_t size);

struct vb_changeset *vb_changeset_new(const struct vb_engine *engine, enum vb_journal_op op);
void vb_changeset_free(struct vb_changeset *cs);

/*
 * Path (as seen from the tree: "/etc/vfio-boot.conf") should hold len bytes
 * of content, or, with content NULL, not exist. Its present state is read now.
 * An existing file keeps its mode and owner, a new one gets mode and ours.
 * Missing directories above it are made by steps of their own. edit (may be
 * NULL) says how this edit can be taken out of the file exactly later.
 * Returns 0 or -errno (-EINVAL for a bad path).
 */
int vb_changeset_put(struct vb_changeset *cs, const char *path, const char *content,
		     size_t len, mode_t mode, const struct vb_edit *edit);

/* Like vb_changeset_put with mode and owner as state says (unconfigure's restore). */
int vb_changeset_restore(struct vb_changeset *cs, const char *path,
			 const struct vb_file_state *state);

/* Removes directory path when it is empty (made by configure). Returns 0 or -ENOMEM. */
int vb_changeset_rmdir(struct vb_changeset *cs, const char *path);

/* A command and the command that undoes it (argv NULL-terminated). Returns 0 or -errno. */
int vb_changeset_command(struct vb_changeset *cs, const char *const *argv,
			 const char *const *undo_argv);

/* A regeneration (update-grub, update-initramfs): run again when rolled back. */
int vb_changeset_regenerate(struct vb_changeset *cs, const char *const *argv);

/* A check run in its place among the steps; its failure rolls everything back. */
int vb_changeset_verify(struct vb_changeset *cs, const char *name, vb_verify_fn fn, void *ctx);

/* How many steps change something (files that differ, directories, commands). */
size_t vb_changeset_changes(const struct vb_changeset *cs);

/*
 * Says why staging failed with err: "cannot read FILE: ERROR" when a file it
 * had to read could not be, else "cannot prepare the changes: ERROR".
 */
void vb_changeset_staging_failed(const struct vb_changeset *cs, int err);

/* Every step, in order, files left unchanged included; their states after apply. */
size_t vb_changeset_count(const struct vb_changeset *cs);
const struct vb_step *vb_changeset_step(const struct vb_changeset *cs, size_t i);

/*
 * What a step does: "create", "modify", "remove", "unchanged" (files),
 * "mkdir", "rmdir", "run" (commands, regenerations), "verify".
 */
const char *vb_step_action(const struct vb_step *s);

/* --dry-run: the unified diff of every file that changes. Returns 0 or -errno. */
int vb_changeset_diff(const struct vb_changeset *cs, FILE *out);

/*
 * Applies the changeset; j is the tree's journal (loaded, with no changeset
 * under way). Returns 0; or -errno with what failed in why (also told through
 * the hooks), after every step was rolled back (or, when one could not be,
 * with the journal keeping the rest for the next run). -EUCLEAN: everything
 * was done but the journal could not be updated; the next run finishes or
 * rolls back.
 */
int vb_changeset_apply(struct vb_changeset *cs, struct vb_journal *j, char *why, size_t size);

/*
 * Finishes (every step done) or rolls back the changeset a run left in j,
 * and stores the journal. Returns 1 when finished, 0 when rolled back, or
 * -errno when a step could not be undone (the journal keeps it for next time).
 */
int vb_changeset_recover(const struct vb_engine *engine, struct vb_journal *j);

/* Reads path's present state, bytes and all (links followed in the tree). Returns 0 or -errno. */
int vb_file_state_read(const struct vb_root *root, const char *path, struct vb_file_state *st);

/* Words joined by spaces ("update-initramfs -u -k all"), in a new string; NULL on ENOMEM. */
char *vb_argv_line(const struct vb_strv *argv);
