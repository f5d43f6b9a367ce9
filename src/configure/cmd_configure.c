// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot configure / unconfigure: set the host up, or put it back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_refresh.h"
#include "bootloader.h"
#include "cli.h"
#include "fileio.h"
#include "generator.h"
#include "image_verify.h"
#include "kcmdline.h"
#include "modprobe_ids.h"
#include "outcome.h"
#include "path.h"
#include "plan.h"
#include "render.h"
#include "run.h"
#include "txn.h"
#include "validate.h"

#define BOOTLOADER_STATE "/var/lib/vfio-boot/bootloader-args"

/* A file as it was before this run, to put back if a later step fails. */
struct before {
	const char *path;
	char *content; /* NULL: absent */
	size_t len;
	mode_t mode;
};

struct job {
	const struct cli *cli;
	struct vb_txn *txn;
	struct before before[6];
	size_t nbefore;
	struct vb_command commands[2];
	size_t ncommands;
};

static bool is_root_fs(const struct cli *cli)
{
	return cli->root.host;
}

static int refuse_without_privileges(const struct cli *cli)
{
	if (is_root_fs(cli) && !cli->dry_run && geteuid() != 0) {
		cli_error("changing this system needs root (try --dry-run to see what would change)");
		return -EPERM;
	}
	return 0;
}

/* Reads path in the tree; *content NULL when absent. Returns 0 or -errno. */
static int read_under(const struct vb_root *root, const char *path, char **content,
		      size_t *len, mode_t *mode)
{
	struct stat st;
	int err;

	*content = NULL;
	*len = 0;
	*mode = 0644;
	err = vb_root_read_file(root, path, VB_FILE_MAX, content, len, &st);
	if (err == -ENOENT)
		return 0;
	if (err == 0)
		*mode = st.st_mode & 07777;
	return err;
}

/* Records the file's present state, then asks the transaction for content. */
static int job_put(struct job *job, const char *path, const char *content, mode_t mode)
{
	struct before *b = &job->before[job->nbefore];
	int err = read_under(&job->cli->root, path, &b->content, &b->len, &b->mode);

	if (err < 0) {
		cli_error("cannot read %s: %s", path, vb_strerror(err));
		return err;
	}
	b->path = path;
	job->nbefore++;
	if (b->content)
		mode = b->mode;
	return vb_txn_put(job->txn, path, content, strlen(content), mode);
}

static void job_free(struct job *job)
{
	for (size_t i = 0; i < job->nbefore; i++)
		free(job->before[i].content);
	vb_txn_free(job->txn);
}

/* Puts every file back as it was before this run. */
static int job_revert(struct job *job, bool forget)
{
	struct vb_txn *undo = vb_txn_new(&job->cli->root);
	char err[256] = "";
	int rc = undo ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < job->nbefore; i++) {
		const struct before *b = &job->before[i];
		rc = b->content ? vb_txn_put(undo, b->path, b->content, b->len, b->mode) :
				  vb_txn_remove(undo, b->path);
	}
	if (rc == 0)
		rc = vb_txn_commit(undo, err, sizeof(err));
	if (rc == 0 && forget)
		rc = vb_txn_forget_saved(undo);
	if (rc < 0)
		cli_error("could not put the files back: %s", err[0] ? err : vb_strerror(rc));
	vb_txn_free(undo);
	return rc;
}

static void print_command(const struct cli *cli, const struct vb_command *cmd,
			  const char *prefix)
{
	fputs(prefix, stdout);
	for (size_t i = 0; cmd->argv[i]; i++)
		printf(" %s", cmd->argv[i]);
	if (!is_root_fs(cli))
		printf("   (chroot %s)", cli->root.path);
	putchar('\n');
}

/* Runs the queued commands. Returns 0, or the failing command's index + 1. */
static size_t job_run_commands(struct job *job)
{
	if (!is_root_fs(job->cli) && geteuid() != 0) {
		for (size_t i = 0; i < job->ncommands; i++) {
			print_command(job->cli, &job->commands[i], "not root, so not running:");
			vb_outcome_command(job->commands[i].argv, false, 0);
		}
		return 0;
	}
	for (size_t i = 0; i < job->ncommands; i++) {
		int rc;

		print_command(job->cli, &job->commands[i], "running:");
		fflush(stdout);
		rc = vb_run(&job->cli->root, job->commands[i].argv, VB_RUN_NO_LIMIT);
		vb_outcome_command(job->commands[i].argv, true, rc);
		if (rc != 0) {
			if (rc < 0)
				cli_error("cannot run %s: %s", job->commands[i].argv[0], vb_strerror(rc));
			else
				cli_error("%s failed with status %d", job->commands[i].argv[0], rc);
			return i + 1;
		}
	}
	return 0;
}

