// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changeset.h"
#include "cli.h"
#include "root_write.h"
#include "run.h"
#include "statedir.h"
#include "udiff.h"

struct verification {
	vb_verify_fn fn;
	void *ctx;
};

struct vb_changeset {
	struct vb_engine engine;
	enum vb_journal_op op;
	struct vb_step *steps;       /* in order; files left unchanged too */
	size_t nsteps;
	struct verification *checks; /* per step; fn NULL but for verifications */
	char unread[PATH_MAX];       /* the file a staging could not read ("" none) */
};

struct vb_changeset *vb_changeset_new(const struct vb_engine *engine, enum vb_journal_op op)
{
	struct vb_changeset *cs = calloc(1, sizeof(*cs));

	if (cs) {
		cs->engine = *engine;
		cs->op = op;
	}
	return cs;
}

void vb_changeset_free(struct vb_changeset *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->nsteps; i++)
		vb_step_free(&cs->steps[i]);
	free(cs->steps);
	free(cs->checks);
	free(cs);
}

/* Takes s over (its contents are moved, s is emptied). */
static int add_step(struct vb_changeset *cs, struct vb_step *s, const struct verification *v)
{
	struct vb_step *steps = realloc(cs->steps, (cs->nsteps + 1) * sizeof(*steps));
	struct verification *checks;

	if (!steps)
		return -ENOMEM;
	cs->steps = steps;
	checks = realloc(cs->checks, (cs->nsteps + 1) * sizeof(*checks));
	if (!checks)
		return -ENOMEM;
	cs->checks = checks;
	checks[cs->nsteps] = v ? *v : (struct verification){ NULL, NULL };
	steps[cs->nsteps++] = *s;
	memset(s, 0, sizeof(*s));
	return 0;
}

static bool is_unchanged(const struct vb_step *s)
{
	return s->kind == VB_STEP_FILE && vb_file_state_same(&s->old, &s->new);
}

const char *vb_step_action(const struct vb_step *s)
{
	switch (s->kind) {
	case VB_STEP_FILE:
		return is_unchanged(s) ? "unchanged" :
		       !s->old.exists	? "create" :
		       !s->new.exists	? "remove" :
					  "modify";
	case VB_STEP_MKDIR:
		return "mkdir";
	case VB_STEP_RMDIR:
		return "rmdir";
	case VB_STEP_COMMAND:
	case VB_STEP_REGENERATE:
		return "run";
	case VB_STEP_VERIFY:
		break;
	}
	return "verify";
}

size_t vb_changeset_changes(const struct vb_changeset *cs)
{
	size_t n = 0;

	for (size_t i = 0; i < cs->nsteps; i++)
		n += cs->steps[i].kind != VB_STEP_REGENERATE && cs->steps[i].kind != VB_STEP_VERIFY &&
		     !is_unchanged(&cs->steps[i]);
	return n;
}

size_t vb_changeset_count(const struct vb_changeset *cs)
{
	return cs->nsteps;
}

const struct vb_step *vb_changeset_step(const struct vb_changeset *cs, size_t i)
{
	return &cs->steps[i];
}

/* ------------------------------------------------------------ building */

static bool has_step(const struct vb_changeset *cs, enum vb_step_kind kind, const char *path)
{
	for (size_t i = 0; i < cs->nsteps; i++)
		if (cs->steps[i].kind == kind && strcmp(cs->steps[i].path, path) == 0)
			return true;
	return false;
}

/* MKDIR steps for the directories above path that do not exist, top first. */
static int add_parents(struct vb_changeset *cs, const char *path)
{
	char dir[PATH_MAX];
	int err = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *slash = strchr(dir + 1, '/'); err == 0 && slash; slash = strchr(slash + 1, '/')) {
		struct vb_step s = { .kind = VB_STEP_MKDIR };

		*slash = '\0';
		if (!vb_root_exists(cs->engine.root, dir) && !has_step(cs, VB_STEP_MKDIR, dir)) {
			s.path = strdup(dir);
			err = s.path ? add_step(cs, &s, NULL) : -ENOMEM;
		}
		*slash = '/';
	}
	return err;
}

