// SPDX-License-Identifier: GPL-2.0-or-later
/* One configure or unconfigure run's changeset, and what both commands read from it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "kcmdline.h"
#include "root_write.h"

int job_read_file(const struct vb_root *root, const char *path, char **text, size_t *len,
		   struct stat *st)
{
	struct vb_root_file f;
	int err = vb_root_locate(root, path, true, &f);

	*text = NULL;
	*len = 0;
	if (err == 0)
		err = vb_root_file_read(&f, VB_ROOT_FILE_MAX, text, len, st, NULL);
	vb_root_file_release(&f);
	return err;
}

int job_flags_ours(const struct vb_journal *j, const char *path, struct vb_strv *ours)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < j->ndone; i++)
		if (j->done[i].kind == VB_STEP_FILE && strcmp(j->done[i].path, path) == 0)
			err = vb_edit_ours(&j->done[i].edit, ours);
	return err;
}

void job_free(struct changeset_job *job)
{
	vb_changeset_free(job->cs);
	vb_boot_refresh_free(&job->refresh);
	job->cs = NULL;
}

bool job_file_changes(const struct vb_changeset *cs, const char *path)
{
	for (size_t i = 0; path && i < vb_changeset_count(cs); i++) {
		const struct vb_step *s = vb_changeset_step(cs, i);

		if (s->kind == VB_STEP_FILE && strcmp(s->path, path) == 0)
			return strcmp(vb_step_action(s), "unchanged") != 0;
	}
	return false;
}

void job_show(const struct changeset_job *job)
{
	vb_changeset_diff(job->cs, cli_text());
	for (size_t i = 0; i < vb_changeset_count(job->cs); i++) {
		const struct vb_step *s = vb_changeset_step(job->cs, i);
		char *line;

		if (s->kind != VB_STEP_COMMAND && s->kind != VB_STEP_REGENERATE)
			continue;
		line = vb_argv_line(&s->argv);
		cli_print("would run: %s", line ? line : s->argv.items[0]);
		if (!job->cli->root.host)
			cli_print("   (chroot %s)", job->cli->root.path);
		cli_print("\n");
		free(line);
	}
}
