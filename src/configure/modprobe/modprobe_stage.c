// SPDX-License-Identifier: GPL-2.0-or-later
/* configure's block of /etc/modprobe.d/vfio.conf as a step, and the ids= options it leaves. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "modprobe_ids.h"
#include "modprobe_stage.h"
#include "ownblock.h"
#include "vfio_conf.h"

#define MODPROBE_PATH "/etc/modprobe.d/vfio.conf"

int modprobe_warn_other_ids(const struct cli *cli)
{
	struct vb_msgs where = { 0 };
	char unreadable[PATH_MAX];
	int err = vb_find_ids_options(&cli->root, "vfio.conf", &where, unreadable,
				      sizeof(unreadable));

	if (err < 0 && err != -ENOMEM)
		cli_error("cannot read %s: %s", unreadable, vb_strerror(err));

	for (size_t i = 0; i < where.count; i++)
		cli_warning("%s sets 'options vfio-pci ids=': vfio-pci takes every device "
			    "with those IDs, even with vfio_boot.disable=1; remove it",
			    where.items[i]);
	vb_msgs_free(&where);
	return err;
}

int stage_modprobe(struct changeset_job *job, const char *block)
{
	struct vb_edit record = { .kind = VB_EDIT_BLOCK };
	struct vb_msgs notes = { 0 };
	char *old = NULL, *merged = NULL;
	size_t len = 0, mlen = 0;
	int err = job_read_file(job->engine.root, MODPROBE_PATH, &old, &len, NULL);

	if (err == -ENOENT)
		err = 0;
	else if (err < 0)
		cli_error("cannot read %s: %s", MODPROBE_PATH, vb_strerror(err));
	if (err == 0) {
		err = vb_render_modprobe_file(old ? old : "", len, block, &merged, &mlen, &notes);
		for (size_t i = 0; i < notes.count; i++)
			cli_note("%s", notes.items[i]);
		if (err == -EINVAL)
			cli_error("%s: its lines \"%s\" and \"%s\" are out of order: put them right "
				  "or take them out", MODPROBE_PATH, VB_BLOCK_BEGIN, VB_BLOCK_END);
	}
	/* Nothing to write, and no file there: none is made. */
	if (err == 0)
		err = vb_changeset_put(job->cs, MODPROBE_PATH, old || mlen ? merged : NULL, mlen, 0644,
				       &record);
	vb_msgs_free(&notes);
	free(old);
	free(merged);
	return err;
}