int vb_file_state_read(const struct vb_root *root, const char *path, struct vb_file_state *st)
{
	struct vb_xattrs xattrs = { 0 };
	struct vb_root_file f;
	struct stat sb;
	char *data = NULL;
	size_t len = 0;
	int err = vb_root_locate(root, path, true, &f);

	if (err == 0)
		err = vb_root_file_read(&f, VB_ROOT_FILE_MAX, &data, &len, &sb, &xattrs);
	vb_root_file_release(&f);
	if (err == -ENOENT)
		return vb_file_state_set(st, NULL, 0, 0, 0, 0, false);
	if (err < 0)
		return err;
	err = vb_file_state_set(st, data, len, sb.st_mode, sb.st_uid, sb.st_gid, true);
	if (err == 0)
		err = vb_file_state_set_xattrs(st, &xattrs);
	vb_xattrs_free(&xattrs);
	free(data);
	return err;
}

static int copy_edit(struct vb_edit *to, const struct vb_edit *from)
{
	struct vb_step a = { .kind = VB_STEP_FILE }, b;
	int err;

	if (!from)
		return 0;
	a.edit = *from;
	err = vb_step_copy(&b, &a);
	if (err == 0) {
		*to = b.edit;
		memset(&b.edit, 0, sizeof(b.edit));
		vb_step_free(&b);
	}
	return err;
}

static int add_file(struct vb_changeset *cs, const char *path, const struct vb_file_state *want,
		    const struct vb_edit *edit)
{
	struct vb_step s = { .kind = VB_STEP_FILE };
	int err;

	if (!vb_journal_path_ok(path) || has_step(cs, VB_STEP_FILE, path))
		return -EINVAL;
	s.path = strdup(path);
	err = s.path ? vb_file_state_read(cs->engine.root, path, &s.old) : -ENOMEM;
	if (err < 0 && err != -ENOMEM)
		snprintf(cs->unread, sizeof(cs->unread), "%s", path);
	if (err == 0)
		err = vb_file_state_set(&s.new, want->data, want->len, want->mode, want->uid,
					want->gid, true);
	if (err == 0 && want->exists && want->xattrs_known)
		err = vb_file_state_set_xattrs(&s.new, &want->xattrs);
	if (err == 0 && !want->exists)
		err = vb_file_state_set(&s.new, NULL, 0, 0, 0, 0, false);
	if (err == 0)
		err = copy_edit(&s.edit, edit);
	if (err == 0 && want->exists && !is_unchanged(&s))
		err = add_parents(cs, path);
	if (err == 0)
		err = add_step(cs, &s, NULL);
	vb_step_free(&s);
	return err;
}

int vb_changeset_put(struct vb_changeset *cs, const char *path, const char *content,
		     size_t len, mode_t mode, const struct vb_edit *edit)
{
	struct vb_file_state now = { 0 }, want = { 0 };
	int err;

	if (!vb_journal_path_ok(path))
		return -EINVAL;
	err = vb_file_state_read(cs->engine.root, path, &now);
	if (err < 0 && err != -ENOMEM)
		snprintf(cs->unread, sizeof(cs->unread), "%s", path);
	if (err < 0)
		return err;
	/*
	 * An existing file keeps its mode and owner, and its extended attributes
	 * as they are when it is written (want's are unknown); a new one is ours.
	 */
	want.exists = content != NULL;
	want.data = (char *)content;
	want.len = len;
	want.mode = now.exists ? now.mode : mode & 07777;
	want.uid = now.exists ? now.uid : geteuid();
	want.gid = now.exists ? now.gid : getegid();
	err = add_file(cs, path, &want, edit);
	vb_file_state_set(&now, NULL, 0, 0, 0, 0, false); /* frees it */
	return err;
}

int vb_changeset_restore(struct vb_changeset *cs, const char *path,
			 const struct vb_file_state *state)
{
	return add_file(cs, path, state, NULL);
}

