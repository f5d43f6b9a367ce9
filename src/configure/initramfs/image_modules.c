// SPDX-License-Identifier: GPL-2.0-or-later
/* The modules an image must carry for the configuration it holds (image_modules.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Adds name to needed with why beside it, unless needed holds it. */
static int need(struct vb_strv *needed, struct vb_strv *why, const char *name,
		const char *reason)
{
	if (vb_strv_contains(needed, name))
		return 0;
	if (vb_strv_add(needed, "%s", name) < 0)
		return -ENOMEM;
	if (vb_strv_add(why, "%s", reason) < 0) {
		free(needed->items[--needed->count]);
		return -ENOMEM;
	}
	return 0;
}

/* name, if kernel k has it as a .ko file, and every module it depends on. */
static int need_with_deps(const struct vb_kmod *km, size_t k, const char *wanted,
			  const char *reason, struct vb_strv *needed, struct vb_strv *why)
{
	char real[VB_MODULE_NAME_MAX], name[VB_MODULE_NAME_MAX], needs[VB_MODULE_NAME_MAX + 16];
	struct vb_strv deps = { 0 };
	int err;

	if (vb_kmod_resolve(km, k, wanted, real, sizeof(real)) != VB_MODULE_LOADABLE)
		return 0;
	module_name(real, strlen(real), name, sizeof(name));
	err = need(needed, why, name, reason);
	snprintf(needs, sizeof(needs), "%s needs it", name);
	if (err == 0)
		err = vb_kmod_dependencies(km, k, real, &deps);
	for (size_t i = 0; err == 0 && i < deps.count; i++) {
		char dep[VB_MODULE_NAME_MAX];

		module_name(deps.items[i], strlen(deps.items[i]), dep, sizeof(dep));
		err = need(needed, why, dep, needs);
	}
	vb_strv_free(&deps);
	return err;
}

int vb_image_modules_needed(const struct vb_root *root, const char *conf, size_t len,
			    const char *kver, struct vb_strv *needed, struct vb_strv *why,
			    char *where, size_t size)
{
	struct vb_strv wanted = { 0 };
	struct vb_config cfg;
	struct vb_kmod km;
	size_t k;
	int err;

	where[0] = '\0';
	if (!kver[0])
		return 0;
	vb_config_init(&cfg);
	err = vb_config_parse_text(&cfg, VB_IMAGE_CONF, conf, len);
	if (err == 0)
		err = wanted_modules(&cfg, &wanted);
	vb_config_free(&cfg);
	if (err == 0)
		err = vb_kmod_open(&km, root, where, size);
	if (err < 0) {
		vb_strv_free(&wanted);
		return err;
	}
	for (k = 0; k < km.kernels.count && strcmp(km.kernels.items[k], kver) != 0; k++)
		;
	if (k < km.kernels.count)
		err = need_with_deps(&km, k, "vfio_pci", "the binder loads it", needed, why);
	for (size_t i = 0; err == 0 && k < km.kernels.count && i < wanted.count; i++)
		err = need_with_deps(&km, k, wanted.items[i], "named in " VB_IMAGE_CONF, needed,
				     why);
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
