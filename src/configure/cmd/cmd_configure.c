// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot configure: the state the tree should be in (the selection, the
 * modprobe block, the kernel flags through the bootloader), computed here and
 * handed to the changeset engine as one unit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_stage.h"
#include "cli.h"
#include "device_keys.h"
#include "image_verify.h"
#include "job.h"
#include "modprobe_stage.h"
#include "outcome.h"
#include "regenerate.h"
#include "saved_selection.h"
#include "selection_args.h"
#include "selection_file.h"
#include "session.h"
#include "softdeps.h"
#include "validate.h"
#include "vfs_checks.h"
#include "vfio_conf.h"

#define SELECTION_PATH "/etc/vfio-boot.conf"

/* What configure wants, before it is compared with the tree. */
struct desired {
	char *selection;          /* /etc/vfio-boot.conf */
	char *modprobe;           /* configure's block of /etc/modprobe.d/00-vfio-boot.conf */
	struct vb_strv softdep_modules; /* the modules it gives a softdep */
	struct boot_flags boot;   /* kernel command line flags, and who takes them */
	enum vb_generator generator;
};

/* Appends tail to the text in *text. Returns 0 or -ENOMEM (*text unchanged). */
static int append_text(char **text, const char *tail)
{
	size_t len = strlen(*text), more = strlen(tail);
	char *grown = realloc(*text, len + more + 1);

	if (!grown)
		return -ENOMEM;
	memcpy(grown + len, tail, more + 1);
	*text = grown;
	return 0;
}

/*
 * The selection and --bootloader from the arguments alone, into cfg and want:
 * a typo is said at once, before any wait for the lock. Returns 0 or
 * VB_EXIT_USAGE after saying why (cfg freed).
 */
static int read_arguments(const struct cli *cli, struct vb_config *cfg, struct desired *want)
{
	if (selection_from_args(cli, cfg) < 0) {
		vb_config_free(cfg);
		return VB_EXIT_USAGE;
	}
	if (cli->bootloader && vb_bootloader_parse(cli->bootloader, &want->boot.bl) < 0) {
		cli_error("--bootloader must be grub, systemd-boot, kernel-install, grubby, "
			  "kernelstub or none, not '%s'", cli->bootloader);
		vb_config_free(cfg);
		return VB_EXIT_USAGE;
	}
	want->boot.bl_explicit = cli->bootloader != NULL;
	return 0;
}

/*
 * Computes everything else configure wants from the tree and the selection
 * in cfg, which it frees. Returns 0, or an exit status after saying why.
 */
