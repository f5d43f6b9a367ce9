// SPDX-License-Identifier: GPL-2.0-or-later
/* The modules an image must carry for the configuration it holds (image_modules.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "device_rules.h"
#include "image_modules.h"
#include "initramfs_image.h"
#include "kmodinfo.h"
#include "macro.h"

/* name (len bytes) as the kernel names modules, into buf. */
static void module_name(const char *name, size_t len, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < len && i + 1 < size; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
}

/* The modules cfg has the binder load (driver= variants, preload=), each once. */
static int wanted_modules(const struct vb_config *cfg, struct vb_strv *wanted)
{
	char name[VB_MODULE_NAME_MAX];
	int err = 0;

	for (size_t i = 0; err == 0 && i < cfg->devices.count; i++) {
		const struct vb_device_rule *r = &cfg->devices.items[i];

		if (r->kind != VB_DEVICE_DRIVER || vb_module_is_vfio_pci(r->value))
			continue;
		module_name(r->value, strlen(r->value), name, sizeof(name));
		err = vb_strv_add_unique(wanted, name);
	}
	for (size_t i = 0; err == 0 && i < cfg->devices.preload.count; i++) {
		const char *m = cfg->devices.preload.items[i];

		module_name(m, strlen(m), name, sizeof(name));
		err = vb_strv_add_unique(wanted, name);
	}
	return err < 0 ? -ENOMEM : 0;
}

int vb_image_modules_needed(const struct vb_root *root, const char *conf, size_t len,
			    const char *kver, struct vb_strv *needed, char *where, size_t size)
{
	struct vb_strv wanted = { 0 };
	struct vb_config cfg;
	struct vb_kmod km;
	size_t k;
	int err;

	where[0] = '\0';
	vb_config_init(&cfg);
	err = vb_config_parse_text(&cfg, VB_IMAGE_CONF, conf, len);
	if (err == 0)
		err = wanted_modules(&cfg, &wanted);
	vb_config_free(&cfg);
	if (err < 0 || wanted.count == 0 || !kver[0]) {
		vb_strv_free(&wanted);
		return err;
	}
	err = vb_kmod_open(&km, root, where, size);
	if (err < 0) {
		vb_strv_free(&wanted);
		return err;
	}
	for (k = 0; k < km.kernels.count && strcmp(km.kernels.items[k], kver) != 0; k++)
		;
	for (size_t i = 0; err == 0 && k < km.kernels.count && i < wanted.count; i++) {
		char real[VB_MODULE_NAME_MAX], name[VB_MODULE_NAME_MAX];

		if (vb_kmod_resolve(&km, k, wanted.items[i], real, sizeof(real)) !=
		    VB_MODULE_LOADABLE)
			continue;
		module_name(real, strlen(real), name, sizeof(name));
		if (vb_strv_add_unique(needed, name) < 0)
			err = -ENOMEM;
	}
	vb_kmod_close(&km);
	vb_strv_free(&wanted);
	return err;
}

int vb_image_module_note(struct vb_strv *carried, const struct vb_strv *needed,
			 const char *path)
{
	static const char *const ends[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	const char *base = strrchr(path, '/');
	char name[VB_MODULE_NAME_MAX];
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		size_t n = strlen(ends[i]);

		if (len > n && len - n < sizeof(name) && strcmp(base + len - n, ends[i]) == 0) {
			module_name(base, len - n, name, sizeof(name));
			if (!vb_strv_contains(needed, name) || vb_strv_contains(carried, name))
				return 0;
			return vb_strv_add(carried, "%s", name) < 0 ? -ENOMEM : 0;
		}
	}
	return 0;
}
