// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot configure: the state the tree should be in (the selection, the
 * modprobe block, the kernel flags through the bootloader), computed here and
 * handed to the changeset engine as one unit.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_images.h"
#include "boot_refresh.h"
#include "bootargs.h"
#include "bootloader.h"
#include "changeset.h"
#include "cli.h"
#include "configure.h"
#include "generator.h"
#include "image_verify.h"
#include "kcmdline.h"
#include "modprobe_ids.h"
#include "outcome.h"
#include "ownblock.h"
#include "plan.h"
#include "softdeps.h"
#include "vfio_conf.h"
#include "selection_file.h"
#include "session.h"
#include "treefile.h"
#include "validate.h"

#define SELECTION_PATH "/etc/vfio-boot.conf"

/* What configure wants, before it is compared with the tree. */
struct desired {
	char *selection;          /* /etc/vfio-boot.conf */
	char *modprobe;           /* configure's block of /etc/modprobe.d/00-vfio-boot.conf */
	struct vb_msgs softdep_modules; /* the modules it gives a softdep */
	struct vb_msgs flags;     /* kernel command line flags */
	char *joined;             /* the same, one line */
	enum vb_bootloader bl;
	bool bl_explicit;         /* --bootloader */
	enum vb_generator generator;
};

int configure_refuse_without_privileges(const struct cli *cli)
{
	if (cli->root.host && !cli->dry_run && geteuid() != 0) {
		cli_error("changing this system needs root (try --dry-run to see what would change)");
		return -EPERM;
	}
	return 0;
}

int configure_read(const struct vb_root *root, const char *path, char **text, size_t *len,
		   struct stat *st)
{
	struct vb_tree_file f;
	int err = vb_tree_locate(root, path, &f);

	*text = NULL;
	*len = 0;
	if (err == 0)
		err = vb_tree_read(&f, VB_TREE_FILE_MAX, text, len, st);
	vb_tree_release(&f);
	return err;
}

int configure_ours(const struct vb_journal *j, const char *path, struct vb_msgs *ours)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < j->ndone; i++) {
		const struct vb_step *s = &j->done[i];

		if (s->kind != VB_STEP_FILE || strcmp(s->path, path) != 0)
			continue;
		for (size_t w = 0; err == 0 && w < s->edit.added.count; w++)
			err = vb_msgs_add_unique(ours, s->edit.added.items[w]);
		for (size_t w = 0; err == 0 && w < s->edit.replaced_new.count; w++)
			err = vb_msgs_add_unique(ours, s->edit.replaced_new.items[w]);
		for (size_t w = 0; w < s->edit.removed.count; w++)
			for (size_t o = 0; o < ours->count; o++)
				if (strcmp(ours->items[o], s->edit.removed.items[w]) == 0) {
					free(ours->items[o]);
					ours->items[o] = ours->items[--ours->count];
					break;
				}
	}
	return err;
}

static const char *const *command_argv(const struct vb_command *cmd)
{
	return cmd->argv;
}

/* True (after saying so) when vfio-boot-bind would refuse the config file written for cfg. */
static bool selection_too_large(const struct vb_config *cfg)
{
	char *text = vb_render_selection(cfg), why[128];
	int err = text ? vb_config_text_check(text, strlen(text), why, sizeof(why)) : 0;

	free(text);
	if (err < 0)
		cli_error("too many selectors for /etc/vfio-boot.conf: %s", why);
	return err < 0;
}

/*
 * An ids= option in another modprobe.d file than the one configure manages
 * (it comments those out) still makes vfio-pci take every device with the
 * IDs, even with vfio_boot.disable=1: said, not changed. Returns 0 or -ENOMEM.
 */
static int warn_other_ids_options(const struct cli *cli)
{
	struct vb_msgs where = { 0 };
	int err = vb_find_ids_options(&cli->root, VB_MODPROBE_VFIO_NAME, &where);

	for (size_t i = 0; i < where.count; i++)
		cli_warning("%s sets 'options vfio-pci ids=': vfio-pci takes every device "
			    "with those IDs, even with vfio_boot.disable=1; remove it",
			    where.items[i]);
	vb_msgs_free(&where);
	return err;
}

