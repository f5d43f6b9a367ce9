// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "image_verify.h"
#include "initramfs_image.h"

int vb_verify_images_before(const struct vb_root *root, struct vb_boot_images *before)
{
	return vb_boot_images_scan(root, before);
}

int vb_verify_images_after(const struct vb_root *root, const struct vb_boot_images *before,
			   const char *conf, size_t len)
{
	struct vb_boot_images after;
	struct vb_strv rebuilt = { 0 };
	int err = vb_boot_images_scan(root, &after), bad = 0;

	if (err == 0)
		err = vb_boot_images_changed(before, &after, &rebuilt);
	if (err == 0 && rebuilt.count == 0)
		cli_note("no rebuilt initramfs image found under /boot, /efi or /boot/efi to check");
	for (size_t i = 0; err == 0 && i < rebuilt.count; i++) {
		struct vb_strv missing = { 0 };
		const char *image = rebuilt.items[i];

		if (vb_image_check(root, image, conf, len, &missing) < 0) {
			cli_error("%s: %s", image, missing.count ? missing.items[0] : "cannot read it");
			bad++;
		} else if (missing.count) {
			fprintf(stderr, "vfio-boot: %s, just rebuilt, lacks ", image);
			for (size_t m = 0; m < missing.count; m++)
				fprintf(stderr, "%s%s", m ? ", " : "", missing.items[m]);
			fputc('\n', stderr);
			bad++;
		} else {
			cli_print("checked: %s carries the binder, its hook and %s\n", image,
				  VB_IMAGE_CONF);
		}
		vb_strv_free(&missing);
	}
	if (err == 0)
		vb_boot_images_free(&after);
	vb_strv_free(&rebuilt);
	return err < 0 ? err : bad ? -EBADMSG : 0;
}

/* The first image found outdated is said. */
static void note_outdated(void *ctx, const char *path, enum vb_image_state st, const char *line)
{
	bool *outdated = ctx;

	(void)path;
	if (!*outdated && (st == VB_IMAGE_STALE || st == VB_IMAGE_INCOMPLETE)) {
		*outdated = true;
		cli_note("%s", line);
	}
}

bool vb_verify_images_outdated(const struct vb_root *root, const char *conf, size_t len)
{
	bool outdated = false;
	char why[512];

	vb_running_images(root, conf, len, note_outdated, &outdated, why, sizeof(why));
	return outdated;
}

int vb_running_images(const struct vb_root *root, const char *conf, size_t len,
		      void (*fn)(void *ctx, const char *path, enum vb_image_state st,
				 const char *line),
		      void *ctx, char *why, size_t size)
{
	struct vb_boot_images images;
	struct vb_strv mine = { 0 };
	char kver[128], line[768];
	int err = vb_running_kernel(root, kver, sizeof(kver)), bad = 0;

	if (err == -ENOENT || err == -ENODATA)
		return -ENODATA;
	if (err < 0) {
		snprintf(why, size, "cannot read /proc/sys/kernel/osrelease: %s", vb_strerror(err));
		return err;
	}
	err = vb_boot_images_scan(root, &images);
	if (err < 0) {
		snprintf(why, size, "cannot read %s: %s", images.unreadable, vb_strerror(err));
		return err;
	}
	err = vb_boot_images_of_kernel(root, &images, kver, &mine);
	for (size_t i = 0; err == 0 && i < mine.count; i++) {
		enum vb_image_state st =
			vb_image_verdict(root, mine.items[i], conf, len, line, sizeof(line));

		bad += st != VB_IMAGE_COMPLETE;
		fn(ctx, mine.items[i], st, line);
	}
	if (err == 0 && mine.count == 0) {
		snprintf(line, sizeof(line), "no initramfs image of kernel %s under /boot, /efi or "
			 "/boot/efi: nothing will be bound at boot", kver);
		fn(ctx, NULL, VB_IMAGE_MISSING, line);
		bad++;
	}
	vb_strv_free(&mine);
	vb_boot_images_free(&images);
	if (err < 0)
		snprintf(why, size, "%s", vb_strerror(err));
	return err < 0 ? err : bad;
}
