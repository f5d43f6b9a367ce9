/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "bootloader.h"
#include "strv.h"
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
	struct vb_strv unsigned_by_us; /* signed UKIs nothing here can sign again */
	struct vb_strv left;           /* bootloader refreshes nothing here runs (messages) */
};

/* Finds out how root boots its kernels (r->left starts empty). Returns 0 or -errno. */
int vb_boot_refresh_detect(const struct vb_root *root, struct vb_boot_refresh *r);
void vb_boot_refresh_free(struct vb_boot_refresh *r);

/*
 * The commands that make what boots again, in order: `kernel-install add
 * KVER /boot/vmlinuz-KVER [INITRD]` for every installed kernel (layout bls or
 * uki), `proxmox-boot-tool refresh`, `sbctl sign-all`. Calls fn with each
 * (argv NULL-terminated). Returns 0, or the first error fn returns.
 */
int vb_boot_refresh_commands(const struct vb_root *root, const struct vb_boot_refresh *r,
			     int (*fn)(void *ctx, const char *const *argv), void *ctx);

/*
 * After they ran: warns (cli_warning, so --json has it too), for each signed
 * image nothing here can sign again, with the command that signs it. Returns
 * 1 when there is one, else 0.
 */
int vb_boot_refresh_sign_note(const struct vb_boot_refresh *r);

/*
 * After bl's file changed: calls fn with the command that makes the
 * bootloader read it again (update-grub...), or, when the tree has none,
 * keeps in r->left what the user must run: for GRUB, when no update-grub,
 * grub-mkconfig or grub2-mkconfig is there; for /etc/kernel/cmdline, when
 * neither kernel-install nor proxmox-boot-tool is (nothing makes the boot
 * entries from it then). Returns 0, -ENOMEM, or what fn returns.
 */
int vb_boot_refresh_bootloader(const struct vb_root *root, enum vb_bootloader bl,
			       struct vb_boot_refresh *r,
			       int (*fn)(void *ctx, const char *const *argv), void *ctx);

/*
 * Warns (cli_warning) of each refresh left to the user, naming the command
 * to run. Returns 1 when there is one (configure and unconfigure then exit
 * 4), else 0.
 */
int vb_boot_refresh_left_note(const struct vb_boot_refresh *r);
