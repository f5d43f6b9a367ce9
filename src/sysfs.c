// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "path.h"
#include "sysfs.h"

/* Reads a "0x..." attribute; returns 0 or -1. */
static int read_hex_attr(int dirfd, const char *name, uint32_t *value)
{
	char buf[32];
	ssize_t n = vb_read_small_at(dirfd, name, buf, sizeof(buf));

	if (n < 3 || buf[0] != '0' || buf[1] != 'x')
		return -1;
	return vb_hex_parse(buf + 2, (size_t)n - 2, 1, 8, value) < 0 ? -1 : 0;
}

/* The last component of a symlink's target, or -errno. */
static int read_link_base(int dirfd, const char *name, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	const char *base;

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

static int8_t read_header_type(int dirfd)
{
	unsigned char header;
	int fd = openat(dirfd, "config", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &header, 1, 0x0e);
	close(fd);
	if (n != 1)
		return -1;
	return (int8_t)(header & 0x7f);
}

static void read_fn(int dirfd, struct vb_pci_fn *fn)
{
	uint32_t v;
	char buf[32];

	if (read_hex_attr(dirfd, "vendor", &v) == 0)
		fn->vendor = (uint16_t)v;
	if (read_hex_attr(dirfd, "device", &v) == 0)
		fn->device = (uint16_t)v;
	if (read_hex_attr(dirfd, "subsystem_vendor", &v) == 0)
		fn->subvendor = (uint16_t)v;
	if (read_hex_attr(dirfd, "subsystem_device", &v) == 0)
		fn->subdevice = (uint16_t)v;
	if (read_hex_attr(dirfd, "class", &v) == 0)
		fn->class = v;
	fn->header_type = read_header_type(dirfd);
	fn->boot_vga = -1;
	if (vb_read_small_at(dirfd, "boot_vga", buf, sizeof(buf)) > 0)
		fn->boot_vga = buf[0] == '1';
	fn->iommu_group = -1;
	if (read_link_base(dirfd, "iommu_group", buf, sizeof(buf)) == 0) {
		char *end;
		long group = strtol(buf, &end, 10);
		if (end != buf && *end == '\0' && group >= 0)
			fn->iommu_group = group;
	}
	if (read_link_base(dirfd, "driver", fn->driver, sizeof(fn->driver)) < 0)
		fn->driver[0] = '\0';
}

int vb_sysfs_read(const char *root, struct vb_snapshot *snap)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t capacity = 0;
	DIR *dir;
	int err = vb_path(path, sizeof(path), root, "sys/bus/pci/devices");

	snap->fns = NULL;
	snap->count = 0;
	if (err < 0)
		return err;
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) != NULL) {
		struct vb_pci_addr addr;
		struct vb_pci_fn *fn;
		const char *why;
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= VB_PCI_NAME_MAX)
			continue;
		if (vb_pci_addr_parse(de->d_name, strlen(de->d_name), &addr, &why) < 0)
			continue;
		if (snap->count == capacity) {
			size_t grown_cap = capacity ? capacity * 2 : 64;
			struct vb_pci_fn *grown = realloc(snap->fns, grown_cap * sizeof(*grown));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			snap->fns = grown;
			capacity = grown_cap;
		}
		fn = &snap->fns[snap->count];
		memset(fn, 0, sizeof(*fn));
		fn->addr = addr;
		strcpy(fn->name, de->d_name);
		fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		read_fn(fd, fn);
		close(fd);
		snap->count++;
	}
	closedir(dir);
	if (err < 0) {
		vb_snapshot_free(snap);
		return err;
	}
	vb_snapshot_sort(snap);
	return 0;
}

int vb_sysfs_driver(const char *root, const char *name, char *driver, size_t size)
{
	char path[PATH_MAX];
	int err = vb_path(path, sizeof(path), root, "sys/bus/pci/devices/%s", name);
	int fd;

	if (err < 0)
		return err;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_link_base(fd, "driver", driver, size);
	close(fd);
	if (err == -ENOENT) {
		driver[0] = '\0';
		err = 0;
	}
	return err;
}

ssize_t vb_sysfs_attr(const char *root, const char *name, const char *attr, char *buf,
		      size_t size)
{
	char path[PATH_MAX];
	int err = vb_path(path, sizeof(path), root, "sys/bus/pci/devices/%s/%s", name, attr);
	ssize_t n;

	if (err < 0)
		return err;
	n = vb_read_small(path, buf, size);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}
