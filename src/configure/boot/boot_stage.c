// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line flags configure wants, and the steps that put them
 * where the bootloader reads them: its file (GRUB, /etc/kernel/cmdline) or
 * its commands (grubby, kernelstub).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot_stage.h"
#include "bootargs.h"
#include "hostinfo.h"
#include "kcmdline.h"
#include "leftovers.h"
#include "plan.h"
#include "root_write.h"

/*
 * Whose IOMMU this is: --cpu, else what the firmware describes, else the CPU
 * vendor. Returns 0, -EINVAL after saying why, or the -errno of a file that
 * could not be read (said).
 */
static int iommu_vendor(const struct cli *cli, enum vb_cpu_vendor *vendor)
{
	const char *source = NULL;
	int err;

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
	err = cli_host_read_error(cli);
	if (err < 0)
		return err;
	if (*vendor == VB_CPU_UNKNOWN) {
		cli_error("cannot tell whose IOMMU this is (no ACPI DMAR or IVRS table, no "
			  "sys/class/iommu, no CPU vendor in %s/proc/cpuinfo): pass --cpu intel|amd",
			  cli->root.host ? "" : cli->root.path);
		return -EINVAL;
	}
	return 0;
}

/*
 * The flag that keeps the kernel's firmware framebuffer (efifb, vesafb,
 * simpledrm: "BAR 0: can't reserve" when the card is bound) off a taken
 * function it sits on: initcall_blacklist=sysfb_init for kernels with sysfb
 * (it registers the framebuffer device those drivers take), video=efifb:off
 * for older ones (and video=vesafb:off for vesafb), both for a mix. Nothing
 * when no taken function has one. Returns 0 or -ENOMEM.
 */
static int framebuffer_flags(const struct cli *cli, const struct machine *m,
			     const struct vb_plan *plan, struct vb_strv *flags)
{
	size_t with = 0, without = 0;
	bool vesa = false, any = false;
	char fb[128], on[256] = "";
	int err = 0;

	for (size_t t = 0; plan && t < plan->count; t++) {
		const struct vb_pci_fn *fn = &m->snap.fns[plan->targets[t].fn];

		if (!vb_target_taken(&plan->targets[t]) ||
		    vb_host_framebuffer_on(&cli->root, fn->name, fb, sizeof(fb)) != 1)
			continue;
		any = true;
		vesa = vesa || strncmp(fb, "vesafb", 6) == 0;
		vb_reason_append(on, "%s (%s)", fn->name, fb);
	}
	if (!any)
		return 0;
	for (size_t k = 0; k < m->kmod.kernels.count; k++) {
		if (vb_kernel_has_sysfb(&cli->root, m->kmod.kernels.items[k]))
			with++;
		else
			without++;
	}
	{
		const char *chosen[3];
		size_t n = 0;

		if (with || !without)
			chosen[n++] = "initcall_blacklist=sysfb_init";
		if (without || !with)
			chosen[n++] = "video=efifb:off";
		if ((without || !with) && vesa)
			chosen[n++] = "video=vesafb:off";
		for (size_t i = 0; i < n && err == 0; i++)
			err = vb_strv_add(flags, "%s", chosen[i]);
		if (err == 0)
			cli_note("the firmware framebuffer sits on the memory of %s: %s%s%s%s keep%s the "
				 "kernel off it (%zu installed kernel(s) with sysfb, %zu without)", on,
				 chosen[0], n > 1 ? " " : "", n > 1 ? chosen[1] : "",
				 n > 2 ? " video=vesafb:off" : "", n > 1 ? "" : "s", with, without);
	}
	return err;
}

/*
 * The kernel command line flags: intel_iommu=on where the kernels need it
 * (AMD's IOMMU is on by default), iommu=pt. Never vfio-pci.ids=: with
 * vfio-pci built in it would take every device with the IDs before the
 * initramfs runs, whatever vfio_boot.disable says.
 */
int boot_flags_compute(const struct cli *cli, const struct machine *m, const struct vb_plan *plan,
		       struct boot_flags *want)
{
	struct vb_strv *flags = &want->flags;
	enum vb_cpu_vendor vendor = VB_CPU_UNKNOWN;
	bool default_on = m->kmod.kernels.count > 0;
	int err = iommu_vendor(cli, &vendor);

	if (err < 0)
		return err;
	for (size_t k = 0; k < m->kmod.kernels.count; k++)
		default_on = default_on &&
			     vb_kernel_intel_iommu_default_on(&cli->root, m->kmod.kernels.items[k]);
	err = cli_host_read_error(cli);
	if (err == 0 && vendor == VB_CPU_INTEL && !default_on)
		err = vb_strv_add(flags, "intel_iommu=on");
	if (err == 0)
		err = vb_strv_add(flags, "iommu=pt");
	if (err == 0)
		err = framebuffer_flags(cli, m, plan, flags);
	if (err == 0)
		err = cli_host_read_error(cli);
	if (err == 0) {
		want->joined = vb_argv_line(flags);
		err = want->joined ? 0 : -ENOMEM;
	}
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
		if (vb_root_read_file(root, path, VB_ROOT_FILE_MAX, &text, &n, NULL) < 0)
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
static int kernel_cmdline_base(const struct cli *cli, const struct boot_flags *want, char **text,
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
static int stage_file(struct changeset_job *job, const struct boot_flags *want)
{
	const char *path = vb_bootloader_file(want->bl);
	struct vb_strv ours = { 0 };
	struct vb_edit record = { 0 };
	struct vb_cmdline_problem p = { 0 };
	char *old = NULL, *edited = NULL;
	size_t len = 0, elen = 0;
	int err = job_read_file(job->engine.root, path, &old, &len, NULL);

	if (err == -ENOENT && want->bl == VB_BOOTLOADER_KERNEL_CMDLINE)
		err = kernel_cmdline_base(job->cli, want, &old, &len);
	else if (err == -ENOENT)
		err = 0;
	else if (err < 0 && err != -ENOMEM)
		vb_changeset_unread(job->cs, path); /* said once, by the changeset's failure */
	if (err == 0)
		err = job_flags_ours(job->journal, path, &ours);
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
		vb_leftovers_warn_dropped(path, &record.dropped);
	if (err == 0 && want->bl == VB_BOOTLOADER_GRUB)
		vb_leftovers_warn_grub_rest(path, edited, elen);
	if (err == 0)
		err = vb_changeset_put(job->cs, path, edited, elen, 0644, &record);
	free(old);
	free(edited);
	vb_strv_free(&ours);
	vb_edit_free(&record);
	return err;
}

/* The flags through grubby or kernelstub: commands for what is absent. */
static int stage_commands(struct changeset_job *job, const struct boot_flags *want)
{
	struct vb_boot_entries entries = { 0 };
	struct vb_bootargs_command *cmds = NULL;
	struct vb_strv ours = { 0 };
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
		vb_leftovers_warn_entries(want->bl, &entries);
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
	vb_strv_free(&ours);
	return err;
}

int boot_stage(struct changeset_job *job, const struct boot_flags *want)
{
	if (want->bl == VB_BOOTLOADER_GRUB)
		warn_grub_overrides(job->engine.root);
	if (vb_bootloader_file(want->bl))
		return stage_file(job, want);
	if (want->bl != VB_BOOTLOADER_NONE)
		return stage_commands(job, want);
	vb_leftovers_warn_unedited(job->engine.root);
	return 0;
}

void boot_flags_free(struct boot_flags *want)
{
	free(want->joined);
	vb_strv_free(&want->flags);
	want->joined = NULL;
}
