// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The regenerations a changeset ends with (bootloader refresh, initramfs,
 * what boots made again), the generator configure needs, and the read-back
 * of the images rebuilt.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_verify.h"
#include "regenerate.h"

static const char *const *command_argv(const struct vb_command *cmd)
{
	return cmd->argv;
}

/* A regeneration step for each command that makes what boots again. */
static int add_regeneration(void *ctx, const char *const *argv)
{
	return vb_changeset_regenerate(ctx, argv);
}

int stage_regeneration(struct changeset_job *job, const enum vb_bootloader *bls, size_t count,
		       bool force)
{
	struct vb_command cmd;
	int err = 0;

	if (vb_changeset_changes(job->cs) == 0 && !force)
		return 0;
	err = vb_boot_refresh_detect(job->engine.root, &job->refresh);
	for (size_t i = 0; err == 0 && i < count; i++)
		if (job_file_changes(job->cs, vb_bootloader_file(bls[i])))
			err = vb_boot_refresh_bootloader(job->engine.root, bls[i], &job->refresh,
							 add_regeneration, job->cs);
	if (err == 0 && job->cli->regenerate) {
		if (vb_initramfs_command(job->engine.root, &cmd))
			err = vb_changeset_regenerate(job->cs, command_argv(&cmd));
		else
			cli_note("no initramfs generator found (update-initramfs, dracut, mkinitcpio)");
	}
	if (err == 0)
		err = vb_boot_refresh_commands(job->engine.root, &job->refresh, add_regeneration,
					       job->cs);
	return err;
}

/*
 * mkinitcpio reads /etc/mkinitcpio.conf.d only when no config file is named:
 * a preset's ALL_config= or NAME_config= makes it skip the drop-in.
 */
static void warn_mkinitcpio_presets(const struct vb_root *root)
{
	int fd = vb_root_open(root, "/etc/mkinitcpio.d", O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (fd >= 0 && !d)
		close(fd);
	while (d && (de = readdir(d)) != NULL) {
		char rel[PATH_MAX], *text, *line;
		size_t len;

		if (!strstr(de->d_name, ".preset") ||
		    snprintf(rel, sizeof(rel), "/etc/mkinitcpio.d/%s", de->d_name) >= (int)sizeof(rel) ||
		    vb_root_read_file(root, rel, 64 * 1024, &text, &len, NULL) < 0)
			continue;
		for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			const char *eq = strstr(line, "_config=");

			while (*line == ' ' || *line == '\t')
				line++;
			if (*line != '#' && eq && eq[8] != '\0' && !strchr(" \t#", eq[8])) {
				cli_warning("%s sets %.*s: mkinitcpio then skips %s; add vfio-boot "
					    "to HOOKS in the config file it names",
					    rel, (int)(eq + 7 - line), line, VB_MKINITCPIO_DROPIN);
				break;
			}
		}
		free(text);
	}
	if (d)
		closedir(d);
}

int generator_refuse(enum vb_generator g)
{
	if (g == VB_GENERATOR_BOOSTER) {
		cli_error("booster is not supported: it has no hook that runs before udev's "
			  "coldplug (initramfs-tools, dracut and mkinitcpio have); nothing written");
		return -ENOTSUP;
	}
	if (g == VB_GENERATOR_NONE) {
		cli_error("no initramfs generator found (update-initramfs, dracut, mkinitcpio): "
			  "nothing would bind the devices at boot; nothing written "
			  "(--no-regenerate writes the files anyway)");
		return -ENOENT;
	}
	return 0;
}

static int check_images(void *ctx, char *why, size_t size)
{
	const struct image_check *c = ctx;
	int err = vb_verify_images_after(c->root, &c->before, c->conf, strlen(c->conf));

	if (err < 0)
		snprintf(why, size, "a rebuilt initramfs image lacks what was configured (above)");
	return err;
}

int stage_mkinitcpio_dropin(struct changeset_job *job)
{
	int err = vb_changeset_put(job->cs, VB_MKINITCPIO_DROPIN, VB_MKINITCPIO_DROPIN_TEXT,
				   strlen(VB_MKINITCPIO_DROPIN_TEXT), 0644, NULL);

	warn_mkinitcpio_presets(job->engine.root);
	return err;
}

int stage_image_check(struct changeset_job *job, struct image_check *check, const char *conf)
{
	int err;

	check->root = job->engine.root;
	check->conf = conf;
	err = vb_verify_images_before(job->engine.root, &check->before);
	if (err == 0)
		err = vb_changeset_verify(job->cs, "the initramfs images", check_images, check);
	return err;
}