/* Parses the selectors and policy options into cfg; prints what is wrong. */
static int parse_selection(const struct cli *cli, struct vb_config *cfg)
{
	vb_config_init(cfg);
	if (cli->nargs == 0) {
		cli_error("configure needs selectors, e.g. vfio-boot configure 10de:2504,10de:228e");
		return -EINVAL;
	}
	for (int i = 0; i < cli->nargs; i++)
		if (vb_config_add_selectors(cfg, &cfg->select, "argument", cli->args[i],
					    strlen(cli->args[i])) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < cfg->problems.count; i++)
		cli_error("%s", cfg->problems.items[i]);
	if (cfg->problems.count || selection_too_large(cfg))
		return -EINVAL;
	if (cli->companions && vb_companions_parse(cli->companions, &cfg->companions) < 0) {
		cli_error("--companions must be slot, group or none, not '%s'", cli->companions);
		return -EINVAL;
	}
	if (cli->boot_vga && vb_boot_vga_parse(cli->boot_vga, &cfg->boot_vga) < 0) {
		cli_error("--boot-vga must be refuse or allow, not '%s'", cli->boot_vga);
		return -EINVAL;
	}
	return 0;
}

/*
 * Whose IOMMU this is: --cpu, else what the firmware describes, else the CPU
 * vendor. Returns 0 or -EINVAL after saying why.
 */
static int iommu_vendor(const struct cli *cli, enum vb_cpu_vendor *vendor)
{
	const char *source = NULL;

	if (cli->cpu) {
		if (vb_cpu_vendor_parse(cli->cpu, vendor) < 0) {
			cli_error("--cpu must be intel or amd, not '%s'", cli->cpu);
			return -EINVAL;
		}
		return 0;
	}
	*vendor = vb_host_iommu_vendor(&cli->root, &source);
	if (*vendor == VB_CPU_UNKNOWN)
		*vendor = vb_host_cpu_vendor(&cli->root);
	if (*vendor == VB_CPU_UNKNOWN) {
		cli_error("cannot tell whose IOMMU this is (no ACPI DMAR or IVRS table, no "
			  "sys/class/iommu, no CPU vendor in %s/proc/cpuinfo): pass --cpu intel|amd",
			  cli->root.host ? "" : cli->root.path);
		return -EINVAL;
	}
	return 0;
}

/*
 * The kernel command line flags: intel_iommu=on where the kernels need it
 * (AMD's IOMMU is on by default), iommu=pt. Never vfio-pci.ids=: with
 * vfio-pci built in it would take every device with the IDs before the
 * initramfs runs, whatever vfio_boot.disable says.
 */
static int kernel_flags(const struct cli *cli, const struct machine *m, struct vb_msgs *flags)
{
	enum vb_cpu_vendor vendor = VB_CPU_UNKNOWN;
	bool default_on = m->kmod.kernels.count > 0;
	int err = iommu_vendor(cli, &vendor);

	if (err < 0)
		return err;
	for (size_t k = 0; k < m->kmod.kernels.count; k++)
		default_on = default_on &&
			     vb_kernel_intel_iommu_default_on(&cli->root, m->kmod.kernels.items[k]);
	if (vendor == VB_CPU_INTEL && !default_on)
		err = vb_msgs_add(flags, "intel_iommu=on");
	if (err == 0)
		err = vb_msgs_add(flags, "iommu=pt");
	return err;
}

/* Warns about /etc/default/grub.d/ files that set the variable after us. */
static void warn_grub_overrides(const struct vb_root *root)
{
	char path[PATH_MAX];
	struct dirent *de;
	int fd = vb_root_open(root, "etc/default/grub.d", O_RDONLY | O_DIRECTORY, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), n;
		char *text;

		if (len < 5 || strcmp(de->d_name + len - 4, ".cfg") != 0)
			continue;
		snprintf(path, sizeof(path), "etc/default/grub.d/%s", de->d_name);
		if (vb_root_read_file(root, path, VB_TREE_FILE_MAX, &text, &n, NULL) < 0)
			continue;
		if (strstr(text, "GRUB_CMDLINE_LINUX_DEFAULT="))
			cli_warning("/etc/default/grub.d/%s also sets GRUB_CMDLINE_LINUX_DEFAULT "
				    "and is read after /etc/default/grub: check that it keeps the flags",
				    de->d_name);
		free(text);
	}
	closedir(d);
}

