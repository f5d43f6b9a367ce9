// SPDX-License-Identifier: GPL-2.0-or-later
/* configure's block of /etc/modprobe.d as steps, verified to take effect; the ids= options it leaves. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "modprobe_ids.h"
#include "modprobe_stage.h"
#include "ownblock.h"
#include "softdeps.h"
#include "vfio_conf.h"

int modprobe_warn_other_ids(const struct cli *cli)
{
	struct vb_strv where = { 0 };
	char unreadable[PATH_MAX];
	int err = vb_find_ids_options(&cli->root, VB_MODPROBE_VFIO_NAME, &where, unreadable,
				      sizeof(unreadable));

	if (err < 0 && err != -ENOMEM)
		cli_error("cannot read %s: %s", unreadable, vb_strerror(err));
	for (size_t i = 0; i < where.count; i++)
		cli_warning("%s sets 'options vfio-pci ids=': vfio-pci takes every device "
			    "with those IDs, even with vfio_boot.disable=1; remove it",
			    where.items[i]);
	vb_strv_free(&where);
	return err;
}

/*
 * A file of /etc/modprobe.d: the admin's lines kept, configure's block set to
 * block (put first where there is none). Its new text goes to *now (NULL: no
 * file); vfio.conf, where earlier versions kept the block, only when it exists.
 */
static int stage_file(struct changeset_job *job, const char *name, const char *block,
		      struct vb_modprobe_file *now)
{
	struct vb_edit record = { .kind = VB_EDIT_BLOCK };
	struct vb_strv notes = { 0 };
	char path[128], *old = NULL, *merged = NULL;
	size_t len = 0, mlen = 0;
	int err;

	snprintf(path, sizeof(path), "/etc/modprobe.d/%s", name);
	err = job_read_file(job->engine.root, path, &old, &len, NULL);
	*now = (struct vb_modprobe_file){ .name = name };
	if (err == -ENOENT && !block[0])
		return 0;
	if (err == -ENOENT)
		err = 0;
	else if (err < 0)
		cli_error("cannot read %s: %s", path, vb_strerror(err));
	if (err == 0) {
		err = vb_render_modprobe_file(old ? old : "", len, block, true, &merged, &mlen,
					      &notes);
		for (size_t i = 0; i < notes.count; i++)
			cli_note("%s", notes.items[i]);
		if (err == -EINVAL)
			cli_error("%s: its lines \"%s\" and \"%s\" are out of order: put them right "
				  "or take them out", path, VB_BLOCK_BEGIN, VB_BLOCK_END);
	}
	/* Nothing left to write: no file is made, and one that held only configure's lines goes. */
	if (err == 0)
		err = vb_changeset_put(job->cs, path, mlen || (old && len == 0) ? merged : NULL, mlen,
				       0644, &record);
	if (err == 0 && mlen)
		*now = (struct vb_modprobe_file){ .name = name, .text = merged, .len = mlen };
	else
		free(merged);
	vb_strv_free(&notes);
	free(old);
	return err;
}

/*
 * Every module that claims a selected function must load after vfio-pci with
 * the files as configure would leave them, on every installed kernel, and
 * keep its own softdeps: else nothing is written (-EINVAL), unless --force.
 */
static int refuse_escapes(struct changeset_job *job, const struct vb_strv *modules,
			  const struct vb_modprobe_file *files, size_t nfiles)
{
	struct vb_softdep_report rep = { 0 };
	struct vb_kmod km;
	char why[PATH_MAX + 128] = "", where[PATH_MAX];
	int err = vb_kmod_open(&km, job->engine.root, where, sizeof(where));

	if (err < 0)
		snprintf(why, sizeof(why), "cannot read %s (the kernel module indexes): %s", where,
			 vb_strerror(err));
	else
		err = vb_softdeps_verify(&km, job->engine.root, files, nfiles, modules, &rep, why,
					 sizeof(why));
	if (err < 0)
		cli_error("%s", why[0] ? why : vb_strerror(err));
	for (size_t i = 0; i < rep.kept.count; i++)
		cli_warning("%s", rep.kept.items[i]);
	for (size_t i = 0; i < rep.escapes.count + rep.masked.count; i++) {
		const char *what = i < rep.escapes.count ? rep.escapes.items[i] :
							     rep.masked.items[i - rep.escapes.count];

		if (job->cli->force)
			cli_error_overridden("%s (kept: --force)", what);
		else
			cli_error("%s; nothing written (--force writes it anyway)", what);
	}
	if (err == 0 && !job->cli->force && rep.escapes.count + rep.masked.count)
		err = -EINVAL;
	vb_softdep_report_free(&rep);
	vb_kmod_close(&km);
	return err;
}

int stage_modprobe(struct changeset_job *job, const char *block, const struct vb_strv *modules)
{
	struct vb_modprobe_file files[2] = { { 0 }, { 0 } };
	int err = stage_file(job, VB_MODPROBE_OWN_NAME, block, &files[0]);

	/* Earlier versions' block moves out of vfio.conf; its ids= lines are commented out. */
	if (err == 0)
		err = stage_file(job, VB_MODPROBE_VFIO_NAME, "", &files[1]);
	if (err == 0)
		err = refuse_escapes(job, modules, files, 2);
	free((char *)files[0].text);
	free((char *)files[1].text);
	return err;
}