static int compute_desired(const struct cli *cli, struct vb_config *cfg, struct desired *want)
{
	struct vb_strv notes = { 0 };
	struct vb_plan plan = { 0 };
	struct machine m;
	const char *generator;
	char note[512];
	int rc = VB_EXIT_USAGE, err;

	err = vb_generator_find(&cli->root, &want->generator, &generator);
	if (err < 0) {
		cli_error("cannot tell whether the tree has %s: %s", generator, vb_strerror(err));
		vb_config_free(cfg);
		return VB_EXIT_FAILED;
	}
	if (cli->regenerate && generator_refuse(want->generator) < 0) {
		vb_config_free(cfg);
		return VB_EXIT_USAGE;
	}
	if (!want->boot.bl_explicit) {
		err = vb_bootloader_detect(&cli->root, &want->boot.bl, note, sizeof(note));
		if (err < 0) {
			cli_error("%s", note);
			vb_config_free(cfg);
			return err == -ENOTUNIQ ? VB_EXIT_USAGE : VB_EXIT_FAILED;
		}
		if (note[0])
			cli_note("%s", note);
	}
	if (machine_load(cli, &m, MACHINE_CLAIMANTS | MACHINE_ROOT_BUS) < 0) {
		vb_config_free(cfg);
		return VB_EXIT_FAILED;
	}
	if (m.have_sys && vb_check_vfs(cli, &m, cfg) < 0)
		goto out;
	if (!m.have_sys)
		cli_note("no sys/ under %s: the selection is not checked against hardware",
			 cli->root.path);
	else if (err = vb_validate_selection(cli, &m, cfg, &plan), vb_outcome_plan(&m, &plan),
		 err < 0)
		goto out;
	{
		struct vb_saved_input saved = { cfg, m.have_sys ? &m.snap : NULL, &plan,
						cli->all_matching };
		struct vb_render_input in = { cfg, m.have_sys ? &m.snap : NULL, &plan, m.claimants,
					      cli->blacklist, NULL, 0 };
		struct vb_strv refusals = { 0 };
		char why[512] = "";

		struct vb_device_keys_input keys = { cfg, m.have_sys ? &m.snap : NULL, &plan, &m.kmod,
						     &cli->root };
		char *keys_text = NULL;

		err = vb_saved_selection_text(&saved, &want->selection, &notes, &refusals);
		if (err == 0)
			err = vb_device_keys_text(&keys, &keys_text, &notes, &refusals);
		for (size_t i = 0; i < refusals.count; i++)
			cli_error("%s", refusals.items[i]);
		vb_strv_free(&refusals);
		if (err == 0 && keys_text[0] && append_text(&want->selection, keys_text) < 0)
			err = -ENOMEM;
		free(keys_text);
		if (err == -EINVAL)
			goto out;
		if (err < 0) {
			rc = VB_EXIT_FAILED;
			cli_error("cannot compose %s: %s", SELECTION_PATH, vb_strerror(err));
			goto out;
		}
		err = vb_softdeps_block(&in, &m.kmod, &cli->root, &want->modprobe,
					&want->softdep_modules, &notes, why, sizeof(why));
		if (err < 0) {
			rc = err == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED;
			cli_error("%s", why);
			goto out;
		}
	}
	rc = VB_EXIT_FAILED;
	if (!want->selection || !want->modprobe)
		goto out;
	for (size_t i = 0; i < notes.count; i++)
		cli_note("%s", notes.items[i]);
	if (modprobe_warn_other_ids(cli) < 0)
		goto out;
	err = boot_flags_compute(cli, &m, m.have_sys ? &plan : NULL, &want->boot);
	if (err < 0) {
		rc = err == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED; /* a read error: said */
		goto out;
	}
	vb_outcome_kernel_flags(want->boot.bl, &want->boot.flags);
	rc = 0;
out:
	vb_strv_free(&notes);
	vb_plan_free(&plan);
	machine_free(&m);
	vb_config_free(cfg);
	return rc;
}

static void desired_free(struct desired *want)
{
	free(want->selection);
	free(want->modprobe);
	boot_flags_free(&want->boot);
	vb_strv_free(&want->softdep_modules);
}

/* Every file and command configure wants, as steps. Returns 0 or an exit status. */
static int stage(struct changeset_job *job, const struct desired *want, struct image_check *check,
		 bool *rebuild_only)
{
	int err = vb_changeset_put(job->cs, SELECTION_PATH, want->selection, strlen(want->selection),
				   0644, NULL);

	*rebuild_only = false;
	if (err == 0)
		err = stage_modprobe(job, want->modprobe, &want->softdep_modules);
	if (err == 0 && want->generator == VB_GENERATOR_MKINITCPIO)
		err = stage_mkinitcpio_dropin(job);
	if (err == 0)
		err = boot_stage(job, &want->boot);
	/* No file to change, but an image that predates the configuration: rebuilt. */
	if (err == 0 && vb_changeset_changes(job->cs) == 0 && job->cli->regenerate)
		*rebuild_only = vb_verify_images_outdated(job->engine.root, want->selection,
							  strlen(want->selection));
	if (err == 0)
		err = stage_regeneration(job, &want->boot.bl, 1, *rebuild_only);
	/* The images rebuilt must carry the binder, its hook and this configuration. */
	if (err == 0 && job->cli->regenerate && (vb_changeset_changes(job->cs) || *rebuild_only))
		err = stage_image_check(job, check, want->selection);
	if (err == -EINVAL)
		return VB_EXIT_USAGE; /* said why */
	if (err < 0) {
		vb_changeset_staging_failed(job->cs, err);
		return VB_EXIT_FAILED;
	}
	return 0;
}

