// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "generator.h"
#include "run.h"

/* Where each generator reads vfio-boot's files (the first found counts). */
struct hook_file {
	const char *paths[2];
	bool names_binder; /* the build hook: says where the binder is */
};

static const struct hook_file itools_files[] = {
	{ { "/usr/share/initramfs-tools/hooks/vfio-boot", "/etc/initramfs-tools/hooks/vfio-boot" },
	  true },
	{ { "/usr/share/initramfs-tools/scripts/init-top/00vfio-boot",
	    "/etc/initramfs-tools/scripts/init-top/00vfio-boot" },
	  false },
};
static const struct hook_file dracut_files[] = {
	{ { "/usr/lib/dracut/modules.d/50vfio-boot/module-setup.sh" }, true },
	{ { "/usr/lib/dracut/modules.d/50vfio-boot/vfio-boot-pre-udev.sh" }, false },
};
static const struct hook_file initcpio_files[] = {
	{ { "/usr/lib/initcpio/install/vfio-boot", "/etc/initcpio/install/vfio-boot" }, true },
	{ { "/usr/lib/initcpio/hooks/vfio-boot", "/etc/initcpio/hooks/vfio-boot" }, false },
};

int vb_generator_find(const struct vb_root *root, enum vb_generator *g, const char **name)
{
	static const struct {
		const char *program;
		enum vb_generator g;
	} order[] = { { "update-initramfs", VB_GENERATOR_INITRAMFS_TOOLS },
		      { "dracut", VB_GENERATOR_DRACUT },
		      { "mkinitcpio", VB_GENERATOR_MKINITCPIO },
		      { "booster", VB_GENERATOR_BOOSTER } };

	*g = VB_GENERATOR_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		int found = vb_find_program(root, order[i].program);

		*name = order[i].program;
		if (found < 0)
			return found;
		if (found > 0) {
			*g = order[i].g;
			return 0;
		}
	}
	return 0;
}

enum vb_generator vb_generator_detect(const struct vb_root *root)
{
	enum vb_generator g;
	const char *name;

	vb_generator_find(root, &g, &name);
	return g;
}

const char *vb_generator_name(enum vb_generator g)
{
	static const char *const names[] = {
		[VB_GENERATOR_NONE] = "none",
		[VB_GENERATOR_INITRAMFS_TOOLS] = "initramfs-tools",
		[VB_GENERATOR_DRACUT] = "dracut",
		[VB_GENERATOR_MKINITCPIO] = "mkinitcpio",
		[VB_GENERATOR_BOOSTER] = "booster",
	};
	return names[g];
}

/*
 * The binder's path in a build hook: what follows "${VFIO_BOOT_BIND:-" up to
 * "}" (make install writes it there). Returns 0 or -ENOENT.
 */
static int binder_named_by(const struct vb_root *root, const char *hook, char *path, size_t size)
{
	static const char marker[] = "${VFIO_BOOT_BIND:-";
	char *text, *p;
	size_t len, n;
	int err = vb_root_read_file(root, hook, 256 * 1024, &text, &len, NULL);

	if (err < 0)
		return err;
	p = strstr(text, marker);
	n = p ? strcspn(p + strlen(marker), "}\n") : 0;
	err = p && p[strlen(marker) + n] == '}' && n > 0 && n < size ? 0 : -ENOENT;
	if (err == 0)
		snprintf(path, size, "%.*s", (int)n, p + strlen(marker));
	free(text);
	return err;
}

static bool is_executable(const struct vb_root *root, const char *path)
{
	struct stat st;
	int fd = vb_root_open_regular(root, path, &st);

	if (fd < 0)
		return false;
	close(fd);
	return (st.st_mode & 0111) != 0;
}

int vb_generator_missing_files(const struct vb_root *root, enum vb_generator g,
			       struct vb_strv *missing)
{
	const struct hook_file *files = g == VB_GENERATOR_INITRAMFS_TOOLS ? itools_files :
					g == VB_GENERATOR_DRACUT	  ? dracut_files :
					g == VB_GENERATOR_MKINITCPIO	  ? initcpio_files :
										    NULL;
	char binder[PATH_MAX] = "";
	int err = 0;

	for (size_t i = 0; files && err == 0 && i < 2; i++) {
		const char *found = NULL;

		for (size_t p = 0; p < 2 && files[i].paths[p] && !found; p++)
			if (vb_root_exists(root, files[i].paths[p]))
				found = files[i].paths[p];
		if (!found)
			err = vb_strv_add(missing, "%s", files[i].paths[0]);
		else if (files[i].names_binder && binder_named_by(root, found, binder,
								  sizeof(binder)) < 0)
			err = vb_strv_add(missing, "the binder's path in %s", found);
	}
	if (err == 0 && binder[0] && !is_executable(root, binder))
		err = vb_strv_add(missing, "%s (the binder)", binder);
	return err;
}
