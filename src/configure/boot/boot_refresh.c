// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "boot_refresh.h"
#include "kernels.h"
#include "cli.h"
#include "pe.h"
#include "root.h"
#include "run.h"

static const char *const boot_dirs[] = { "/efi", "/boot", "/boot/efi" };

/* The value of KEY= in a shell-style config file, unquoted; "" when absent. */
static void config_value(const struct vb_root *root, const char *path, const char *key,
			 char *out, size_t size)
{
	char *text, *line;
	size_t len, klen = strlen(key);

	out[0] = '\0';
	if (vb_root_read_file(root, path, 64 * 1024, &text, &len, NULL) < 0)
		return;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			const char *v = line + klen + 1;
			size_t n = strcspn(v, " \t#");

			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
				v++;
				n -= 2;
			}
			snprintf(out, size, "%.*s", (int)n, v);
		}
	}
	free(text);
}

static DIR *open_dir(const struct vb_root *root, const char *rel)
{
	int fd = vb_root_open(root, rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (fd >= 0 && !d)
		close(fd);
	return d;
}

/* Lists the UKIs (EFI/Linux/NAME.efi) of every boot directory; notes the signed ones. */
static int find_ukis(const struct vb_root *root, bool *any, struct vb_strv *signed_ukis)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < ARRAY_SIZE(boot_dirs); i++) {
		char dir[PATH_MAX];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/EFI/Linux", boot_dirs[i]);
		d = open_dir(root, dir);
		while (d && err == 0 && (de = readdir(d)) != NULL) {
			unsigned char head[4096];
			char path[PATH_MAX * 2];
			ssize_t n;
			int fd;

			if (fnmatch("*.efi", de->d_name, 0) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			fd = vb_root_open_regular(root, path, NULL);
			if (fd < 0)
				continue;
			*any = true;
			n = pread(fd, head, sizeof(head), 0);
			close(fd);
			if (n > 0 && vb_pe_is_signed(head, (size_t)n))
				err = vb_strv_add(signed_ukis, "%s", path);
		}
		if (d)
			closedir(d);
	}
	return err;
}

int vb_boot_refresh_detect(const struct vb_root *root, struct vb_boot_refresh *r)
{
	bool ukis = false, entries = false;
	char key[256];
	int err;

	memset(r, 0, sizeof(*r));
	r->proxmox = vb_have_program(root, "proxmox-boot-tool");
	if (!r->proxmox && vb_have_program(root, "kernel-install")) {
		config_value(root, "/etc/kernel/install.conf", "layout", r->layout,
			     sizeof(r->layout));
		if (!r->layout[0])
			config_value(root, "/usr/lib/kernel/install.conf", "layout", r->layout,
				     sizeof(r->layout));
		for (size_t i = 0; i < ARRAY_SIZE(boot_dirs); i++) {
			char dir[PATH_MAX];

			snprintf(dir, sizeof(dir), "%s/loader/entries", boot_dirs[i]);
			entries = entries || vb_root_exists(root, dir);
		}
	}
	err = find_ukis(root, &ukis, &r->unsigned_by_us);
	/* No layout configured: kernel-install's own guess from what is there. */
	if (!r->proxmox && !r->layout[0] && vb_have_program(root, "kernel-install"))
		snprintf(r->layout, sizeof(r->layout), "%s", ukis ? "uki" : entries ? "bls" : "");
	if (strcmp(r->layout, "bls") != 0 && strcmp(r->layout, "uki") != 0)
		r->layout[0] = '\0';
	r->sbctl = vb_have_program(root, "sbctl") &&
		   (vb_root_exists(root, "/var/lib/sbctl/keys/db/db.key") ||
		    vb_root_exists(root, "/usr/share/secureboot/keys/db/db.key"));
	config_value(root, "/etc/kernel/uki.conf", "SecureBootPrivateKey", key, sizeof(key));
	r->ukify_signs = key[0] != '\0';
	/* Only UKIs kernel-install rebuilds lose their signature. */
	if (r->sbctl || r->ukify_signs || strcmp(r->layout, "uki") != 0)
		vb_strv_free(&r->unsigned_by_us);
	return err;
}