/* Queues the initramfs rebuild, when asked for. */
static void job_queue_initramfs(struct job *job)
{
	if (!job->cli->regenerate)
		return;
	if (vb_initramfs_command(&job->cli->root, &job->commands[job->ncommands]))
		job->ncommands++;
	else
		cli_note("no initramfs generator found (update-initramfs, dracut, mkinitcpio)");
}

/* --dry-run: the diff of every file, and the commands that would run. */
static void job_show(const struct job *job)
{
	vb_txn_diff(job->txn, stdout);
	vb_outcome_files(job->txn);
	for (size_t i = 0; i < job->ncommands; i++) {
		print_command(job->cli, &job->commands[i], "would run:");
		vb_outcome_command(job->commands[i].argv, false, 0);
	}
}

/* Writes every file; on failure nothing is changed and the reason printed. */
static int job_commit(struct job *job)
{
	char err[256] = "";
	int rc = vb_txn_commit(job->txn, err, sizeof(err));

	if (rc < 0)
		cli_error("%s", err[0] ? err : vb_strerror(rc));
	return rc;
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

/* The words joined by sep, in a new string; NULL on ENOMEM. */
static char *join(const struct vb_msgs *words, const char *sep)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < words->count; i++)
		len += strlen(words->items[i]) + strlen(sep);
	s = calloc(1, len);
	for (size_t i = 0; s && i < words->count; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, words->items[i]);
	}
	return s;
}

/*
 * The kernel command line flags: IOMMU on, passthrough mode. Never
 * vfio-pci.ids=: with vfio-pci built in it would take every device with the
 * IDs before the initramfs runs, whatever vfio_boot.disable says.
 */
static int kernel_flags(const struct cli *cli, struct vb_msgs *flags)
{
	enum vb_cpu_vendor vendor = VB_CPU_UNKNOWN;

	if (cli->cpu && vb_cpu_vendor_parse(cli->cpu, &vendor) < 0) {
		cli_error("--cpu must be intel or amd, not '%s'", cli->cpu);
		return -EINVAL;
	}
	if (!cli->cpu)
		vendor = vb_host_cpu_vendor(&cli->root);
	if (vendor == VB_CPU_UNKNOWN) {
		cli_error("cannot tell the CPU vendor from %s/proc/cpuinfo: pass --cpu intel|amd",
			  is_root_fs(cli) ? "" : cli->root.path);
		return -EINVAL;
	}
	if (vb_msgs_add(flags, "%s", vb_iommu_flag(vendor)) < 0 ||
	    vb_msgs_add(flags, "iommu=pt") < 0)
		return -ENOMEM;
	return 0;
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
		struct stat st;

		if (len < 5 || strcmp(de->d_name + len - 4, ".cfg") != 0)
			continue;
		snprintf(path, sizeof(path), "etc/default/grub.d/%s", de->d_name);
		if (vb_root_read_file(root, path, VB_FILE_MAX, &text, &n, &st) < 0)
			continue;
		if (strstr(text, "GRUB_CMDLINE_LINUX_DEFAULT="))
			cli_warning("/etc/default/grub.d/%s also sets GRUB_CMDLINE_LINUX_DEFAULT "
				    "and is read after /etc/default/grub: check that it keeps the flags",
				    de->d_name);
		free(text);
	}
	closedir(d);
}

