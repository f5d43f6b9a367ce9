// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>

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
	struct vb_msgs rebuilt = { 0 };
	int err = vb_boot_images_scan(root, &after), bad = 0;

	if (err == 0)
		err = vb_boot_images_changed(before, &after, &rebuilt);
	if (err == 0 && rebuilt.count == 0)
		cli_note("no rebuilt initramfs image found under /boot, /efi or /boot/efi to check");
	for (size_t i = 0; err == 0 && i < rebuilt.count; i++) {
		struct vb_msgs missing = { 0 };
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
		vb_msgs_free(&missing);
	}
	if (err == 0)
		vb_boot_images_free(&after);
	vb_msgs_free(&rebuilt);
	return err < 0 ? err : bad ? -EBADMSG : 0;
}

bool vb_verify_images_outdated(const struct vb_root *root, const char *conf, size_t len)
{
	struct vb_boot_images images;
	struct vb_msgs mine = { 0 };
	char kver[128];
	bool outdated = false;

	if (vb_running_kernel(root, kver, sizeof(kver)) == 0 &&
	    vb_boot_images_scan(root, &images) == 0) {
		vb_boot_images_of_kernel(root, &images, kver, &mine);
		for (size_t i = 0; i < mine.count && !outdated; i++) {
			char line[768];
			enum vb_image_state st =
				vb_image_verdict(root, mine.items[i], conf, len, line, sizeof(line));

			outdated = st == VB_IMAGE_STALE || st == VB_IMAGE_INCOMPLETE;
			if (outdated)
				cli_note("%s", line);
		}
		vb_msgs_free(&mine);
		vb_boot_images_free(&images);
	}
	return outdated;
}
