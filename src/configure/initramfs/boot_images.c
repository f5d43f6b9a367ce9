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

#include "boot_images.h"

static const char *const boot_dirs[] = { "boot", "efi", "boot/efi" };
static const char *const image_names[] = { "initrd.img-*", "initramfs-*.img", "initrd-*.img" };

static bool is_image_name(const char *name)
{
	for (size_t i = 0; i < sizeof(image_names) / sizeof(image_names[0]); i++)
		if (fnmatch(image_names[i], name, 0) == 0 && !strstr(name, ".bak") &&
		    !strstr(name, ".dpkg-"))
			return true;
	return false;
}

static DIR *open_dir(const struct vb_root *root, const char *rel)
{
	int fd = vb_root_open(root, rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/* Adds dir/name when it is a regular file. */
static int add(const struct vb_root *root, struct vb_msgs *paths, const char *dir,
	       const char *name)
{
	char rel[PATH_MAX];
	struct stat st;
	int fd;

	if (snprintf(rel, sizeof(rel), "/%s/%s", dir, name) >= (int)sizeof(rel))
		return 0;
	fd = vb_root_open_regular(root, rel, &st);
	if (fd < 0)
		return 0;
	close(fd);
	return vb_msgs_add_unique(paths, rel);
}

/* Visits each subdirectory of rel (depth 1), calling fn with its path. */
static int each_subdir(const struct vb_root *root, const char *rel, struct vb_msgs *paths,
		       int (*fn)(const struct vb_root *, const char *, struct vb_msgs *))
{
	DIR *d = open_dir(root, rel);
	struct dirent *de;
	int err = 0;

	if (!d)
		return 0;
	while (err == 0 && (de = readdir(d)) != NULL) {
		char sub[PATH_MAX];

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) < (int)sizeof(sub))
			err = fn(root, sub, paths);
	}
	closedir(d);
	return err;
}

/* kernel-install's bls layout: ENTRY-TOKEN/KVER/initrd*, as its plugins name them. */
static int bls_kernel_dir(const struct vb_root *root, const char *rel, struct vb_msgs *paths)
{
	DIR *d = open_dir(root, rel);
	struct dirent *de;
	int err = 0;

	while (d && err == 0 && (de = readdir(d)) != NULL)
		if (fnmatch("initr*", de->d_name, 0) == 0)
			err = add(root, paths, rel, de->d_name);
	if (d)
		closedir(d);
	return err;
}

static int bls_entry_dir(const struct vb_root *root, const char *rel, struct vb_msgs *paths)
{
	return each_subdir(root, rel, paths, bls_kernel_dir);
}

static int scan_dir(const struct vb_root *root, const char *dir, struct vb_msgs *paths)
{
	char ukis[PATH_MAX];
	DIR *d = open_dir(root, dir);
	struct dirent *de;
	int err = 0;

	if (!d)
		return 0;
	while (err == 0 && (de = readdir(d)) != NULL)
		if (is_image_name(de->d_name))
			err = add(root, paths, dir, de->d_name);
	closedir(d);
	if (err == 0)
		err = each_subdir(root, dir, paths, bls_entry_dir);
	snprintf(ukis, sizeof(ukis), "%s/EFI/Linux", dir);
	d = err == 0 ? open_dir(root, ukis) : NULL;
	while (d && err == 0 && (de = readdir(d)) != NULL)
		if (fnmatch("*.efi", de->d_name, 0) == 0)
			err = add(root, paths, ukis, de->d_name);
	if (d)
		closedir(d);
	return err;
}

int vb_boot_images_scan(const struct vb_root *root, struct vb_boot_images *images)
{
	int err = 0;

	memset(images, 0, sizeof(*images));
	for (size_t i = 0; err == 0 && i < sizeof(boot_dirs) / sizeof(boot_dirs[0]); i++)
		err = scan_dir(root, boot_dirs[i], &images->paths);
	vb_msgs_sort(&images->paths);
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
	vb_msgs_free(&images->paths);
	free(images->st);
	images->st = NULL;
}

int vb_boot_images_changed(const struct vb_boot_images *before,
			   const struct vb_boot_images *after, struct vb_msgs *changed)
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
		err = vb_msgs_add(changed, "%s", after->paths.items[i]);
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
			     const char *kver, struct vb_msgs *paths)
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
			err = vb_msgs_add(paths, "%s", p);
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
