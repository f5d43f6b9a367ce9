// SPDX-License-Identifier: GPL-2.0-or-later
/* check's look at the boot path: the generator, vfio-boot's files for it, the running kernel's images. */
#include <errno.h>
#include <stdlib.h>

#include "boot_images.h"
#include "boot_path_checks.h"
#include "generator.h"
#include "image_verify.h"
#include "initramfs_image.h"

/* An image of the running kernel: ready only when complete (image_verify.h). */
static void add_image(void *ctx, const char *path, enum vb_image_state st, const char *line)
{
	(void)path;
	check_add(ctx, "image", st == VB_IMAGE_COMPLETE ? CHECK_OK : CHECK_FAIL, "%s", line);
}

void check_boot_path(struct check_list *c, const struct vb_root *root)
{
	struct vb_strv missing = { 0 };
	char why[512], *conf = NULL;
	const char *program;
	enum vb_generator g;
	size_t len;
	int err = vb_generator_find(root, &g, &program);

	if (err < 0) {
		check_add(c, "initramfs", CHECK_FAIL, "cannot tell whether the tree has %s: %s",
			  program, vb_strerror(err));
		c->read_errors++;
		return;
	}
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
	vb_strv_free(&missing);

	if (vb_root_read_file(root, VB_IMAGE_CONF, 1024 * 1024, &conf, &len, NULL) < 0)
		return; /* nothing configured (or said by the selection's check) */
	err = vb_running_images(root, conf, len, add_image, c, why, sizeof(why));
	if (err == -ENODATA) {
		check_add(c, "image", CHECK_SKIP, "the running kernel is unknown (no proc/)");
	} else if (err < 0) {
		check_add(c, "image", CHECK_FAIL, "%s", why);
		c->read_errors++;
	}
	free(conf);
}