/* Queues the bootloader edits (files in the transaction, or a command). */
static int stage_bootloader(struct job *job, enum vb_bootloader bl, const struct vb_msgs *flags,
			    const char *joined)
{
	const char *path = bl == VB_BOOTLOADER_GRUB ? "/etc/default/grub" :
			   bl == VB_BOOTLOADER_KERNEL_CMDLINE ? "/etc/kernel/cmdline" :
								NULL;
	char *old = NULL, *edited = NULL, *state = NULL;
	size_t len = 0;
	mode_t mode;
	int err = 0;

	if (bl == VB_BOOTLOADER_NONE)
		return 0;
	if (bl == VB_BOOTLOADER_GRUB)
		warn_grub_overrides(&job->cli->root);
	if (path) {
		err = read_under(&job->cli->root, path, &old, &len, &mode);
		if (err < 0) {
			cli_error("cannot read %s: %s", path, vb_strerror(err));
			return err;
		}
		edited = bl == VB_BOOTLOADER_GRUB ?
				 vb_grub_default_add(old ? old : "", len,
						     (const char *const *)flags->items, flags->count) :
				 vb_kernel_cmdline_add(old ? old : "", len,
						       (const char *const *)flags->items,
						       flags->count);
		err = edited ? job_put(job, path, edited, 0644) : -ENOMEM;
	} else if (asprintf(&state, "%s %s\n", vb_bootloader_name(bl), joined) < 0) {
		err = -ENOMEM;
	} else {
		/* Remembered so that unconfigure can remove the flags again. */
		err = job_put(job, BOOTLOADER_STATE, state, 0644);
	}
	if (err == 0 && (path ? !old || strcmp(old, edited) != 0 : true) &&
	    vb_bootloader_command(&job->cli->root, bl, true, joined,
				  &job->commands[job->ncommands]))
		job->ncommands++;
	free(old);
	free(edited);
	free(state);
	return err;
}

/*
 * An ids= option in another modprobe.d file than the one configure manages
 * (it comments those out) still makes vfio-pci take every device with the
 * IDs, even with vfio_boot.disable=1: said, not changed. Returns 0 or -ENOMEM.
 */