int vb_changeset_rmdir(struct vb_changeset *cs, const char *path)
{
	struct vb_step s = { .kind = VB_STEP_RMDIR, .path = strdup(path) };

	if (!s.path)
		return -ENOMEM;
	if (!vb_root_exists(cs->engine.root, path)) {
		free(s.path);
		return 0;
	}
	return add_step(cs, &s, NULL);
}

static int set_argv(struct vb_strv *to, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (strchr(argv[i], '\n'))
			return -EINVAL;
		if (vb_strv_add(to, "%s", argv[i]) < 0)
			return -ENOMEM;
	}
	return to->count ? 0 : -EINVAL;
}

int vb_changeset_command(struct vb_changeset *cs, const char *const *argv,
			 const char *const *undo_argv)
{
	struct vb_step s = { .kind = VB_STEP_COMMAND };
	int err = set_argv(&s.argv, argv);

	if (err == 0)
		err = set_argv(&s.undo_argv, undo_argv);
	if (err == 0)
		err = add_step(cs, &s, NULL);
	vb_step_free(&s);
	return err;
}

int vb_changeset_regenerate(struct vb_changeset *cs, const char *const *argv)
{
	struct vb_step s = { .kind = VB_STEP_REGENERATE };
	int err = set_argv(&s.argv, argv);

	if (err == 0)
		err = add_step(cs, &s, NULL);
	vb_step_free(&s);
	return err;
}

int vb_changeset_verify(struct vb_changeset *cs, const char *name, vb_verify_fn fn, void *ctx)
{
	struct vb_step s = { .kind = VB_STEP_VERIFY, .name = strdup(name) };
	struct verification v = { fn, ctx };

	if (!s.name || strchr(name, '\n') || !name[0]) {
		free(s.name);
		return s.name ? -EINVAL : -ENOMEM;
	}
	return add_step(cs, &s, &v);
}

char *vb_argv_line(const struct vb_strv *argv)
{
	char *line = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&line, &len);

	if (!out)
		return NULL;
	for (size_t i = 0; i < argv->count; i++)
		fprintf(out, "%s%s", i ? " " : "", argv->items[i]);
	if (fclose(out) != 0) {
		free(line);
		return NULL;
	}
	return line;
}

int vb_changeset_diff(const struct vb_changeset *cs, FILE *out)
{
	for (size_t i = 0; i < cs->nsteps; i++) {
		const struct vb_step *s = &cs->steps[i];
		char a[PATH_MAX + 2], b[PATH_MAX + 2];
		int err;

		if (s->kind != VB_STEP_FILE || is_unchanged(s))
			continue;
		if (s->old.exists && s->new.exists && s->old.mode != s->new.mode)
			fprintf(out, "mode change %04o => %04o %s\n", (unsigned)s->old.mode,
				(unsigned)s->new.mode, s->path + 1);
		if (s->old.exists && s->new.exists && strcmp(s->old.hash, s->new.hash) == 0)
			continue;
		snprintf(a, sizeof(a), "a%s", s->path);
		snprintf(b, sizeof(b), "b%s", s->path);
		err = vb_udiff(out, s->old.exists ? a : "/dev/null", s->old.exists ? s->old.data : "",
			       s->old.len, s->new.exists ? b : "/dev/null",
			       s->new.exists ? s->new.data : "", s->new.len);
		if (err < 0)
			return err;
	}
	return ferror(out) ? -EIO : 0;
}

/* ------------------------------------------------------------ doing */

static void problem(const struct vb_engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void problem(const struct vb_engine *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->hooks && e->hooks->problem)
		e->hooks->problem(e->hooks->ctx, msg);
	else
		cli_error("%s", msg);
}

void vb_changeset_staging_failed(const struct vb_changeset *cs, int err)
{
	if (cs && cs->unread[0])
		problem(&cs->engine, "cannot read %s: %s", cs->unread, vb_strerror(err));
	else
		cli_error("cannot prepare the changes: %s", vb_strerror(err));
}

