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

#include "kernels.h"
#include "kmodinfo.h"
#include "macro.h"
#include "root.h"

static const char *const no_config[] = { NULL };

/*
 * What kmod_module_get_path said of each module asked about, by name (sorted):
 * asked anew, libkmod parses its modules.dep line again and stat()s every
 * module it depends on. Functions of one kind share their modules.
 */
struct module_kind {
	char *name;
	bool builtin;
};

struct vb_kmod_kinds {
	struct module_kind *items;
	size_t count, capacity;
};

/* libkmod logs to stderr; a tree without .ko files is normal for us. */
static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

/* Names rel (and name in it, when not NULL) as where an error came from; returns err. */
static int failed(char *where, size_t size, const char *rel, const char *name, int err)
{
	snprintf(where, size, "/%s%s%s", rel, name ? "/" : "", name ? name : "");
	return err;
}

/*
 * Whether every modules.* file of the kernel directory rel is a regular
 * file: libkmod opens its indexes with a plain open() from the directory,
 * which a FIFO would hold for ever, and through which a link would be
 * followed on the host, out of the tree. Returns 1, 0 when one is not, or
 * -errno when the directory or a file's type cannot be read (where names it).
 */
static int indexes_are_files(const struct vb_root *root, const char *rel, char *where,
			     size_t size)
{
	int dirfd = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);
	int fd = dirfd >= 0 ? openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : dirfd;
	DIR *dir = NULL;
	struct dirent *de;
	int ok = 1;

	if (fd == -1)
		fd = -errno;
	if (fd >= 0 && !(dir = fdopendir(fd))) {
		close(fd);
		fd = -errno;
	}
	if (fd < 0)
		ok = failed(where, size, rel, NULL, fd);
	while (ok > 0) {
		struct stat st;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			ok = errno ? failed(where, size, rel, NULL, -errno) : ok;
			break;
		}
		if (strncmp(de->d_name, "modules.", 8) != 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			ok = S_ISREG(st.st_mode);
		else if (errno != ENOENT) /* gone since the listing: not an index */
			ok = failed(where, size, rel, de->d_name, -errno);
	}
	if (dir)
		closedir(dir);
	if (dirfd >= 0)
		close(dirfd);
	return ok;
}

/*
 * Why libkmod could not load the indexes of the kernel directory dirfd, err
 * being what it said. An index that is absent, or empty (depmod writes
 * modules.builtin.bin and modules.builtin.alias.bin empty for a kernel built
 * without them), holds nothing: libkmod refuses an empty one with EINVAL, but
 * modprobe looks up without it, and so do we (returns 0). Otherwise the first
 * index that cannot be opened, stat'ed and read is named with its own error,
 * one that is not an index (no magic) with EINVAL; else the directory with
 * err.
 */
static int index_failed(int dirfd, const char *rel, int err, char *where, size_t size)
{
	static const char *const indexes[] = { "modules.dep.bin", "modules.alias.bin",
					       "modules.symbols.bin", "modules.builtin.alias.bin",
					       "modules.builtin.bin" };
	static const unsigned char magic[4] = { 0xb0, 0x07, 0xf4, 0x57 };
	unsigned char head[4];
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(indexes); i++) {
		int fd = openat(dirfd, indexes[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		ssize_t n = 0;
		int e = 0;

		if (fd < 0 || fstat(fd, &st) < 0 || (n = pread(fd, head, sizeof(head), 0)) < 0)
			e = -errno;
		if (fd >= 0)
			close(fd);
		if (e == -ENOENT || (e == 0 && st.st_size == 0))
			continue;
		if (e < 0)
			return failed(where, size, rel, indexes[i], e);
		if (n < (ssize_t)sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0)
			return failed(where, size, rel, indexes[i], -EINVAL);
	}
	return err == -EINVAL ? 0 : failed(where, size, rel, NULL, err);
}

/*
 * libkmod takes a directory name. It gets the module directory as opened
 * inside the tree (/proc/self/fd/N), so a link in the tree cannot lead it out.
 */
static struct kmod_ctx *open_kernel(const struct vb_root *root, const char *kver, int *dirfd)
{
	char rel[PATH_MAX], dir[64];

	snprintf(rel, sizeof(rel), "lib/modules/%s", kver);
	*dirfd = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);
	if (*dirfd < 0)
		return NULL;
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", *dirfd);
	return kmod_new(dir, no_config);
}