static int warn_other_ids_options(const struct cli *cli)
{
	struct vb_msgs where = { 0 };
	int err = vb_find_ids_options(&cli->root, "vfio.conf", &where);

	for (size_t i = 0; i < where.count; i++)
		cli_warning("%s sets 'options vfio-pci ids=': vfio-pci takes every device "
			    "with those IDs, even with vfio_boot.disable=1; remove it",
			    where.items[i]);
	vb_msgs_free(&where);
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

/*
 * After the files were put back: the first done commands run again on
 * them, so that the bootloader and the images match the restored files.
 * grubby and kernelstub were given flags, not files: running them again
 * would add the flags once more.
 */
static void job_rerun_after_revert(struct job *job, enum vb_bootloader bl, size_t done)
{
	for (size_t i = 0; i < done && i < job->ncommands; i++) {
		const char *name = job->commands[i].argv[0];

		if ((bl == VB_BOOTLOADER_GRUBBY && strcmp(name, "grubby") == 0) ||
		    (bl == VB_BOOTLOADER_KERNELSTUB && strcmp(name, "kernelstub") == 0))
			continue;
		print_command(job->cli, &job->commands[i], "running again:");
		vb_outcome_command(job->commands[i].argv, true,
				   vb_run(&job->cli->root, job->commands[i].argv, VB_RUN_NO_LIMIT));
	}
}

/* configure; returns the exit status. */
static int configure(const struct cli *cli)
{
	struct vb_msgs notes = { 0 }, flags = { 0 };
	struct job job = { .cli = cli };
	struct vb_plan plan = { 0 };
	struct vb_config cfg;
	struct machine m;
	enum vb_bootloader bl;
	enum vb_generator generator;
	struct vb_boot_images images = { 0 };
	struct vb_boot_refresh refresh = { 0 };
	char *selection = NULL, *modprobe = NULL, *joined = NULL, *current = NULL;
	bool was_configured, sign_by_hand = false, explicit_none;
	int rc = VB_EXIT_USAGE, err;
	size_t failed_cmd;

	if (refuse_without_privileges(cli) < 0)
		return VB_EXIT_NEED_ROOT;
	if (parse_selection(cli, &cfg) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_USAGE;
	}
	if (cli->bootloader && vb_bootloader_parse(cli->bootloader, &bl) < 0) {
		cli_error("--bootloader must be grub, systemd-boot, kernel-install, grubby, "
			  "kernelstub or none, not '%s'", cli->bootloader);
		vb_config_free(&cfg);
		return VB_EXIT_USAGE;
	}
	if (!cli->bootloader)
		bl = vb_bootloader_detect(&cli->root);
	/* --bootloader none: the operator adds the flags; no bootloader recognised: exit 4. */
	explicit_none = cli->bootloader && bl == VB_BOOTLOADER_NONE;
	generator = vb_generator_detect(&cli->root);
	if (cli->regenerate && refuse_generator(generator) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_USAGE;
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
					      cli->blacklist, NULL };
		size_t len;
		mode_t mode;

		if (read_under(&cli->root, "/etc/modprobe.d/vfio.conf", &current, &len, &mode) < 0) {
			cli_error("cannot read /etc/modprobe.d/vfio.conf");
			goto out;
		}
		in.current = current;
		selection = vb_render_selection(&cfg);
		modprobe = vb_render_modprobe(&in, &notes);
	}
	rc = VB_EXIT_FAILED;
	if (!selection || !modprobe)
		goto out;
	for (size_t i = 0; i < notes.count; i++)
		cli_note("%s", notes.items[i]);
	if (warn_other_ids_options(cli) < 0)
		goto out;
	err = kernel_flags(cli, &flags);
	if (err < 0) {
		rc = err == -ENOMEM ? VB_EXIT_FAILED : VB_EXIT_USAGE;
		goto out;
	}
	vb_outcome_kernel_flags(bl, &flags);
	rc = VB_EXIT_FAILED;
	joined = join(&flags, " ");
	job.txn = vb_txn_new(&cli->root);
	if (!joined || !job.txn)
		goto out;
	was_configured = vb_txn_is_configured(&cli->root);

	if (job_put(&job, "/etc/vfio-boot.conf", selection, 0644) < 0 ||
	    job_put(&job, "/etc/modprobe.d/vfio.conf", modprobe, 0644) < 0 ||
	    (generator == VB_GENERATOR_MKINITCPIO &&
	     job_put(&job, VB_MKINITCPIO_DROPIN, VB_MKINITCPIO_DROPIN_TEXT, 0644) < 0) ||
	    stage_bootloader(&job, bl, &flags, joined) < 0)
		goto out;
	if (vb_txn_changes(job.txn) == 0 &&
	    !(cli->regenerate && vb_verify_images_outdated(&cli->root, selection, strlen(selection)))) {
		vb_outcome_files(job.txn);
		puts("unchanged");
		rc = VB_EXIT_OK;
		goto flags_note;
	}
	job_queue_initramfs(&job);
	vb_boot_refresh_detect(&cli->root, &refresh);
	if (generator == VB_GENERATOR_MKINITCPIO)
		warn_mkinitcpio_presets(&cli->root);
	if (cli->dry_run) {
		job_show(&job);
		vb_boot_refresh_run(&cli->root, &refresh, true);
		vb_outcome_changed();
		rc = VB_EXIT_OK;
		goto flags_note;
	}
	vb_outcome_files(job.txn);
	if (job_commit(&job) < 0)
		goto out;
	if (cli->regenerate && vb_verify_images_before(&cli->root, &images) < 0)
		goto out;
	failed_cmd = job_run_commands(&job);
	/* Then what boots is made again from the files and images (kernel-install...). */
	if (!failed_cmd) {
		err = vb_boot_refresh_run(&cli->root, &refresh, false);
		sign_by_hand = err == 1;
		failed_cmd = err < 0 ? job.ncommands + 1 : 0;
	}
	/* The images rebuilt must carry what was just configured. */
	if (!failed_cmd && cli->regenerate &&
	    vb_verify_images_after(&cli->root, &images, selection, strlen(selection)) < 0)
		failed_cmd = job.ncommands + 1;
	if (failed_cmd) {
		cli_error("putting the files back as they were");
		job_revert(&job, !was_configured);
		job_rerun_after_revert(&job, bl, failed_cmd - 1);
		if (failed_cmd > job.ncommands)
			vb_boot_refresh_run(&cli->root, &refresh, false);
		goto out;
	}
	if (vb_txn_changes(job.txn))
		printf("configured: %zu file(s) written; `vfio-boot unconfigure` undoes it\n",
		       vb_txn_changes(job.txn));
	else
		puts("configured: no file changed, the initramfs images were rebuilt");
	vb_outcome_changed();
	rc = sign_by_hand ? VB_EXIT_NO_BOOTLOADER : VB_EXIT_OK;
flags_note:
	if (explicit_none) {
		printf("--bootloader none: add these flags to the kernel command line yourself:\n"
		       "  %s\n", joined);
	} else if (bl == VB_BOOTLOADER_NONE) {
		cli_warning("no bootloader recognised: add these flags to the kernel command line:");
		printf("  %s\n", joined);
		rc = rc == VB_EXIT_OK ? VB_EXIT_NO_BOOTLOADER : rc;
	}
out:
	vb_boot_refresh_free(&refresh);
	vb_boot_images_free(&images);
	free(selection);
	free(modprobe);
	free(joined);
	free(current);
	job_free(&job);
	vb_msgs_free(&notes);
	vb_msgs_free(&flags);
	vb_plan_free(&plan);
	machine_free(&m);
	vb_config_free(&cfg);
	return rc;
}