static void announce(const struct vb_engine *e, const struct vb_strv *argv, bool run, bool undo)
{
	char *line;

	if (e->hooks && e->hooks->command) {
		e->hooks->command(e->hooks->ctx, argv, run, undo);
		return;
	}
	line = vb_argv_line(argv);
	cli_progress("%s %s%s%s%s", run ? "running:" : "not root, so not running:",
		     line ? line : argv->items[0], e->root->host ? "" : "   (chroot ",
		     e->root->host ? "" : e->root->path, e->root->host ? "" : ")");
	free(line);
}

/*
 * Runs argv in the tree. Returns its exit status, or -errno; 0 when it cannot
 * run here. No time limit: update-initramfs or dracut may take minutes (over
 * nine in a TCG guest), and a generator or a grubby killed half way leaves an
 * image or the entries in doubt; one that hangs keeps the tree's lock (the
 * next run says so) and can be stopped by hand, after which the next run
 * rolls the change back.
 */
static int run_argv(const struct vb_engine *e, const struct vb_strv *argv, bool undo,
		    bool *skipped)
{
	const char **words = calloc(argv->count + 1, sizeof(*words));
	int rc;

	*skipped = !e->run_commands;
	announce(e, argv, e->run_commands, undo);
	if (!e->run_commands) {
		free(words);
		return 0;
	}
	if (!words)
		return -ENOMEM;
	for (size_t i = 0; i < argv->count; i++)
		words[i] = argv->items[i];
	/* Its output joins ours: on stderr under --json, where stdout holds the JSON. */
	rc = vb_run_to(e->root, words, VB_RUN_NO_LIMIT, fileno(cli_text()));
	free(words);
	return rc;
}

static void describe_run(char *why, size_t size, const struct vb_strv *argv, int rc)
{
	if (rc < 0)
		snprintf(why, size, "cannot run %s: %s", argv->items[0], vb_strerror(rc));
	else
		snprintf(why, size, "%s failed with status %d", argv->items[0], rc);
}

/*
 * Writes the file as state to says, its extended attributes as to keeps
 * them or, when unknown, as the file has them now.
 */
static int put_state(const struct vb_root_file *f, const struct vb_file_state *to,
		     const struct vb_file_state *now)
{
	const struct vb_root_meta meta = { to->mode, to->uid, to->gid,
					   to->xattrs_known ? &to->xattrs : &now->xattrs };

	if (!to->exists)
		return vb_root_remove(f);
	return vb_root_replace(f, to->data ? to->data : "", to->len, &meta, vb_root_set_meta);
}

/*
 * A file step, forward (to new) or back (to old). *changed says whether the
 * file may now differ from what it was before the step (a failed write
 * whose rename came through, and only that).
 */
static int file_step(const struct vb_engine *e, struct vb_step *s, bool undo, bool *changed,
		     char *why, size_t size)
{
	const struct vb_file_state *from = undo ? &s->new : &s->old, *to = undo ? &s->old : &s->new;
	struct vb_file_state now = { 0 };
	struct vb_root_file f;
	int err = vb_root_locate(e->root, s->path, true, &f);

	*changed = false;
	if (err == -ENOENT && undo && !s->old.exists)
		return 0; /* its directory is gone: so is the file */
	if (err == 0) {
		vb_root_clean_temp(&f);
		err = vb_file_state_read(e->root, s->path, &now);
	}
	if (err == 0 && !vb_file_state_same(&now, from) && !vb_file_state_same(&now, to)) {
		snprintf(why, size, "%s changed while vfio-boot was working on it: left as it is",
			 s->path);
		err = -EBUSY;
	} else if (err == 0 && !vb_file_state_same(&now, to)) {
		err = put_state(&f, to, &now);
		err = err > 0 ? 0 : err;
		if (err < 0) {
			snprintf(why, size, "cannot %s %s: %s", to->exists ? "write" : "remove",
				 s->path, vb_strerror(err));
			/* A rename or unlink that came through, its fsync not: changed. */
			*changed = vb_file_state_read(e->root, s->path, &now) < 0 ||
				   vb_file_state_same(&now, to);
		}
	} else if (err < 0) {
		snprintf(why, size, "cannot read %s: %s", s->path, vb_strerror(err));
	}
	vb_root_file_release(&f);
	vb_file_state_set(&now, NULL, 0, 0, 0, 0, false); /* frees it */
	return err;
}

