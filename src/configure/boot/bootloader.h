/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "strv.h"
#include "root.h"

enum vb_bootloader {
	VB_BOOTLOADER_NONE,
	VB_BOOTLOADER_GRUB,           /* /etc/default/grub, then update-grub */
	VB_BOOTLOADER_KERNEL_CMDLINE, /* /etc/kernel/cmdline: systemd-boot, kernel-install */
	VB_BOOTLOADER_GRUBBY,
	VB_BOOTLOADER_KERNELSTUB,
};

/*
 * The bootloader found under root, by what is installed there, in *bl. When
 * both /etc/kernel/cmdline and /etc/default/grub exist, the one the system
 * boots with is chosen, and note says which and why. Returns 0, -ENOTUNIQ
 * (note says why) when that cannot be told, or -errno when a file it looks
 * for cannot be read (note names it).
 */
int vb_bootloader_detect(const struct vb_root *root, enum vb_bootloader *bl, char *note,
			 size_t size);

/* Parses grub, systemd-boot, kernel-install, grubby, kernelstub or none. */
int vb_bootloader_parse(const char *name, enum vb_bootloader *out);

const char *vb_bootloader_name(enum vb_bootloader bl);

/* One program invocation: argv[0] is looked up on PATH (inside root). */
struct vb_command {
	const char *argv[8];
};

/*
 * The command that makes a file-driven bootloader (GRUB, /etc/kernel/cmdline)
 * pick up its edited file (update-grub...). Returns false when there is
 * nothing to run. Command-driven ones (grubby, kernelstub) are bootargs.h.
 */
bool vb_bootloader_refresh(const struct vb_root *root, enum vb_bootloader bl,
			   struct vb_command *cmd);

/* The file a file-driven bootloader reads its flags from; NULL for the others. */
const char *vb_bootloader_file(enum vb_bootloader bl);

/* The initramfs generator's regenerate-everything command; false when none. */
bool vb_initramfs_command(const struct vb_root *root, struct vb_command *cmd);