int cmd_configure(const struct cli *cli)
{
	if (vb_outcome_begin("configure", cli) < 0) {
		cli_error("cannot set up the JSON output");
		return VB_EXIT_FAILED;
	}
	return vb_outcome_end(configure(cli));
}

/* The "NAME FLAGS" a command-driven bootloader was given, to take back. */
static int saved_bootloader(const struct cli *cli, enum vb_bootloader *bl, char **flags)
{
	char *text;
	size_t len;
	mode_t mode;
	char *space;
	int err = read_under(&cli->root, BOOTLOADER_STATE, &text, &len, &mode);

	*flags = NULL;
	if (err < 0 || !text)
		return err;
	text[strcspn(text, "\n")] = '\0';
	space = strchr(text, ' ');
	if (!space || vb_bootloader_parse((*space = '\0', text), bl) < 0) {
		free(text);
		return -EINVAL;
	}
	*flags = strdup(space + 1);
	free(text);
	return *flags ? 0 : -ENOMEM;
}

/* unconfigure; returns the exit status. */
static int unconfigure(const struct cli *cli)
{
	struct vb_boot_refresh refresh = { 0 };
	struct job job = { .cli = cli };
	enum vb_bootloader bl = VB_BOOTLOADER_NONE;
	char *cmd_flags = NULL;
	int rc = VB_EXIT_FAILED, err;

	if (cli->nargs) {
		cli_error("unconfigure takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (refuse_without_privileges(cli) < 0)
		return VB_EXIT_NEED_ROOT;
	if (!vb_txn_is_configured(&cli->root)) {
		puts("not configured: nothing to undo");
		return VB_EXIT_OK;
	}
	job.txn = vb_txn_new(&cli->root);
	if (!job.txn)
		return VB_EXIT_FAILED;
	if (saved_bootloader(cli, &bl, &cmd_flags) < 0)
		cli_error("cannot read %s: the bootloader flags stay", BOOTLOADER_STATE);
	if (!cmd_flags)
		bl = vb_bootloader_detect(&cli->root);
	vb_outcome_kernel_flags(bl, NULL);
	err = vb_txn_restore_all(job.txn);
	if (err < 0) {
		cli_error("cannot read the saved originals: %s", vb_strerror(err));
		goto out;
	}
	if (vb_bootloader_command(&cli->root, bl, false, cmd_flags ? cmd_flags : "",
				  &job.commands[job.ncommands]) &&
	    (cmd_flags || bl == VB_BOOTLOADER_GRUB || bl == VB_BOOTLOADER_KERNEL_CMDLINE))
		job.ncommands++;
	job_queue_initramfs(&job);
	vb_boot_refresh_detect(&cli->root, &refresh);
	if (cli->dry_run) {
		job_show(&job);
		vb_boot_refresh_run(&cli->root, &refresh, true);
		vb_outcome_changed();
		rc = VB_EXIT_OK;
		goto out;
	}
	vb_outcome_files(job.txn);
	if (job_commit(&job) < 0)
		goto out;
	vb_outcome_changed();
	err = vb_txn_forget_saved(job.txn);
	if (err < 0)
		cli_error("files restored, but the saved originals stay: %s", vb_strerror(err));
	rc = job_run_commands(&job) ? VB_EXIT_FAILED : VB_EXIT_OK;
	if (rc == VB_EXIT_OK) {
		err = vb_boot_refresh_run(&cli->root, &refresh, false);
		rc = err < 0 ? VB_EXIT_FAILED : err == 1 ? VB_EXIT_NO_BOOTLOADER : VB_EXIT_OK;
	}
	if (rc != VB_EXIT_FAILED)
		puts("unconfigured: every file is back as it was");
out:
	vb_boot_refresh_free(&refresh);
	free(cmd_flags);
	job_free(&job);
	return rc;
}

int cmd_unconfigure(const struct cli *cli)
{
	if (vb_outcome_begin("unconfigure", cli) < 0) {
		cli_error("cannot set up the JSON output");
		return VB_EXIT_FAILED;
	}
	return vb_outcome_end(unconfigure(cli));
}