/*
 * Makes or removes the directory. *changed says whether it did: 0 from
 * vb_root_mkdir (a directory there already) or vb_root_rmdir (none, or not
 * empty) changed nothing, nor did -EEXIST (something else is there); after
 * another error, whether the directory is now as the step would leave it.
 */
static int dir_step(const struct vb_engine *e, const struct vb_step *s, bool make,
		    bool *changed, char *why, size_t size)
{
	int err = make ? vb_root_mkdir(e->root, s->path, 0755) : vb_root_rmdir(e->root, s->path);

	*changed = err > 0;
	if (err < 0) {
		snprintf(why, size, "cannot %s directory %s: %s", make ? "make" : "remove", s->path,
			 vb_strerror(err));
		*changed = make ? err != -EEXIST && vb_root_exists(e->root, s->path) :
				  !vb_root_exists(e->root, s->path);
	}
	return err < 0 ? err : 0;
}

static int command_step(const struct vb_engine *e, struct vb_step *s, const struct vb_strv *argv,
			bool undo, char *why, size_t size)
{
	bool skipped;
	int rc = run_argv(e, argv, undo, &skipped);

	s->status = rc;
	if (rc != 0) {
		describe_run(why, size, argv, rc);
		return rc < 0 ? rc : -ECANCELED;
	}
	if (skipped && !undo)
		s->state = VB_STEP_SKIPPED;
	return 0;
}

/*
 * Does step s. Sets its state; returns 0 or -errno with why. A step that
 * changed nothing needs no undo, whatever kind it is: one that failed so is
 * UNDONE at once, one that found its work done (a directory there already)
 * SKIPPED. A command that failed may have done part of its work: FAILED.
 */
static int do_step(const struct vb_engine *e, struct vb_step *s, const struct verification *v,
		   char *why, size_t size)
{
	bool changed = true;
	int err = 0;

	s->state = VB_STEP_DONE;
	switch (s->kind) {
	case VB_STEP_FILE:
		err = file_step(e, s, false, &changed, why, size);
		changed = changed || err == 0;
		break;
	case VB_STEP_MKDIR:
	case VB_STEP_RMDIR:
		err = dir_step(e, s, s->kind == VB_STEP_MKDIR, &changed, why, size);
		if (err == 0 && !changed)
			s->state = VB_STEP_SKIPPED;
		break;
	case VB_STEP_COMMAND:
	case VB_STEP_REGENERATE:
		err = command_step(e, s, &s->argv, false, why, size);
		/* A generator that fails leaves the image it found. */
		changed = err == 0 || s->kind == VB_STEP_COMMAND;
		break;
	case VB_STEP_VERIFY:
		err = v && v->fn ? v->fn(v->ctx, why, size) : 0;
		if (err < 0 && !why[0])
			snprintf(why, size, "%s failed: %s", s->name, vb_strerror(err));
		changed = false;
		break;
	}
	if (err < 0)
		s->state = changed ? VB_STEP_FAILED : VB_STEP_UNDONE;
	return err;
}

/* Takes step s back (regenerations aside). Returns 0 or -errno with why. */
static int undo_step(const struct vb_engine *e, struct vb_step *s, char *why, size_t size)
{
	bool changed;
	int err = 0;

	switch (s->kind) {
	case VB_STEP_FILE:
		err = file_step(e, s, true, &changed, why, size);
		break;
	case VB_STEP_MKDIR:
	case VB_STEP_RMDIR:
		err = dir_step(e, s, s->kind == VB_STEP_RMDIR, &changed, why, size);
		break;
	case VB_STEP_COMMAND:
		err = command_step(e, s, &s->undo_argv, true, why, size);
		break;
	case VB_STEP_REGENERATE:
	case VB_STEP_VERIFY:
		break;
	}
	if (err == 0)
		s->state = VB_STEP_UNDONE;
	return err;
}

