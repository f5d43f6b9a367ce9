// SPDX-License-Identifier: GPL-2.0-or-later
/* check's look at the boot path: the generator, vfio-boot's files for it, the running kernel's images. */
#include <stdlib.h>

#include "boot_images.h"
#include "boot_path_checks.h"
#include "generator.h"
#include "initramfs_image.h"

void check_boot_path(struct check_list *c, const struct vb_root *root)
{
	enum vb_generator g = vb_generator_detect(root);
	struct vb_msgs missing = { 0 }, mine = { 0 };
	struct vb_boot_images images;
	char kver[128], *conf = NULL;
	size_t len;

	if (g == VB_GENERATOR_NONE || g == VB_GENERATOR_BOOSTER) {
		check_add(c, "initramfs", CHECK_FAIL, "%s: vfio-boot supports initramfs-tools, dracut "
		       "and mkinitcpio", g == VB_GENERATOR_NONE ? "no initramfs generator found" :
		       "booster is not supported");
		return;
	}
	check_add(c, "initramfs", CHECK_OK, "%s", vb_generator_name(g));
	vb_generator_missing_files(root, g, &missing);
	if (missing.count) {
		for (size_t i = 0; i < missing.count; i++)
			check_add(c, "install", CHECK_FAIL, "missing %s: install vfio-boot (make install, "
			       "or its package)", missing.items[i]);
	} else {
		check_add(c, "install", CHECK_OK, "the binder and the %s hooks are installed",
		       vb_generator_name(g));
	}
	vb_msgs_free(&missing);

	if (vb_root_read_file(root, VB_IMAGE_CONF, 1024 * 1024, &conf, &len, NULL) < 0)
		return; /* nothing configured: no image to expect anything of */
	if (vb_running_kernel(root, kver, sizeof(kver)) < 0) {
		check_add(c, "image", CHECK_SKIP, "the running kernel is unknown (no proc/)");
	} else if (vb_boot_images_scan(root, &images) == 0) {
		vb_boot_images_of_kernel(root, &images, kver, &mine);
		if (mine.count == 0)
			check_add(c, "image", CHECK_WARN,
			       "no initramfs image of kernel %s found under /boot or the ESP", kver);
		for (size_t i = 0; i < mine.count; i++) {
			char line[768];
			enum vb_image_state st =
				vb_image_verdict(root, mine.items[i], conf, len, line, sizeof(line));

			check_add(c, "image", st == VB_IMAGE_COMPLETE   ? CHECK_OK :
					   st == VB_IMAGE_UNREADABLE ? CHECK_WARN :
								       CHECK_FAIL,
			       "%s", line);
		}
		vb_msgs_free(&mine);
		vb_boot_images_free(&images);
	}
	free(conf);
}