/* /etc/kernel/cmdline when there is none: the running kernel's, as kernel-install makes it. */
static int kernel_cmdline_base(const struct cli *cli, const struct desired *want, char **text,
			       size_t *len)
{
	char *running = vb_host_cmdline(&cli->root);

	*text = running ? vb_kernel_cmdline_from_running(running) : NULL;
	free(running);
	if (!*text && running)
		return -ENOMEM;
	if (!*text) {
		cli_error("/etc/kernel/cmdline does not exist and %s/proc/cmdline cannot be read to "
			  "make it from: write the tree's whole kernel command line there (root=... "
			  "and the rest, then %s), or pick another --bootloader",
			  cli->root.host ? "" : cli->root.path, want->joined);
		return -EINVAL;
	}
	*len = strlen(*text);
	if (strspn(*text, " \t\n") == *len) {
		cli_error("the kernel command line in %s/proc/cmdline is empty: write the tree's "
			  "whole kernel command line (root=... and the rest) to /etc/kernel/cmdline",
			  cli->root.host ? "" : cli->root.path);
		free(*text);
		return -EINVAL;
	}
	return 0;
}

/* The flags in the bootloader's file: edits the one that takes effect. */
static int stage_boot_file(struct changeset_job *job, const struct desired *want)
{
	const char *path = vb_bootloader_file(want->bl);
	struct vb_msgs ours = { 0 };
	struct vb_edit record = { 0 };
	struct vb_cmdline_problem p = { 0 };
	char *old = NULL, *edited = NULL;
	size_t len = 0, elen = 0;
	int err = configure_read(job->engine.root, path, &old, &len, NULL);

	if (err == -ENOENT && want->bl == VB_BOOTLOADER_KERNEL_CMDLINE)
		err = kernel_cmdline_base(job->cli, want, &old, &len);
	else if (err == -ENOENT)
		err = 0;
	else if (err < 0)
		cli_error("cannot read %s: %s", path, vb_strerror(err));
	if (err == 0)
		err = configure_ours(job->journal, path, &ours);
	if (err == 0 && want->bl == VB_BOOTLOADER_GRUB) {
		err = vb_grub_edit(old ? old : "", len, &want->flags, &ours, &record, &edited, &elen,
				   &p);
		if (err == -EINVAL)
			cli_error("%s, line %u: %s: cannot add the flags safely; add them to "
				  "GRUB_CMDLINE_LINUX_DEFAULT yourself (%s) and pass --bootloader none",
				  path, p.line, p.what, want->joined);
	} else if (err == 0) {
		err = vb_kernel_cmdline_edit(old ? old : "", len, &want->flags, &ours, &record, &edited,
					     &elen);
	}
	if (err == 0)
		err = vb_changeset_put(job->cs, path, edited, elen, 0644, &record);
	free(old);
	free(edited);
	vb_msgs_free(&ours);
	vb_msgs_free(&record.added);
	vb_msgs_free(&record.replaced_old);
	vb_msgs_free(&record.replaced_new);
	vb_msgs_free(&record.removed);
	return err;
}

/* The flags through grubby or kernelstub: commands for what is absent. */
static int stage_boot_commands(struct changeset_job *job, const struct desired *want)
{
	struct vb_boot_entries entries = { 0 };
	struct vb_bootargs_command *cmds = NULL;
	struct vb_msgs ours = { 0 };
	size_t n = 0;
	char why[256];
	int err = 0;

	if (job->engine.run_commands) {
		err = vb_bootargs_read(job->engine.root, want->bl, &entries, why, sizeof(why));
		if (err < 0)
			cli_error("%s", why);
	} else {
		cli_note("not root, so %s cannot be asked which flags it has: all are added",
			 vb_bootloader_name(want->bl));
	}
	if (err == 0)
		err = vb_bootargs_ours(want->bl, job->journal->done, job->journal->ndone, &ours);
	if (err == 0)
		err = vb_bootargs_plan(want->bl, &entries, &want->flags, &ours, &cmds, &n);
	for (size_t i = 0; err == 0 && i < n; i++) {
		const char **argv = calloc(cmds[i].argv.count + 1, sizeof(*argv));
		const char **undo = calloc(cmds[i].undo.count + 1, sizeof(*undo));

		if (argv && undo) {
			memcpy(argv, cmds[i].argv.items, cmds[i].argv.count * sizeof(*argv));
			memcpy(undo, cmds[i].undo.items, cmds[i].undo.count * sizeof(*undo));
			err = vb_changeset_command(job->cs, argv, undo);
		} else {
			err = -ENOMEM;
		}
		free(argv);
		free(undo);
	}
	vb_bootargs_commands_free(cmds, n);
	vb_bootargs_free(&entries);
	vb_msgs_free(&ours);
	return err;
}

/*
 * A file of /etc/modprobe.d: the admin's lines kept, configure's block set to
 * block (put first where there is none). Its new text goes to *now (NULL: no
 * file); vfio.conf, where earlier versions kept the block, only when it exists.
 */