int vb_kmod_open(struct vb_kmod *km, const struct vb_root *root, char *where, size_t size)
{
	struct vb_strv installed = { 0 };
	char rel[PATH_MAX];
	int err;

	memset(km, 0, sizeof(*km));
	err = vb_kernels_list(root, &installed, where, size);
	for (size_t k = 0; err == 0 && k < installed.count; k++) {
		snprintf(rel, sizeof(rel), "lib/modules/%s", installed.items[k]);
		err = indexes_are_files(root, rel, where, size);
		if (err >= 0)
			err = vb_strv_add(err ? &km->kernels : &km->skipped, "%s", installed.items[k]);
	}
	vb_strv_free(&installed);
	if (err == 0 && km->kernels.count) {
		km->ctx = calloc(km->kernels.count, sizeof(*km->ctx));
		km->dirfd = malloc(km->kernels.count * sizeof(*km->dirfd));
		km->kinds = calloc(km->kernels.count, sizeof(*km->kinds));
		if (!km->ctx || !km->dirfd || !km->kinds)
			err = -ENOMEM;
		for (size_t k = 0; km->dirfd && k < km->kernels.count; k++)
			km->dirfd[k] = -1;
	}
	for (size_t k = 0; err == 0 && k < km->kernels.count; k++) {
		snprintf(rel, sizeof(rel), "lib/modules/%s", km->kernels.items[k]);
		km->ctx[k] = open_kernel(root, km->kernels.items[k], &km->dirfd[k]);
		if (!km->ctx[k]) {
			err = km->dirfd[k] < 0 ? failed(where, size, rel, NULL, km->dirfd[k]) : -ENOMEM;
			break;
		}
		kmod_set_log_fn(km->ctx[k], kmod_quiet, NULL);
		/* An index that is not there is looked up without; one that cannot be read is an error. */
		err = kmod_load_resources(km->ctx[k]);
		if (err == -ENOENT)
			err = 0;
		else if (err < 0)
			err = index_failed(km->dirfd[k], rel, err, where, size);
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
	for (size_t k = 0; km->kinds && k < km->kernels.count; k++) {
		for (size_t i = 0; i < km->kinds[k].count; i++)
			free(km->kinds[k].items[i].name);
		free(km->kinds[k].items);
	}
	free(km->kinds);
	free(km->ctx);
	free(km->dirfd);
	vb_strv_free(&km->kernels);
	vb_strv_free(&km->skipped);
	memset(km, 0, sizeof(*km));
}

/* Whether mod (found under kernel k) is built in: it has no .ko path. */
static bool module_builtin(const struct vb_kmod *km, size_t k, struct kmod_module *mod)
{
	struct vb_kmod_kinds *kinds = &km->kinds[k];
	const char *name = kmod_module_get_name(mod);
	size_t lo = 0, hi = kinds->count;
	struct module_kind kind;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(name, kinds->items[mid].name);

		if (cmp == 0)
			return kinds->items[mid].builtin;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	kind = (struct module_kind){ strdup(name), !kmod_module_get_path(mod) };
	if (!kind.name)
		return kind.builtin; /* not kept: asked again next time */
	if (kinds->count == kinds->capacity) {
		size_t capacity = kinds->capacity ? kinds->capacity * 2 : 32;
		struct module_kind *grown = realloc(kinds->items, capacity * sizeof(*grown));

		if (!grown) {
			free(kind.name);
			return kind.builtin;
		}
		kinds->items = grown;
		kinds->capacity = capacity;
	}
	memmove(&kinds->items[lo + 1], &kinds->items[lo], (kinds->count - lo) * sizeof(kind));
	kinds->items[lo] = kind;
	kinds->count++;
	return kind.builtin;
}

int vb_kmod_lookup_each(const struct vb_kmod *km, const char *alias,
			int (*fn)(void *ctx, size_t k, const char *module, bool builtin),
			void *ctx)
{
	int err = 0;

	for (size_t k = 0; k < km->kernels.count && err == 0; k++) {
		struct kmod_list *list = NULL, *it;

		err = kmod_module_new_from_lookup(km->ctx[k], alias, &list);
		if (err < 0)
			break;
		kmod_list_foreach(it, list) {
			struct kmod_module *mod = kmod_module_get_module(it);

			if (err == 0)
				err = fn(ctx, k, kmod_module_get_name(mod), module_builtin(km, k, mod));
			kmod_module_unref(mod);
		}
		kmod_module_unref_list(list);
	}
	return err;
}

static int add_claimant(void *ctx, size_t k, const char *module, bool builtin)
{
	char name[128];

	(void)k;
	snprintf(name, sizeof(name), "%s%s", module, builtin ? " (built-in)" : "");
	return vb_strv_add_unique(ctx, name) < 0 ? -ENOMEM : 0;
}

int vb_kmod_claimants(const struct vb_kmod *km, const char *modalias, struct vb_strv *modules)
{
	return vb_kmod_lookup_each(km, modalias, add_claimant, modules);
}

enum vb_module_state vb_kmod_resolve(const struct vb_kmod *km, size_t k, const char *module,
				     char *name, size_t size)
{
	struct kmod_list *list = NULL, *it;
	enum vb_module_state state = VB_MODULE_MISSING;

	if (size)
		name[0] = '\0';
	if (kmod_module_new_from_lookup(km->ctx[k], module, &list) < 0)
		return VB_MODULE_MISSING;
	kmod_list_foreach(it, list) {
		struct kmod_module *mod = kmod_module_get_module(it);

		/* Without config files, a pathless match comes from modules.builtin. */
		if (!module_builtin(km, k, mod) && state != VB_MODULE_LOADABLE) {
			state = VB_MODULE_LOADABLE;
			if (size)
				snprintf(name, size, "%s", kmod_module_get_name(mod));
		} else if (state == VB_MODULE_MISSING) {
			state = VB_MODULE_BUILTIN;
		}
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return state;
}

int vb_kmod_dependencies(const struct vb_kmod *km, size_t k, const char *name,
			 struct vb_strv *deps)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *list, *it;
	int err = 0;

	if (kmod_module_new_from_name(km->ctx[k], name, &mod) < 0)
		return -ENOMEM;
	list = kmod_module_get_dependencies(mod);
	kmod_list_foreach(it, list) {
		struct kmod_module *dep = kmod_module_get_module(it);

		if (err == 0 && vb_strv_add_unique(deps, kmod_module_get_name(dep)) < 0)
			err = -ENOMEM;
		kmod_module_unref(dep);
	}
	kmod_module_unref_list(list);
	kmod_module_unref(mod);
	return err;
}

enum vb_module_state vb_kmod_state(const struct vb_kmod *km, size_t k, const char *module)
{
	return vb_kmod_resolve(km, k, module, NULL, 0);
}
