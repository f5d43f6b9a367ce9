// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

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

enum vb_bootloader vb_bootloader_detect(const struct vb_root *root)
{
	if (vb_have_program(root, "kernelstub"))
		return VB_BOOTLOADER_KERNELSTUB;
	if (vb_have_program(root, "grubby"))
		return VB_BOOTLOADER_GRUBBY;
	if (vb_root_exists(root, "etc/kernel/cmdline"))
		return VB_BOOTLOADER_KERNEL_CMDLINE;
	if (vb_root_exists(root, "etc/default/grub"))
		return VB_BOOTLOADER_GRUB;
	return VB_BOOTLOADER_NONE;
}

int vb_bootloader_parse(const char *name, enum vb_bootloader *out)
{
	if (strcmp(name, "kernel-install") == 0) {
		*out = VB_BOOTLOADER_KERNEL_CMDLINE;
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
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
	for (; argv[i] && i + 1 < sizeof(cmd->argv) / sizeof(cmd->argv[0]); i++)
		cmd->argv[i] = argv[i];
	return true;
}

bool vb_bootloader_command(const struct vb_root *root, enum vb_bootloader bl, bool add,
			   const char *flags, struct vb_command *cmd)
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
		return set(cmd, (const char *const[]){ "grubby", "--update-kernel=ALL",
						       add ? "--args" : "--remove-args", flags,
						       NULL });
	case VB_BOOTLOADER_KERNELSTUB:
		return set(cmd, (const char *const[]){ "kernelstub", add ? "-a" : "-d", flags,
						       NULL });
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
