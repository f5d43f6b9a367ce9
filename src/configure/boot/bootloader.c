// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "bootloader.h"
#include "generator.h"
#include "root.h"
#include "run.h"

static const char *const names[] = {
	[VB_BOOTLOADER_NONE] = "none",
	[VB_BOOTLOADER_GRUB] = "grub",
	[VB_BOOTLOADER_KERNEL_CMDLINE] = "systemd-boot",
	[VB_BOOTLOADER_GRUBBY] = "grubby",
	[VB_BOOTLOADER_KERNELSTUB] = "kernelstub",
};

/*
 * Whether rel is there (a program when program): 1 or 0; on an error other
 * than absence, -errno with note saying which file.
 */
static int there(const struct vb_root *root, const char *rel, bool program, char *note,
		 size_t size)
{
	int found = program ? vb_find_program(root, rel) : vb_root_probe(root, rel);

	if (found < 0)
		snprintf(note, size, "cannot tell whether %s%s is there: %s", program ? "" : "/", rel,
			 vb_strerror(found));
	return found;
}

/* Evidence of how this system boots: the one that started it, else what is set up. */
static int boots_with(const struct vb_root *root, enum vb_bootloader *bl, char *note,
		      size_t size)
{
	static const char *const entries[] = { "efi/loader/entries", "boot/efi/loader/entries",
					       "boot/loader/entries" };
	static const char *const grub_cfgs[] = { "boot/grub/grub.cfg", "boot/grub2/grub.cfg" };
	const char *loader = NULL;
	bool grub_cfg = false;
	int found = there(root, "sys/firmware/efi/efivars/"
				"LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f", false, note, size);

	if (found < 0)
		return found;
	if (found) {
		*bl = VB_BOOTLOADER_KERNEL_CMDLINE;
		snprintf(note, size, "this system was started by systemd-boot (its LoaderInfo EFI "
				     "variable)");
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(grub_cfgs) && !grub_cfg; i++) {
		found = there(root, grub_cfgs[i], false, note, size);
		if (found < 0)
			return found;
		grub_cfg = found;
	}
	for (size_t i = 0; i < ARRAY_SIZE(entries) && !loader; i++) {
		found = there(root, entries[i], false, note, size);
		if (found < 0)
			return found;
		loader = found ? entries[i] : NULL;
	}
	if (grub_cfg != (loader != NULL)) {
		*bl = grub_cfg ? VB_BOOTLOADER_GRUB : VB_BOOTLOADER_KERNEL_CMDLINE;
		snprintf(note, size, "%s is there and %s is not", grub_cfg ? "a grub.cfg" : loader,
			 grub_cfg ? "no loader/entries" : "a grub.cfg");
		return 0;
	}
	snprintf(note, size, "both /etc/default/grub and /etc/kernel/cmdline exist and %s: pass "
			     "--bootloader grub or --bootloader systemd-boot",
		 grub_cfg ? "both GRUB and systemd-boot entries are set up" :
			    "neither a grub.cfg nor systemd-boot entries were found");
	return -ENOTUNIQ;
}

int vb_bootloader_detect(const struct vb_root *root, enum vb_bootloader *bl, char *note,
			 size_t size)
{
	int stub, grubby, cmdline, grub, err;
	char why[256];

	note[0] = '\0';
	*bl = VB_BOOTLOADER_NONE;
	if ((stub = there(root, "kernelstub", true, note, size)) < 0 ||
	    (grubby = there(root, "grubby", true, note, size)) < 0 ||
	    (cmdline = there(root, "etc/kernel/cmdline", false, note, size)) < 0 ||
	    (grub = there(root, "etc/default/grub", false, note, size)) < 0)
		return stub < 0 ? stub : grubby < 0 ? grubby : cmdline < 0 ? cmdline : grub;
	if (stub)
		*bl = VB_BOOTLOADER_KERNELSTUB;
	else if (grubby)
		*bl = VB_BOOTLOADER_GRUBBY;
	else if (cmdline && grub) {
		err = boots_with(root, bl, why, sizeof(why));
		if (err < 0) {
			snprintf(note, size, "%s", why);
			return err;
		}
		snprintf(note, size, "both /etc/default/grub and /etc/kernel/cmdline exist: editing %s, "
				     "as %s",
			 vb_bootloader_file(*bl), why);
	} else if (cmdline)
		*bl = VB_BOOTLOADER_KERNEL_CMDLINE;
	else if (grub)
		*bl = VB_BOOTLOADER_GRUB;
	return 0;
}

const char *vb_bootloader_file(enum vb_bootloader bl)
{
	return bl == VB_BOOTLOADER_GRUB		  ? "/etc/default/grub" :
	       bl == VB_BOOTLOADER_KERNEL_CMDLINE ? "/etc/kernel/cmdline" :
						    NULL;
}

int vb_bootloader_parse(const char *name, enum vb_bootloader *out)
{
	if (strcmp(name, "kernel-install") == 0) {
		*out = VB_BOOTLOADER_KERNEL_CMDLINE;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum vb_bootloader)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *vb_bootloader_name(enum vb_bootloader bl)
{
	return names[bl];
}

static bool set(struct vb_command *cmd, const char *const *argv)
{
	size_t i = 0;

	memset(cmd, 0, sizeof(*cmd));
	for (; argv[i] && i + 1 < ARRAY_SIZE(cmd->argv); i++)
		cmd->argv[i] = argv[i];
	return true;
}

bool vb_bootloader_refresh(const struct vb_root *root, enum vb_bootloader bl,
			   struct vb_command *cmd)
{
	switch (bl) {
	case VB_BOOTLOADER_GRUB:
		if (vb_have_program(root, "update-grub"))
			return set(cmd, (const char *const[]){ "update-grub", NULL });
		if (vb_have_program(root, "grub2-mkconfig"))
			return set(cmd, (const char *const[]){ "grub2-mkconfig", "-o",
							       "/boot/grub2/grub.cfg", NULL });
		if (vb_have_program(root, "grub-mkconfig"))
			return set(cmd, (const char *const[]){ "grub-mkconfig", "-o",
							       "/boot/grub/grub.cfg", NULL });
		return false;
	case VB_BOOTLOADER_KERNEL_CMDLINE:
		if (vb_have_program(root, "proxmox-boot-tool"))
			return set(cmd, (const char *const[]){ "proxmox-boot-tool", "refresh",
							       NULL });
		return false; /* kernel-install reads the file at the next kernel install */
	case VB_BOOTLOADER_GRUBBY:
	case VB_BOOTLOADER_KERNELSTUB:
	case VB_BOOTLOADER_NONE:
		break;
	}
	return false;
}

bool vb_initramfs_command(const struct vb_root *root, struct vb_command *cmd)
{
	switch (vb_generator_detect(root)) {
	case VB_GENERATOR_INITRAMFS_TOOLS:
		return set(cmd, (const char *const[]){ "update-initramfs", "-u", "-k", "all", NULL });
	case VB_GENERATOR_DRACUT:
		return set(cmd, (const char *const[]){ "dracut", "--regenerate-all", "--force",
						       NULL });
	case VB_GENERATOR_MKINITCPIO:
		return set(cmd, (const char *const[]){ "mkinitcpio", "-P", NULL });
	case VB_GENERATOR_BOOSTER:
	case VB_GENERATOR_NONE:
		break;
	}
	return false;
}
