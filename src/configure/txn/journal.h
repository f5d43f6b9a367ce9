/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "strv.h"
#include "root_xattr.h"
#include "sha256.h"

/*
 * The journal: every effect configure had on the tree, each with what takes
 * it back, and the changeset under way, if any. It is the one undo store:
 * unconfigure takes back what it lists, and a run that was interrupted is
 * finished or rolled back from it. This file is its format (pure); the store
 * under /var/lib/vfio-boot is statedir.h.
 *
 * The file is a sequence of records, each "vfio-boot-journal TYPE LEN SHA256\n",
 * LEN bytes of body, "\n". TYPE is header (the format version), step (a step
 * configure took, first to last), changeset (a run under way; the steps after
 * it are that run's) and end (how many records came before). A record's
 * SHA256 covers the previous record's SHA256 (none for the header), its TYPE
 * and its body, so each record vouches for all before it: a journal cut
 * short, torn, edited, or with records swapped, dropped or repeated is told
 * from a whole one, never half read. Version 1 journals (each SHA256 of its
 * body alone, no extended attributes) are still read, and written again as
 * version 2.
 */

enum vb_step_kind {
	VB_STEP_MKDIR,      /* path: a directory made; undone by removing it if empty */
	VB_STEP_RMDIR,      /* path: an empty directory removed; undone by making it */
	VB_STEP_FILE,       /* path: from the old state to the new one, and back */
	VB_STEP_COMMAND,    /* argv, undone by undo_argv (a bootloader's kernel flags) */
	VB_STEP_REGENERATE, /* argv, undone by running it again once the steps before it are */
	VB_STEP_VERIFY,     /* name: a check of what was done; nothing to undo */
};

enum vb_step_state {
	VB_STEP_PENDING, /* not begun */
	VB_STEP_STARTED, /* begun, maybe done in part or in whole (a crash came) */
	VB_STEP_DONE,
	VB_STEP_FAILED,  /* it reported an error and may have changed something */
	VB_STEP_UNDONE,  /* taken back, or it failed having changed nothing: nothing to undo */
	VB_STEP_SKIPPED, /* it had nothing to do (a directory there already, a command
			    that cannot run here, not root): nothing to undo */
};

struct vb_file_state {
	bool exists;
	mode_t mode;                /* permission bits */
	uid_t uid;
	gid_t gid;
	char hash[VB_SHA256_HEX];   /* of the bytes; "" when it does not exist */
	char *data;                 /* the bytes: journaled for the old state, in memory only
				       for the new one */
	size_t len;
	struct vb_xattrs xattrs;    /* its extended attributes, journaled with the bytes */
	bool xattrs_known;          /* false: take those of the file it replaces (a state
				       configure made, or one a version 1 journal kept) */
};

/* How configure's own edit can be taken out of a file that changed since. */
enum vb_edit_kind {
	VB_EDIT_NONE,           /* the file is wholly configure's */
	VB_EDIT_GRUB,           /* words of GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub */
	VB_EDIT_KERNEL_CMDLINE, /* words before "--" in /etc/kernel/cmdline */
	VB_EDIT_BLOCK,          /* the marked block of a modprobe.d file (ownblock.h) */
};

struct vb_edit {
	enum vb_edit_kind kind;
	struct vb_strv added;        /* words put in where no word had their key */
	struct vb_strv replaced_old; /* words taken out for the word of the same key ... */
	struct vb_strv replaced_new; /* ... put in their place (same index) */
	struct vb_strv removed;      /* configure's own earlier words taken out */
	struct vb_strv dropped;      /* a guide's leftovers taken out (vfio-pci.ids=): put back */
};

/* The longest word a journal record holds. */
#define VB_EDIT_WORD_MAX 4096

/* Frees an edit's words; it is VB_EDIT_NONE after. */
void vb_edit_free(struct vb_edit *e);

struct vb_step {
	enum vb_step_kind kind;
	enum vb_step_state state;
	char *path;                  /* MKDIR, RMDIR, FILE: "/etc/default/grub" */
	struct vb_file_state old;    /* FILE */
	struct vb_file_state new;    /* FILE */
	struct vb_edit edit;         /* FILE */
	struct vb_strv argv;         /* COMMAND, REGENERATE */
	struct vb_strv undo_argv;    /* COMMAND */
	char *name;                  /* VERIFY */
	int status;                  /* COMMAND, REGENERATE: the last exit status (not journaled) */
};

enum vb_journal_op { VB_OP_CONFIGURE, VB_OP_UNCONFIGURE };

struct vb_journal {
	struct vb_step *done;   /* what configure did, first to last (committed) */
	size_t ndone;
	bool open;              /* a changeset is under way (or was, when a run died) */
	enum vb_journal_op op;
	bool undoing;           /* it is being rolled back */
	long long started;      /* when it began, seconds since the epoch */
	struct vb_step *steps;  /* its steps, in order */
	size_t nsteps;
};

/* What is wrong with a journal that does not read whole. */
struct vb_journal_damage {
	size_t record;        /* the first bad record, counted from 1 */
	char why[128];
	struct vb_strv paths; /* the files the intact step records name */
};

#define VB_JOURNAL_MAX (64 * 1024 * 1024)

/*
 * Reads a journal. Returns 0, -EBADMSG with d filled in when it is damaged,
 * or -ENOMEM. j is empty unless it returns 0.
 */
int vb_journal_parse(const char *data, size_t len, struct vb_journal *j,
		     struct vb_journal_damage *d);

/* Writes j in the format above into a new buffer. Returns 0 or -ENOMEM. */
int vb_journal_format(const struct vb_journal *j, char **data, size_t *len);

void vb_journal_free(struct vb_journal *j);
void vb_journal_damage_free(struct vb_journal_damage *d);

/* Deep copy of a step (new.data included). Returns 0 or -ENOMEM. */
int vb_step_copy(struct vb_step *to, const struct vb_step *from);
void vb_step_free(struct vb_step *s);

/* Appends a copy of s to the array. Returns 0 or -ENOMEM. */
int vb_steps_append(struct vb_step **steps, size_t *count, const struct vb_step *s);

/* "mkdir", "rmdir", "file", "command", "regenerate", "verify". */
const char *vb_step_kind_name(enum vb_step_kind kind);

/* "pending", "started", "done", "failed", "undone", "skipped". */
const char *vb_step_state_name(enum vb_step_state state);

/*
 * Fills st from bytes (NULL: the file does not exist), its extended
 * attributes unknown. Returns 0 or -ENOMEM.
 */
int vb_file_state_set(struct vb_file_state *st, const char *data, size_t len, mode_t mode,
		      uid_t uid, gid_t gid, bool keep_data);

/* Makes x (copied) st's extended attributes, known. Returns 0 or -ENOMEM. */
int vb_file_state_set_xattrs(struct vb_file_state *st, const struct vb_xattrs *x);

/*
 * True when a and b describe the same bytes and mode (or both no file).
 * Extended attributes are carried, not compared: a relabel is no conflict.
 */
bool vb_file_state_same(const struct vb_file_state *a, const struct vb_file_state *b);

/* Accepts "/a/b": absolute, no empty, "." or ".." part, no newline. */
bool vb_journal_path_ok(const char *path);