static int store(const struct vb_engine *e, const struct vb_journal *j, bool quiet)
{
	int err = vb_state_store(e->root, j);

	if (err < 0 && !quiet)
		problem(e, "cannot write %s: %s", VB_JOURNAL_PATH, vb_strerror(err));
	return err;
}

static bool needs_undo(const struct vb_step *s)
{
	return s->state == VB_STEP_STARTED || s->state == VB_STEP_DONE ||
	       s->state == VB_STEP_FAILED;
}

/* Ends the changeset in j; configure's steps join the record of what is configured. */
static int close_changeset(struct vb_journal *j, bool commit)
{
	int err = 0;

	if (commit && j->op == VB_OP_UNCONFIGURE) {
		for (size_t i = 0; i < j->ndone; i++)
			vb_step_free(&j->done[i]);
		j->ndone = 0;
	}
	for (size_t i = 0; commit && j->op == VB_OP_CONFIGURE && i < j->nsteps && err == 0; i++) {
		struct vb_step *s = &j->steps[i];

		if (s->state == VB_STEP_DONE &&
		    (s->kind == VB_STEP_FILE || s->kind == VB_STEP_MKDIR || s->kind == VB_STEP_COMMAND)) {
			free(s->new.data); /* the journal keeps only its hash */
			s->new.data = NULL;
			err = vb_steps_append(&j->done, &j->ndone, s);
		}
	}
	for (size_t i = 0; i < j->nsteps; i++)
		vb_step_free(&j->steps[i]);
	free(j->steps);
	j->steps = NULL;
	j->nsteps = 0;
	j->open = false;
	j->undoing = false;
	return err;
}

/*
 * Rolls back every step of the changeset in j, the last first; regenerations
 * that ran (or may have) run again at the end, first first, on the restored
 * files. Returns 0 (end_rollback then closes it), or -errno when something
 * could not be undone (the journal keeps the changeset for the next run).
 */
static int roll_back(const struct vb_engine *e, struct vb_journal *j)
{
	int failures = 0;
	char why[512];

	j->undoing = true;
	store(e, j, false);
	for (size_t i = j->nsteps; i-- > 0;) {
		struct vb_step *s = &j->steps[i];

		if (!needs_undo(s) || s->kind == VB_STEP_REGENERATE)
			continue;
		why[0] = '\0';
		if (undo_step(e, s, why, sizeof(why)) < 0) {
			problem(e, "%s", why);
			failures++;
			continue;
		}
		store(e, j, true);
	}
	for (size_t i = 0; i < j->nsteps; i++) {
		struct vb_step *s = &j->steps[i];
		bool skipped;
		int rc;

		if (s->kind != VB_STEP_REGENERATE || !needs_undo(s))
			continue;
		rc = run_argv(e, &s->argv, true, &skipped);
		if (rc != 0) {
			describe_run(why, sizeof(why), &s->argv, rc);
			problem(e, "%s", why);
			failures++;
			continue;
		}
		s->state = VB_STEP_UNDONE;
		store(e, j, true);
	}
	if (failures) {
		problem(e, "%d step(s) could not be undone: %s keeps them, and the next vfio-boot "
			   "run tries again",
			failures, VB_JOURNAL_PATH);
		return -EIO;
	}
	return 0;
}

/* After a complete rollback: the changeset gone from the journal. */
static int end_rollback(const struct vb_engine *e, struct vb_journal *j)
{
	close_changeset(j, false);
	return store(e, j, false);
}

