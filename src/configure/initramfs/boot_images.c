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
#include "boot_images.h"

static const char *const boot_dirs[] = { "boot", "efi", "boot/efi" };
static const char *const image_names[] = { "initrd.img-*", "initramfs-*.img", "initrd-*.img" };

static bool is_image_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(image_names); i++)
		if (fnmatch(image_names[i], name, 0) == 0 && !strstr(name, ".bak") &&
		    !strstr(name, ".dpkg-"))
			return true;
	return false;
}

/* One scan: the tree, and what it found (or where it failed). */
struct scan {
	const struct vb_root *root;
	struct vb_boot_images *images;
};

static int failed(struct scan *sc, const char *rel, int err)
{
	snprintf(sc->images->unreadable, sizeof(sc->images->unreadable), "/%s",
		 rel[0] == '/' ? rel + 1 : rel);
	return err;
}

/* Opens directory rel: *d NULL when there is none there. Returns 0 or -errno. */
static int open_dir(struct scan *sc, const char *rel, DIR **d)
{
	int fd = vb_root_open(sc->root, rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);

	*d = NULL;
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return failed(sc, rel, fd);
	*d = fdopendir(fd);
	if (!*d) {
		close(fd);
		return failed(sc, rel, -errno);
	}
	return 0;
}

/* readdir(), an error told from the end: *err set (and the directory named) on one. */
static struct dirent *next_entry(struct scan *sc, DIR *d, const char *rel, int *err)
{
	struct dirent *de;

	errno = 0;
	de = readdir(d);
	if (!de && errno)
		*err = failed(sc, rel, -errno);
	return de;
}

/* Adds dir/name when it is a regular file (a link to one counts). */
static int add(struct scan *sc, const char *dir, const char *name)
{
	char rel[PATH_MAX];
	struct stat st;
	int fd;

	if (snprintf(rel, sizeof(rel), "/%s/%s", dir, name) >= (int)sizeof(rel))
		return 0;
	fd = vb_root_open_regular(sc->root, rel, &st);
	if (fd == -VB_EFILETYPE || fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
		return 0; /* not an image, or gone since the listing */
	if (fd < 0)
		return failed(sc, rel, fd);
	close(fd);
	return vb_strv_add_unique(&sc->images->paths, rel);
}

/* Visits each subdirectory of rel (depth 1), calling fn with its path. */
static int each_subdir(struct scan *sc, const char *rel, int (*fn)(struct scan *, const char *))
{
	struct dirent *de;
	DIR *d;
	int err = open_dir(sc, rel, &d);

	if (!d)
		return err;
	while (err == 0 && (de = next_entry(sc, d, rel, &err)) != NULL) {
		char sub[PATH_MAX];

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) < (int)sizeof(sub))
			err = fn(sc, sub);
	}
	closedir(d);
	return err;
}

/* The files of directory rel whose names match pattern. */
static int add_matching(struct scan *sc, const char *rel, bool (*match)(const char *name))
{
	struct dirent *de;
	DIR *d;
	int err = open_dir(sc, rel, &d);

	while (d && err == 0 && (de = next_entry(sc, d, rel, &err)) != NULL)
		if (match(de->d_name))
			err = add(sc, rel, de->d_name);
	if (d)
		closedir(d);
	return err;
}

static bool is_bls_initrd(const char *name)
{
	return fnmatch("initr*", name, 0) == 0;
}

static bool is_uki(const char *name)
{
	return fnmatch("*.efi", name, 0) == 0;
}

/* kernel-install's bls layout: ENTRY-TOKEN/KVER/initrd*, as its plugins name them. */
static int bls_kernel_dir(struct scan *sc, const char *rel)
{
	return add_matching(sc, rel, is_bls_initrd);
}

static int bls_entry_dir(struct scan *sc, const char *rel)
{
	return each_subdir(sc, rel, bls_kernel_dir);
}