static void files_written(const struct vb_changeset *cs, size_t *files)
{
	*files = 0;
	for (size_t i = 0; i < vb_changeset_count(cs); i++) {
		const struct vb_step *s = vb_changeset_step(cs, i);

		*files += s->kind == VB_STEP_FILE && strcmp(vb_step_action(s), "unchanged") != 0;
	}
}

/* The flags for the user, when no bootloader takes them. Returns the exit status. */
static int flags_note(const struct desired *want, int rc)
{
	if (want->boot.bl != VB_BOOTLOADER_NONE || (rc != VB_EXIT_OK && rc != VB_EXIT_NO_BOOTLOADER))
		return rc;
	if (want->boot.bl_explicit) {
		cli_print("--bootloader none: add these flags to the kernel command line yourself:\n"
			  "  %s\n", want->boot.joined);
		return rc;
	}
	cli_warning("no bootloader recognised: add these flags to the kernel command line:");
	cli_print("  %s\n", want->boot.joined);
	return VB_EXIT_NO_BOOTLOADER;
}

/* configure; returns the exit status. */
static int configure(const struct cli *cli)
{
	struct desired want = { 0 };
	struct changeset_job job = { .cli = cli };
	struct image_check check = { 0 };
	struct session session;
	struct vb_config cfg;
	bool rebuild_only;
	char why[1024];
	size_t files;
	int rc;

	if (cli_refuse_without_root(cli) < 0)
		return VB_EXIT_NEED_ROOT;
	rc = read_arguments(cli, &cfg, &want);
	if (rc != 0)
		return rc;
	/*
	 * What to write is read from the tree under the lock: read before it,
	 * a run that held it meanwhile (an unconfigure) made it stale.
	 */
	rc = session_begin(&session, cli, !cli->dry_run);
	if (rc != 0) {
		vb_config_free(&cfg);
		return rc;
	}
	rc = compute_desired(cli, &cfg, &want);
	if (rc != 0) {
		session_end(&session);
		desired_free(&want);
		return rc;
	}
	job.engine = session.engine;
	job.journal = &session.journal;
	job.cs = vb_changeset_new(&job.engine, VB_OP_CONFIGURE);
	rc = job.cs ? stage(&job, &want, &check, &rebuild_only) : VB_EXIT_FAILED;
	if (rc == 0 && vb_changeset_changes(job.cs) == 0 && !rebuild_only) {
		cli_print("unchanged\n");
	} else if (rc == 0 && cli->dry_run) {
		job_show(&job);
		vb_outcome_changed();
	} else if (rc == 0) {
		rc = vb_changeset_apply(job.cs, &session.journal, why, sizeof(why)) < 0 ?
			     VB_EXIT_FAILED :
			     VB_EXIT_OK;
		files_written(job.cs, &files);
		if (rc == VB_EXIT_OK && files)
			cli_print("configured: %zu file(s) written; `vfio-boot unconfigure` undoes it\n",
				  files);
		else if (rc == VB_EXIT_OK)
			cli_print("configured: no file changed, the initramfs images were rebuilt\n");
		/* A Secure Boot image nothing here can sign: the command for the user. */
		if (rc == VB_EXIT_OK && vb_boot_refresh_sign_note(&job.refresh))
			rc = VB_EXIT_NO_BOOTLOADER;
	}
	/* A bootloader nothing here refreshes: the command for the user. */
	if (rc == VB_EXIT_OK && vb_boot_refresh_left_note(&job.refresh))
		rc = VB_EXIT_NO_BOOTLOADER;
	if (job.cs && rc != VB_EXIT_USAGE)
		vb_outcome_changeset(job.cs);
	rc = flags_note(&want, rc);
	job_free(&job);
	vb_boot_images_free(&check.before);
	session_end(&session);
	desired_free(&want);
	return rc;
}

int cmd_configure(const struct cli *cli)
{
	return vb_outcome_run(cli, configure);
}