void vb_boot_refresh_free(struct vb_boot_refresh *r)
{
	vb_strv_free(&r->unsigned_by_us);
	vb_strv_free(&r->left);
}

int vb_boot_refresh_bootloader(const struct vb_root *root, enum vb_bootloader bl,
			       struct vb_boot_refresh *r,
			       int (*fn)(void *ctx, const char *const *argv), void *ctx)
{
	struct vb_command cmd;

	if (vb_bootloader_refresh(root, bl, &cmd))
		return fn(ctx, cmd.argv);
	if (bl == VB_BOOTLOADER_GRUB)
		return vb_strv_add(&r->left, "nothing here makes grub.cfg again from "
				   "/etc/default/grub (no update-grub, grub-mkconfig or grub2-mkconfig "
				   "in the tree): run update-grub (or grub-mkconfig -o "
				   "/boot/grub/grub.cfg) before the next boot");
	if (bl == VB_BOOTLOADER_KERNEL_CMDLINE && !vb_have_program(root, "kernel-install"))
		return vb_strv_add(&r->left, "nothing here makes the boot entries again from "
				   "/etc/kernel/cmdline (no kernel-install, no proxmox-boot-tool in "
				   "the tree): run kernel-install add KVER /boot/vmlinuz-KVER for each "
				   "kernel (or your boot loader's tool) before the next boot");
	return 0;
}

int vb_boot_refresh_left_note(const struct vb_boot_refresh *r)
{
	for (size_t i = 0; i < r->left.count; i++)
		cli_warning("%s", r->left.items[i]);
	return r->left.count ? 1 : 0;
}

/* kernel-install add for every installed kernel with a /boot/vmlinuz. */
static int kernel_install_all(const struct vb_root *root,
			      int (*fn)(void *ctx, const char *const *argv), void *ctx)
{
	struct vb_strv kernels = { 0 };
	char where[PATH_MAX];
	int err = vb_kernels_list(root, &kernels, where, sizeof(where));

	if (err < 0 && err != -ENOMEM)
		cli_error("cannot read %s: %s", where, vb_strerror(err));
	for (size_t k = 0; err == 0 && k < kernels.count; k++) {
		const char *kver = kernels.items[k];
		char vmlinuz[PATH_MAX], initrd[PATH_MAX] = "", candidate[PATH_MAX];
		const char *argv[6] = { "kernel-install", "add", kver, vmlinuz, NULL, NULL };

		snprintf(vmlinuz, sizeof(vmlinuz), "/boot/vmlinuz-%s", kver);
		if (!vb_root_exists(root, vmlinuz))
			continue;
		snprintf(candidate, sizeof(candidate), "/boot/initrd.img-%s", kver);
		if (vb_root_exists(root, candidate))
			snprintf(initrd, sizeof(initrd), "%s", candidate);
		snprintf(candidate, sizeof(candidate), "/boot/initramfs-%s.img", kver);
		if (!initrd[0] && vb_root_exists(root, candidate))
			snprintf(initrd, sizeof(initrd), "%s", candidate);
		if (initrd[0])
			argv[4] = initrd;
		err = fn(ctx, argv);
	}
	vb_strv_free(&kernels);
	return err;
}

int vb_boot_refresh_commands(const struct vb_root *root, const struct vb_boot_refresh *r,
			     int (*fn)(void *ctx, const char *const *argv), void *ctx)
{
	int err = 0;

	if (r->layout[0])
		err = kernel_install_all(root, fn, ctx);
	if (err == 0 && r->proxmox)
		err = fn(ctx, (const char *const[]){ "proxmox-boot-tool", "refresh", NULL });
	if (err == 0 && r->sbctl)
		err = fn(ctx, (const char *const[]){ "sbctl", "sign-all", NULL });
	return err;
}

int vb_boot_refresh_sign_note(const struct vb_boot_refresh *r)
{
	for (size_t i = 0; i < r->unsigned_by_us.count; i++)
		cli_warning("sign again: %s was signed for Secure Boot and was rebuilt unsigned; "
			    "sign it with your db key: sbsign --key db.key --cert db.crt --output %s %s",
			    r->unsigned_by_us.items[i], r->unsigned_by_us.items[i],
			    r->unsigned_by_us.items[i]);
	return r->unsigned_by_us.count ? 1 : 0;
}