static int stage_modprobe(struct changeset_job *job, const char *name, const char *block,
			  struct vb_modprobe_file *now)
{
	struct vb_edit record = { .kind = VB_EDIT_BLOCK };
	struct vb_msgs notes = { 0 };
	char path[128], *old = NULL, *merged = NULL;
	size_t len = 0, mlen = 0;
	int err;

	snprintf(path, sizeof(path), "/etc/modprobe.d/%s", name);
	err = configure_read(job->engine.root, path, &old, &len, NULL);
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
	vb_msgs_free(&notes);
	free(old);
	return err;
}

/*
 * Every module that claims a selected function must load after vfio-pci with
 * the files as configure would leave them, on every installed kernel, and
 * keep its own softdeps: else nothing is written (exit 2), unless --force.
 */
static int refuse_escapes(struct changeset_job *job, const struct desired *want,
			  const struct vb_modprobe_file *files, size_t nfiles)
{
	struct vb_softdep_report rep = { 0 };
	struct vb_kmod km;
	char why[512] = "";
	int err = vb_kmod_open(&km, job->engine.root);

	if (err == 0)
		err = vb_softdeps_verify(&km, job->engine.root, files, nfiles,
					 &want->softdep_modules, &rep, why, sizeof(why));
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

/* A regeneration step for each command that makes what boots again. */
static int add_regeneration(void *ctx, const char *const *argv)
{
	return vb_changeset_regenerate(ctx, argv);
}

int configure_stage_regeneration(struct changeset_job *job, const enum vb_bootloader *bls,
				 size_t count, bool force)
{
	struct vb_command cmd;
	int err = 0;

	if (vb_changeset_changes(job->cs) == 0 && !force)
		return 0;
	for (size_t i = 0; err == 0 && i < count; i++)
		if (configure_file_changes(job->cs, vb_bootloader_file(bls[i])) &&
		    vb_bootloader_refresh(job->engine.root, bls[i], &cmd))
			err = vb_changeset_regenerate(job->cs, command_argv(&cmd));
	if (err == 0 && job->cli->regenerate) {
		if (vb_initramfs_command(job->engine.root, &cmd))
			err = vb_changeset_regenerate(job->cs, command_argv(&cmd));
		else
			cli_note("no initramfs generator found (update-initramfs, dracut, mkinitcpio)");
	}
	if (err == 0)
		err = vb_boot_refresh_detect(job->engine.root, &job->refresh);
	if (err == 0)
		err = vb_boot_refresh_commands(job->engine.root, &job->refresh, add_regeneration,
					       job->cs);
	return err;
}

void configure_job_free(struct changeset_job *job)
{
	vb_changeset_free(job->cs);
	vb_boot_refresh_free(&job->refresh);
	job->cs = NULL;
}

bool configure_file_changes(const struct vb_changeset *cs, const char *path)
{
	for (size_t i = 0; path && i < vb_changeset_count(cs); i++) {
		const struct vb_step *s = vb_changeset_step(cs, i);

		if (s->kind == VB_STEP_FILE && strcmp(s->path, path) == 0)
			return strcmp(vb_step_action(s), "unchanged") != 0;
	}
	return false;
}

void configure_show(const struct changeset_job *job)
{
	vb_changeset_diff(job->cs, stdout);
	for (size_t i = 0; i < vb_changeset_count(job->cs); i++) {
		const struct vb_step *s = vb_changeset_step(job->cs, i);
		char *line;

		if (s->kind != VB_STEP_COMMAND && s->kind != VB_STEP_REGENERATE)
			continue;
		line = vb_argv_line(&s->argv);
		printf("would run: %s", line ? line : s->argv.items[0]);
		if (!job->cli->root.host)
			printf("   (chroot %s)", job->cli->root.path);
		putchar('\n');
		free(line);
	}
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

/* configure needs a generator with a hook that runs before coldplug. */
static int refuse_generator(enum vb_generator g)
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

/* Computes everything configure wants. Returns 0, or an exit status after saying why. */
static int compute_desired(const struct cli *cli, struct desired *want)
{
	struct vb_msgs notes = { 0 };
	struct vb_plan plan = { 0 };
	struct vb_config cfg;
	struct machine m;
	char note[512];
	int rc = VB_EXIT_USAGE, err;

	if (parse_selection(cli, &cfg) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_USAGE;
	}
	if (cli->bootloader && vb_bootloader_parse(cli->bootloader, &want->bl) < 0) {
		cli_error("--bootloader must be grub, systemd-boot, kernel-install, grubby, "
			  "kernelstub or none, not '%s'", cli->bootloader);
		vb_config_free(&cfg);
		return VB_EXIT_USAGE;
	}
	want->bl_explicit = cli->bootloader != NULL;
	want->generator = vb_generator_detect(&cli->root);
	if (cli->regenerate && refuse_generator(want->generator) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_USAGE;
	}
	if (!want->bl_explicit) {
		err = vb_bootloader_detect(&cli->root, &want->bl, note, sizeof(note));
		if (err < 0) {
			cli_error("%s", note);
			vb_config_free(&cfg);
			return VB_EXIT_USAGE;
		}
		if (note[0])
			cli_note("%s", note);
	}
	if (machine_load(cli, &m, true) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_FAILED;
	}
	if (!m.have_sys)
		cli_note("no sys/ under %s: the selection is not checked against hardware",
			 cli->root.path);
	else if (err = vb_validate_selection(cli, &m, &cfg, &plan), vb_outcome_plan(&m, &plan),
		 err < 0)
		goto out;
	{
		struct vb_render_input in = { &cfg, m.have_sys ? &m.snap : NULL, &plan, m.claimants,
					      cli->blacklist, NULL, 0 };
		char why[512] = "";

		want->selection = vb_render_selection(&cfg);
		err = vb_softdeps_block(&in, &m.kmod, &cli->root, &want->modprobe,
					&want->softdep_modules, &notes, why, sizeof(why));
		rc = err == -EINVAL ? VB_EXIT_USAGE : VB_EXIT_FAILED;
		if (err < 0) {
			cli_error("%s", why);
			goto out;
		}
	}
	if (!want->selection)
		goto out;
	for (size_t i = 0; i < notes.count; i++)
		cli_note("%s", notes.items[i]);
	if (warn_other_ids_options(cli) < 0)
		goto out;
	err = kernel_flags(cli, &m, &want->flags);
	if (err < 0) {
		rc = err == -ENOMEM ? VB_EXIT_FAILED : VB_EXIT_USAGE;
		goto out;
	}
	vb_outcome_kernel_flags(want->bl, &want->flags);
	want->joined = vb_argv_line(&want->flags);
	rc = want->joined ? 0 : VB_EXIT_FAILED;
out:
	vb_msgs_free(&notes);
	vb_plan_free(&plan);
	machine_free(&m);
	vb_config_free(&cfg);
	return rc;
}

static void desired_free(struct desired *want)
{
	free(want->selection);
	free(want->modprobe);
	free(want->joined);
	vb_msgs_free(&want->flags);
	vb_msgs_free(&want->softdep_modules);
}

/* What the images rebuilt must carry: checked after they are, as a step of the change. */
struct image_check {
	const struct vb_root *root;
	struct vb_boot_images before; /* the images there were before */
	const char *conf;             /* the /etc/vfio-boot.conf written */
};

static int check_images(void *ctx, char *why, size_t size)
{
	const struct image_check *c = ctx;
	int err = vb_verify_images_after(c->root, &c->before, c->conf, strlen(c->conf));

	if (err < 0)
		snprintf(why, size, "a rebuilt initramfs image lacks what was configured (above)");
	return err;
}

/* Every file and command configure wants, as steps. Returns 0 or an exit status. */
static int stage(struct changeset_job *job, const struct desired *want, struct image_check *check,
		 bool *rebuild_only)
{
	const char *boot_file = vb_bootloader_file(want->bl);
	struct vb_modprobe_file modprobe[2] = { { 0 }, { 0 } };
	int err = vb_changeset_put(job->cs, SELECTION_PATH, want->selection, strlen(want->selection),
				   0644, NULL);

	*rebuild_only = false;
	if (err == 0)
		err = stage_modprobe(job, VB_MODPROBE_OWN_NAME, want->modprobe, &modprobe[0]);
	/* Earlier versions' block moves out of vfio.conf; its ids= lines are commented out. */
	if (err == 0)
		err = stage_modprobe(job, VB_MODPROBE_VFIO_NAME, "", &modprobe[1]);
	if (err == 0)
		err = refuse_escapes(job, want, modprobe, 2);
	free((char *)modprobe[0].text);
	free((char *)modprobe[1].text);
	if (err == 0 && want->generator == VB_GENERATOR_MKINITCPIO) {
		err = vb_changeset_put(job->cs, VB_MKINITCPIO_DROPIN, VB_MKINITCPIO_DROPIN_TEXT,
				       strlen(VB_MKINITCPIO_DROPIN_TEXT), 0644, NULL);
		warn_mkinitcpio_presets(job->engine.root);
	}
	if (err == 0 && want->bl == VB_BOOTLOADER_GRUB)
		warn_grub_overrides(job->engine.root);
	if (err == 0 && boot_file)
		err = stage_boot_file(job, want);
	else if (err == 0 && want->bl != VB_BOOTLOADER_NONE)
		err = stage_boot_commands(job, want);
	/* No file to change, but an image that predates the configuration: rebuilt. */
	if (err == 0 && vb_changeset_changes(job->cs) == 0 && job->cli->regenerate)
		*rebuild_only = vb_verify_images_outdated(job->engine.root, want->selection,
							  strlen(want->selection));
	if (err == 0)
		err = configure_stage_regeneration(job, &want->bl, 1, *rebuild_only);
	/* The images rebuilt must carry the binder, its hook and this configuration. */
	if (err == 0 && job->cli->regenerate &&
	    (vb_changeset_changes(job->cs) || *rebuild_only)) {
		check->root = job->engine.root;
		check->conf = want->selection;
		err = vb_verify_images_before(job->engine.root, &check->before);
		if (err == 0)
			err = vb_changeset_verify(job->cs, "the initramfs images", check_images, check);
	}
	if (err == -EINVAL)
		return VB_EXIT_USAGE; /* said why */
	if (err < 0) {
		cli_error("cannot prepare the changes: %s", vb_strerror(err));
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
	if (want->bl != VB_BOOTLOADER_NONE || (rc != VB_EXIT_OK && rc != VB_EXIT_NO_BOOTLOADER))
		return rc;
	if (want->bl_explicit) {
		printf("--bootloader none: add these flags to the kernel command line yourself:\n"
		       "  %s\n", want->joined);
		return rc;
	}
	cli_warning("no bootloader recognised: add these flags to the kernel command line:");
	printf("  %s\n", want->joined);
	return VB_EXIT_NO_BOOTLOADER;
}

/* configure; returns the exit status. */
static int configure(const struct cli *cli)
{
	struct desired want = { 0 };
	struct changeset_job job = { .cli = cli };
	struct image_check check = { 0 };
	struct session session;
	bool rebuild_only;
	char why[1024];
	size_t files;
	int rc;

	if (configure_refuse_without_privileges(cli) < 0)
		return VB_EXIT_NEED_ROOT;
	rc = compute_desired(cli, &want);
	if (rc != 0) {
		desired_free(&want);
		return rc;
	}
	rc = session_begin(&session, cli, !cli->dry_run);
	if (rc != 0) {
		desired_free(&want);
		return rc;
	}
	job.engine = session.engine;
	job.journal = &session.journal;
	job.cs = vb_changeset_new(&job.engine, VB_OP_CONFIGURE);
	rc = job.cs ? stage(&job, &want, &check, &rebuild_only) : VB_EXIT_FAILED;
	if (rc == 0 && vb_changeset_changes(job.cs) == 0 && !rebuild_only) {
		puts("unchanged");
	} else if (rc == 0 && cli->dry_run) {
		configure_show(&job);
		vb_outcome_changed();
	} else if (rc == 0) {
		rc = vb_changeset_apply(job.cs, &session.journal, why, sizeof(why)) < 0 ?
			     VB_EXIT_FAILED :
			     VB_EXIT_OK;
		files_written(job.cs, &files);
		if (rc == VB_EXIT_OK && files)
			printf("configured: %zu file(s) written; `vfio-boot unconfigure` undoes it\n",
			       files);
		else if (rc == VB_EXIT_OK)
			puts("configured: no file changed, the initramfs images were rebuilt");
		/* A Secure Boot image nothing here can sign: the command for the user. */
		if (rc == VB_EXIT_OK && vb_boot_refresh_sign_note(&job.refresh))
			rc = VB_EXIT_NO_BOOTLOADER;
	}
	if (job.cs && rc != VB_EXIT_USAGE)
		vb_outcome_changeset(job.cs);
	rc = flags_note(&want, rc);
	configure_job_free(&job);
	vb_boot_images_free(&check.before);
	session_end(&session);
	desired_free(&want);
	return rc;
}

int cmd_configure(const struct cli *cli)
{
	return vb_outcome_run("configure", cli, configure);
}