static int scan_dir(struct scan *sc, const char *dir)
{
	char ukis[PATH_MAX];
	int err = add_matching(sc, dir, is_image_name);

	if (err == 0)
		err = each_subdir(sc, dir, bls_entry_dir);
	snprintf(ukis, sizeof(ukis), "%s/EFI/Linux", dir);
	return err == 0 ? add_matching(sc, ukis, is_uki) : err;
}

int vb_boot_images_scan(const struct vb_root *root, struct vb_boot_images *images)
{
	struct scan sc = { root, images };
	int err = 0;

	memset(images, 0, sizeof(*images));
	for (size_t i = 0; err == 0 && i < ARRAY_SIZE(boot_dirs); i++)
		err = scan_dir(&sc, boot_dirs[i]);
	vb_strv_sort(&images->paths);
	images->st = calloc(images->paths.count ? images->paths.count : 1, sizeof(*images->st));
	if (err == 0 && !images->st)
		err = -ENOMEM;
	for (size_t i = 0; err == 0 && i < images->paths.count; i++) {
		int fd = vb_root_open_regular(root, images->paths.items[i], &images->st[i]);

		if (fd >= 0)
			close(fd);
	}
	if (err < 0)
		vb_boot_images_free(images);
	return err;
}

void vb_boot_images_free(struct vb_boot_images *images)
{
	vb_strv_free(&images->paths);
	free(images->st);
	images->st = NULL;
}

int vb_boot_images_changed(const struct vb_boot_images *before,
			   const struct vb_boot_images *after, struct vb_strv *changed)
{
	for (size_t i = 0; i < after->paths.count; i++) {
		const struct stat *a = &after->st[i], *b = NULL;
		int err;

		for (size_t j = 0; j < before->paths.count && !b; j++)
			if (strcmp(before->paths.items[j], after->paths.items[i]) == 0)
				b = &before->st[j];
		if (b && b->st_ino == a->st_ino && b->st_size == a->st_size &&
		    b->st_mtim.tv_sec == a->st_mtim.tv_sec &&
		    b->st_mtim.tv_nsec == a->st_mtim.tv_nsec)
			continue;
		err = vb_strv_add(changed, "%s", after->paths.items[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

/* True when name carries kver whole: not 6.1.0-1 inside 6.1.0-13. */
static bool names_kernel(const char *path, const char *kver)
{
	size_t len = strlen(kver);

	for (const char *p = path; (p = strstr(p, kver)) != NULL; p++) {
		char before = p == path ? '/' : p[-1], after = p[len];

		if (strchr("/-_", before) && (after == '\0' || strchr("/._", after)))
			return true;
	}
	return false;
}

int vb_boot_images_of_kernel(const struct vb_root *root, const struct vb_boot_images *images,
			     const char *kver, struct vb_strv *paths)
{
	char rel[PATH_MAX], pkgbase[128] = "", initcpio[PATH_MAX] = "";
	int err = 0;

	for (const char *const *dir = (const char *const[]){ "/usr/lib", "/lib", NULL }; *dir;
	     dir++) {
		if (snprintf(rel, sizeof(rel), "%s/modules/%s/pkgbase", *dir, kver) >=
			    (int)sizeof(rel) ||
		    vb_root_read_small(root, rel, pkgbase, sizeof(pkgbase)) <= 0)
			continue;
		pkgbase[strcspn(pkgbase, "\n")] = '\0';
		snprintf(initcpio, sizeof(initcpio), "/boot/initramfs-%s.img", pkgbase);
		break;
	}
	for (size_t i = 0; err == 0 && i < images->paths.count; i++) {
		const char *p = images->paths.items[i];

		if (names_kernel(p, kver) || (initcpio[0] && strcmp(p, initcpio) == 0))
			err = vb_strv_add(paths, "%s", p);
	}
	return err;
}

int vb_running_kernel(const struct vb_root *root, char *kver, size_t size)
{
	ssize_t n = vb_root_read_small(root, "/proc/sys/kernel/osrelease", kver, size);

	if (n < 0)
		return (int)n;
	kver[strcspn(kver, "\n")] = '\0';
	return kver[0] ? 0 : -ENODATA;
}
