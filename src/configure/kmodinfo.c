// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmodinfo.h"
#include "root.h"

static const char *const no_config[] = { NULL };

/* libkmod logs to stderr; a tree without .ko files is normal for us. */
static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

/*
 * libkmod opens the indexes by name with open(2): each modules.* there must
 * be a regular file, not a link (followed on the host, out of the tree) nor a
 * FIFO (open would wait). Names the first that is not in bad. Returns 0,
 * -VB_EFILETYPE or -errno.
 */
static int check_indexes(int dirfd, const char *rel, char *bad, size_t badsize)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	struct dirent *de;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (err == 0 && (de = readdir(dir)) != NULL) {
		struct stat st;

		if (strncmp(de->d_name, "modules.", 8) != 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			err = errno == ENOENT ? 0 : -errno;
		else if (!S_ISREG(st.st_mode))
			err = -VB_EFILETYPE;
		if (err < 0)
			snprintf(bad, badsize, "%s/%s", rel, de->d_name);
	}
	closedir(dir);
	return err;
}

/*
 * libkmod takes a directory name. It gets the module directory as opened
 * inside the tree (/proc/self/fd/N), so a link in the tree cannot lead it out.
 * Returns the context, or NULL with *err set.
 */
static struct kmod_ctx *open_kernel(const struct vb_root *root, const char *kver, int *dirfd,
				    int *err, char *bad, size_t badsize)
{
	char rel[PATH_MAX], dir[64];
	struct kmod_ctx *ctx;

	snprintf(rel, sizeof(rel), "lib/modules/%s", kver);
	*dirfd = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);
	*err = *dirfd < 0 ? *dirfd : check_indexes(*dirfd, rel, bad, badsize);
	if (*err < 0)
		return NULL;
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", *dirfd);
	ctx = kmod_new(dir, no_config);
	*err = ctx ? 0 : -ENOMEM;
	return ctx;
}

int vb_kmod_open(struct vb_kmod *km, const struct vb_root *root, char *bad, size_t badsize)
{
	char rel[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int err = 0, fd;

	memset(km, 0, sizeof(*km));
	if (badsize)
		bad[0] = '\0';
	fd = vb_root_open(root, "lib/modules", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir)) != NULL && err == 0) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "lib/modules/%s/modules.dep", de->d_name);
		if (!vb_root_exists(root, rel))
			continue;
		err = vb_msgs_add(&km->kernels, "%s", de->d_name);
	}
	closedir(dir);
	vb_msgs_sort(&km->kernels);
	if (err == 0 && km->kernels.count) {
		km->ctx = calloc(km->kernels.count, sizeof(*km->ctx));
		km->dirfd = malloc(km->kernels.count * sizeof(*km->dirfd));
		if (!km->ctx || !km->dirfd)
			err = -ENOMEM;
		for (size_t k = 0; km->dirfd && k < km->kernels.count; k++)
			km->dirfd[k] = -1;
	}
	for (size_t k = 0; err == 0 && k < km->kernels.count; k++) {
		km->ctx[k] = open_kernel(root, km->kernels.items[k], &km->dirfd[k], &err, bad,
					 badsize);
		if (!km->ctx[k])
			break;
		kmod_set_log_fn(km->ctx[k], kmod_quiet, NULL);
		kmod_load_resources(km->ctx[k]);
	}
	if (err < 0)
		vb_kmod_close(km);
	return err;
}

void vb_kmod_close(struct vb_kmod *km)
{
	for (size_t k = 0; km->ctx && k < km->kernels.count; k++)
		if (km->ctx[k])
			kmod_unref(km->ctx[k]);
	for (size_t k = 0; km->dirfd && k < km->kernels.count; k++)
		if (km->dirfd[k] >= 0)
			close(km->dirfd[k]);
	free(km->ctx);
	free(km->dirfd);
	vb_msgs_free(&km->kernels);
	memset(km, 0, sizeof(*km));
}

int vb_kmod_claimants(const struct vb_kmod *km, const char *modalias, struct vb_msgs *modules)
{
	int err = 0;

	for (size_t k = 0; k < km->kernels.count && err == 0; k++) {
		struct kmod_list *list = NULL, *it;

		if (kmod_module_new_from_lookup(km->ctx[k], modalias, &list) < 0)
			continue;
		kmod_list_foreach(it, list) {
			struct kmod_module *mod = kmod_module_get_module(it);
			char name[128];

			snprintf(name, sizeof(name), "%s%s", kmod_module_get_name(mod),
				 kmod_module_get_path(mod) ? "" : " (built-in)");
			kmod_module_unref(mod);
			if (err == 0)
				err = vb_msgs_add_unique(modules, name);
		}
		kmod_module_unref_list(list);
	}
	return err;
}

enum vb_module_state vb_kmod_state(const struct vb_kmod *km, size_t k, const char *module)
{
	struct kmod_list *list = NULL, *it;
	enum vb_module_state state = VB_MODULE_MISSING;

	if (kmod_module_new_from_lookup(km->ctx[k], module, &list) < 0)
		return VB_MODULE_MISSING;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);

		/* Without config files, a pathless match comes from modules.builtin. */
		if (kmod_module_get_path(mod))
			state = VB_MODULE_LOADABLE;
		else if (state == VB_MODULE_MISSING)
			state = VB_MODULE_BUILTIN;
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return state;
}
