// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot unconfigure: takes back what the journal says configure did, and
 * only that. A file that still holds what configure wrote gets its original
 * bytes back; one changed since loses only configure's own edit where that
 * can be taken out exactly (flags, the modprobe block); any other is left as
 * it is, with its original kept beside it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "kcmdline.h"
#include "outcome.h"
#include "vfio_conf.h"
#include "regenerate.h"
#include "session.h"

#define KEPT_SUFFIX ".vfio-boot-orig"

/* A file's state while configure's steps on it are taken back, the last first. */
struct undoing {
	struct vb_file_state now;
	bool edited; /* an edit was taken out: not every step came back whole */
};

/* Takes step s's own edit out of u->now. Returns 0, or -EINVAL when it cannot be done exactly. */
static int take_out_edit(struct undoing *u, const struct vb_step *s)
{
	struct vb_cmdline_problem p;
	char *out = NULL;
	size_t len = 0;
	int err = -EINVAL;

	if (!u->now.exists)
		return -EINVAL;
	switch (s->edit.kind) {
	case VB_EDIT_GRUB:
		err = vb_grub_undo(u->now.data, u->now.len, &s->edit, &out, &len, &p);
		break;
	case VB_EDIT_KERNEL_CMDLINE:
		err = vb_kernel_cmdline_undo(u->now.data, u->now.len, &s->edit, &out, &len);
		break;
	case VB_EDIT_BLOCK:
		err = vb_render_modprobe_undo(u->now.data, u->now.len,
					      s->old.exists ? s->old.data : "", s->old.len, &out, &len);
		break;
	case VB_EDIT_NONE:
		break;
	}
	if (err == 0) {
		err = vb_file_state_set(&u->now, out, len, u->now.mode, u->now.uid, u->now.gid, true);
		u->edited = true;
	}
	free(out);
	return err;
}

/* True when text is only white space. */
static bool blank(const char *text, size_t len)
{
	return strspn(text, " \t\r\n") >= len;
}

/* The original kept beside a file left as it is. */
static int keep_original(struct changeset_job *job, const char *path,
			 const struct vb_file_state *original)
{
	char kept[PATH_MAX];

	if (!original->exists) {
		cli_warning("left %s as it is: it changed since configure, which had created it", path);
		return 0;
	}
	if (snprintf(kept, sizeof(kept), "%s%s", path, KEPT_SUFFIX) >= (int)sizeof(kept))
		return -ENAMETOOLONG;
	cli_warning("left %s as it is: it changed since configure in a way configure's edit "
		    "cannot be taken out of exactly; its original is in %s", path, kept);
	return vb_changeset_restore(job->cs, kept, original);
}

/*
 * Stages the state path should get back to: the steps configure took on it
 * (steps[0..n), first to last) taken back, the last first. Counts a file left
 * as it is in *kept.
 */
static int unstage_file(struct changeset_job *job, const char *path,
			const struct vb_step *const *steps, size_t n, size_t *kept, size_t *edited)
{
	struct undoing u = { 0 };
	bool conflict = false;
	int err = vb_file_state_read(job->engine.root, path, &u.now);

	for (size_t k = n; err == 0 && !conflict && k-- > 0;) {
		const struct vb_step *s = steps[k];

		if (vb_file_state_same(&u.now, &s->new) || (!u.now.exists && !s->old.exists))
			err = vb_file_state_set(&u.now, s->old.data, s->old.len, s->old.mode,
						s->old.uid, s->old.gid, true);
		else
			conflict = take_out_edit(&u, s) < 0;
	}
	if (err == 0 && conflict) {
		(*kept)++;
		err = keep_original(job, path, &steps[0]->old);
	} else if (err == 0 && !u.edited) {
		err = vb_changeset_restore(job->cs, path, &steps[0]->old);
	} else if (err == 0) {
		bool gone = !steps[0]->old.exists && (!u.now.exists || blank(u.now.data, u.now.len));

		cli_note("%s changed since configure: only configure's own edit is taken out "
			 "of it", path);
		(*edited)++;
		err = vb_changeset_put(job->cs, path, gone ? NULL : u.now.data, u.now.len, 0644, NULL);
	}
	free(u.now.data);
	return err;
}

