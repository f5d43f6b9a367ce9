/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "msgs.h"
#include "root.h"

enum vb_bootloader {
	VB_BOOTLOADER_NONE,
	VB_BOOTLOADER_GRUB,           /* /etc/default/grub, then update-grub */
	VB_BOOTLOADER_KERNEL_CMDLINE, /* /etc/kernel/cmdline: systemd-boot, kernel-install */
	VB_BOOTLOADER_GRUBBY,
	VB_BOOTLOADER_KERNELSTUB,
};

/* The bootloader found under root, by what is installed there. */
enum vb_bootloader vb_bootloader_detect(const struct vb_root *root);

/* Parses grub, systemd-boot, kernel-install, grubby, kernelstub or none. */
int vb_bootloader_parse(const char *name, enum vb_bootloader *out);

const char *vb_bootloader_name(enum vb_bootloader bl);

/* One program invocation: argv[0] is looked up on PATH (inside root). */
struct vb_command {
	const char *argv[8];
};

/*
 * The command that makes the bootloader pick up edited files (update-grub...),
 * or, for command-driven bootloaders, adds (add=true) or removes the flags.
 * flags is one space-separated string kept alive by the caller. Returns false
 * when there is nothing to run.
 */
bool vb_bootloader_command(const struct vb_root *root, enum vb_bootloader bl, bool add,
			   const char *flags, struct vb_command *cmd);

/* The initramfs generator's regenerate-everything command; false when none. */
bool vb_initramfs_command(const struct vb_root *root, struct vb_command *cmd);