/* The changeset's steps, copied into j as a new changeset under way. */
static int open_changeset(const struct vb_changeset *cs, struct vb_journal *j, size_t *map)
{
	j->open = true;
	j->op = cs->op;
	j->undoing = false;
	j->started = (long long)time(NULL);
	for (size_t i = 0; i < cs->nsteps; i++) {
		if (is_unchanged(&cs->steps[i]))
			continue;
		map[j->nsteps] = i;
		if (vb_steps_append(&j->steps, &j->nsteps, &cs->steps[i]) < 0)
			return -ENOMEM;
		j->steps[j->nsteps - 1].state = VB_STEP_PENDING;
	}
	return 0;
}

/* The outcome of each step back into cs, for those who report it. */
static void copy_states(struct vb_changeset *cs, const struct vb_journal *j, const size_t *map)
{
	for (size_t i = 0; i < j->nsteps; i++) {
		cs->steps[map[i]].state = j->steps[i].state;
		cs->steps[map[i]].status = j->steps[i].status;
	}
}

int vb_changeset_apply(struct vb_changeset *cs, struct vb_journal *j, char *why, size_t size)
{
	const struct vb_engine *e = &cs->engine;
	size_t *map = calloc(cs->nsteps + 1, sizeof(*map)), begun = 0;
	int err;

	why[0] = '\0';
	if (!map)
		return -ENOMEM;
	err = open_changeset(cs, j, map);
	if (err == 0 && (err = store(e, j, true)) < 0)
		snprintf(why, size, "cannot write %s: %s", VB_JOURNAL_PATH, vb_strerror(err));
	for (size_t i = 0; err == 0 && i < j->nsteps; i++) {
		struct vb_step *s = &j->steps[i];

		/* Recorded as begun before it begins. */
		s->state = VB_STEP_STARTED;
		err = store(e, j, true);
		if (err < 0) {
			s->state = VB_STEP_PENDING;
			snprintf(why, size, "cannot write %s: %s", VB_JOURNAL_PATH, vb_strerror(err));
			break;
		}
		begun++;
		err = do_step(e, s, &cs->checks[map[i]], why, size);
	}
	copy_states(cs, j, map);
	if (err < 0 && begun) {
		problem(e, "%s: putting the files back as they were", why);
		begun = roll_back(e, j) == 0;
		copy_states(cs, j, map);
		if (begun)
			end_rollback(e, j);
	} else if (err < 0) {
		problem(e, "%s (nothing was changed)", why);
		close_changeset(j, false);
		store(e, j, true); /* what was there before, if the journal named this run */
	} else {
		/* All done: recorded as such, then as configured. */
		err = store(e, j, true);
		if (err == 0) {
			err = close_changeset(j, true);
			if (err == 0)
				err = store(e, j, true);
		}
		if (err < 0) {
			snprintf(why, size,
				 "everything was done, but %s could not be written (%s): the next "
				 "vfio-boot run finishes or takes back this change",
				 VB_JOURNAL_PATH, vb_strerror(err));
			problem(e, "%s", why);
			err = -EUCLEAN;
		}
	}
	free(map);
	return err;
}

int vb_changeset_recover(const struct vb_engine *engine, struct vb_journal *j)
{
	bool all_done = !j->undoing;
	int err;

	for (size_t i = 0; i < j->nsteps; i++)
		all_done = all_done && (j->steps[i].state == VB_STEP_DONE ||
					j->steps[i].state == VB_STEP_SKIPPED);
	/* Temporary files a crash left beside the files it was writing. */
	for (size_t i = 0; i < j->nsteps; i++) {
		struct vb_root_file f;

		if (j->steps[i].kind == VB_STEP_FILE &&
		    vb_root_locate(engine->root, j->steps[i].path, true, &f) == 0) {
			vb_root_clean_temp(&f);
			vb_root_file_release(&f);
		}
	}
	if (all_done) {
		err = close_changeset(j, true);

		return err < 0 ? err : store(engine, j, false) < 0 ? -EIO : 1;
	}
	err = roll_back(engine, j);
	return err < 0 ? err : end_rollback(engine, j);
}