/* Every step that takes configure's back, in reverse order. */
static int stage(struct changeset_job *job, size_t *kept, size_t *edited)
{
	const struct vb_journal *j = job->journal;
	const struct vb_step **steps = calloc(j->ndone + 1, sizeof(*steps));
	static const enum vb_bootloader refresh[] = { VB_BOOTLOADER_GRUB,
						      VB_BOOTLOADER_KERNEL_CMDLINE };
	int err = steps ? 0 : -ENOMEM;

	/* Files, the one configure touched last first, each with all its steps. */
	for (size_t i = j->ndone; err == 0 && i-- > 0;) {
		const struct vb_step *s = &j->done[i];
		size_t n = 0;
		bool later = false;

		if (s->kind != VB_STEP_FILE)
			continue;
		for (size_t k = i + 1; k < j->ndone; k++)
			later = later || (j->done[k].kind == VB_STEP_FILE &&
					  strcmp(j->done[k].path, s->path) == 0);
		if (later)
			continue; /* staged with its last step */
		for (size_t k = 0; k <= i; k++)
			if (j->done[k].kind == VB_STEP_FILE && strcmp(j->done[k].path, s->path) == 0)
				steps[n++] = &j->done[k];
		err = unstage_file(job, s->path, steps, n, kept, edited);
	}
	for (size_t i = j->ndone; err == 0 && i-- > 0;) {
		const struct vb_step *s = &j->done[i];
		const char **argv = NULL, **undo = NULL;

		if (s->kind == VB_STEP_MKDIR)
			err = vb_changeset_rmdir(job->cs, s->path);
		if (s->kind != VB_STEP_COMMAND)
			continue;
		argv = calloc(s->undo_argv.count + 1, sizeof(*argv));
		undo = calloc(s->argv.count + 1, sizeof(*undo));
		if (argv && undo) {
			memcpy(argv, s->undo_argv.items, s->undo_argv.count * sizeof(*argv));
			memcpy(undo, s->argv.items, s->argv.count * sizeof(*undo));
			err = vb_changeset_command(job->cs, argv, undo);
		} else {
			err = -ENOMEM;
		}
		free(argv);
		free(undo);
	}
	if (err == 0)
		err = stage_regeneration(job, refresh, 2, false);
	free(steps);
	return err;
}

/* unconfigure; returns the exit status. */
static int unconfigure(const struct cli *cli)
{
	struct changeset_job job = { .cli = cli };
	struct session session;
	size_t kept = 0, edited = 0;
	char why[1024];
	int rc, err;

	if (cli->nargs) {
		cli_error("unconfigure takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (cli_refuse_without_root(cli) < 0)
		return VB_EXIT_NEED_ROOT;
	rc = session_begin(&session, cli, !cli->dry_run);
	if (rc != 0)
		return rc;
	if (session.journal.ndone == 0) {
		cli_print("not configured: nothing to undo\n");
		session_end(&session);
		return VB_EXIT_OK;
	}
	job.engine = session.engine;
	job.journal = &session.journal;
	job.cs = vb_changeset_new(&job.engine, VB_OP_UNCONFIGURE);
	err = job.cs ? stage(&job, &kept, &edited) : -ENOMEM;
	if (err < 0) {
		vb_changeset_staging_failed(job.cs, err);
		rc = VB_EXIT_FAILED;
	} else if (cli->dry_run) {
		job_show(&job);
		vb_outcome_changed();
	} else {
		rc = vb_changeset_apply(job.cs, &session.journal, why, sizeof(why)) < 0 ?
			     VB_EXIT_FAILED :
			     VB_EXIT_OK;
		if (rc == VB_EXIT_OK && kept == 0 && edited == 0)
			cli_print("unconfigured: every file is back as it was\n");
		else if (rc == VB_EXIT_OK && kept == 0)
			cli_print("unconfigured: configure's changes are taken out; the edits made "
				  "since are kept\n");
		else if (rc == VB_EXIT_OK)
			cli_print("unconfigured, but %zu file(s) changed since configure were left as "
				  "they are (see above)\n", kept);
	}
	if (rc == VB_EXIT_OK && kept)
		rc = VB_EXIT_KEPT;
	/* A Secure Boot image nothing here can sign: the command for the user. */
	if (rc == VB_EXIT_OK && !cli->dry_run && vb_boot_refresh_sign_note(&job.refresh))
		rc = VB_EXIT_NO_BOOTLOADER;
	if (rc == VB_EXIT_OK && vb_boot_refresh_left_note(&job.refresh))
		rc = VB_EXIT_NO_BOOTLOADER;
	if (job.cs && err == 0)
		vb_outcome_changeset(job.cs);
	job_free(&job);
	session_end(&session);
	return rc;
}

int cmd_unconfigure(const struct cli *cli)
{
	return vb_outcome_run(cli, unconfigure);
}
