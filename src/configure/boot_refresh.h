/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "msgs.h"
#include "root.h"

/*
 * What boots the kernels, beyond the initramfs: kernel-install's boot loader
 * entries and unified kernel images (systemd-boot), Proxmox's ESP copies,
 * Secure Boot signatures. After configure or unconfigure changed the
 * command line or rebuilt the images, these must be made again from them.
 */
struct vb_boot_refresh {
	char layout[16];       /* kernel-install's: "bls", "uki" or "" (not used) */
	bool proxmox;          /* proxmox-boot-tool keeps the ESPs */
	bool sbctl;            /* sbctl has keys: it re-signs what it signed */
	bool ukify_signs;      /* kernel-install's ukify has a Secure Boot key */
	struct vb_msgs unsigned_by_us; /* signed UKIs nothing here can sign again */
};

/* Finds out how root boots its kernels. Returns 0 or -errno. */
int vb_boot_refresh_detect(const struct vb_root *root, struct vb_boot_refresh *r);
void vb_boot_refresh_free(struct vb_boot_refresh *r);

/*
 * Makes what boots again: `kernel-install add KVER /boot/vmlinuz-KVER
 * [INITRD]` for every installed kernel (layout bls or uki),
 * `proxmox-boot-tool refresh`, `sbctl sign-all`. Prints each command ("would
 * run:" and runs nothing when dry). Returns 0, 1 when a signed image must be
 * signed by hand (the commands are printed), or -errno / the failing
 * command's status as a negative number.
 */
int vb_boot_refresh_run(const struct vb_root *root, const struct vb_boot_refresh *r, bool dry);
