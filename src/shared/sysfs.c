// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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

/* Takes "pci:vVVVVVVVVdDDDDDDDDsvSSSSSSSSsdSSSSSSSSbcCCscSSiII". Returns 0 or -1. */
static int parse_modalias(const char *text, size_t len, struct vb_pci_fn *fn)
{
	static const char *const tags[] = { "pci:v", "d", "sv", "sd", "bc", "sc", "i" };
	static const size_t digits[] = { 8, 8, 8, 8, 2, 2, 2 };
	uint32_t v[7];
	size_t pos = 0;

	for (size_t f = 0; f < 7; f++) {
		size_t taglen = strlen(tags[f]);
		if (pos + taglen > len || memcmp(text + pos, tags[f], taglen) != 0)
			return -1;
		pos += taglen;
		/* Fixed width: the tag that follows ("d", "bc") may look like hex. */
		if (pos + digits[f] > len ||
		    vb_hex_parse(text + pos, digits[f], digits[f], digits[f], &v[f]) < 0)
			return -1;
		pos += digits[f];
	}
	fn->vendor = (uint16_t)v[0];
	fn->device = (uint16_t)v[1];
	fn->subvendor = (uint16_t)v[2];
	fn->subdevice = (uint16_t)v[3];
	fn->class = v[4] << 16 | v[5] << 8 | v[6];
	return 0;
}

/* Vendor, device, subsystem and class: from modalias in one read, else one by one. */
static void read_identity(int devices_fd, struct vb_pci_fn *fn)
{
	char path[VB_PCI_NAME_MAX + 32], buf[128];
	static const char *const attrs[] = { "vendor", "device", "subsystem_vendor",
					     "subsystem_device", "class" };
	uint32_t v[5] = { 0 };
	ssize_t n;
	int dirfd;

	snprintf(path, sizeof(path), "%s/modalias", fn->name);
	n = vb_read_small_at(devices_fd, path, buf, sizeof(buf));
	if (n > 0 && parse_modalias(buf, (size_t)n, fn) == 0)
		return;
	dirfd = openat(devices_fd, fn->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fn->no_class = true;
		return;
	}
	for (size_t a = 0; a < 5; a++)
		if (read_hex_attr(dirfd, attrs[a], &v[a]) < 0 && a == 4)
			fn->no_class = true;
	close(dirfd);
	fn->vendor = (uint16_t)v[0];
	fn->device = (uint16_t)v[1];
	fn->subvendor = (uint16_t)v[2];
	fn->subdevice = (uint16_t)v[3];
	fn->class = v[4];
}

/*
 * Driver, IOMMU group, boot_vga, and whether the header is a bridge's: the
 * kernel shows secondary_bus_number only for bridges. The config space is
 * not read, since that can wake a device from a low-power state.
 */
static void read_details(int dirfd, struct vb_pci_fn *fn)
{
	char buf[32];

	fn->header_type = faccessat(dirfd, "secondary_bus_number", F_OK, 0) == 0 ? 1 : 0;
	/* Anything but "0" or "1" is unreadable: vb_pci_may_be_boot_vga fails safe. */
	if (vb_read_small_at(dirfd, "boot_vga", buf, sizeof(buf)) > 0 &&
	    (buf[0] == '0' || buf[0] == '1') && (buf[1] == '\n' || buf[1] == '\0'))
		fn->boot_vga = buf[0] == '1';
	if (read_link_base(dirfd, "iommu_group", buf, sizeof(buf)) == 0) {
		char *end;
		long group = strtol(buf, &end, 10);
		if (end != buf && *end == '\0' && group >= 0)
			fn->iommu_group = group;
	}
	if (read_link_base(dirfd, "driver", fn->driver, sizeof(fn->driver)) < 0)
		fn->driver[0] = '\0';
}

/*
 * Whether the function sits on a root bus, from its sysfs path: the kernel
 * puts it under devices/pciDDDD:BB (the host bridge of root bus BB), then
 * under every bridge on the way. A function whose bus is BB is on it.
 */
static void read_root_bus(int devices_fd, struct vb_pci_fn *fn)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(devices_fd, fn->name, target, sizeof(target) - 1);
	const char *p;
	uint32_t domain, bus;

	if (n < 0)
		return;
	target[n] = '\0';
	for (p = target; (p = strstr(p, "/pci")) != NULL; p++) {
		const char *colon = strchr(p + 4, ':');

		if (colon && vb_hex_parse(p + 4, (size_t)(colon - p - 4), 4, 8, &domain) ==
				     colon - p - 4 &&
		    domain == fn->addr.domain && vb_hex_parse(colon + 1, 2, 2, 2, &bus) == 2 &&
		    (colon[3] == '/' || colon[3] == '\0')) {
			fn->root_bus = fn->addr.bus == bus;
			return;
		}
	}
}

static int open_devices(const char *root)
{
	char path[PATH_MAX];
	int err = vb_path(path, sizeof(path), root, "sys/bus/pci/devices");

	if (err < 0)
		return err;
	err = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return err < 0 ? -errno : err;
}

int vb_sysfs_read(const char *root, struct vb_snapshot *snap)
{
	struct dirent *de;
	size_t capacity = 0;
	DIR *dir;
	int fd, err = 0;

	snap->fns = NULL;
	snap->count = 0;
	fd = open_devices(root);
	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir)) != NULL) {
		struct vb_pci_addr addr;
		struct vb_pci_fn *fn;
		const char *why;

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
		fn = &snap->fns[snap->count++];
		memset(fn, 0, sizeof(*fn));
		fn->addr = addr;
		fn->header_type = -1;
		fn->boot_vga = -1;
		fn->root_bus = -1;
		fn->iommu_group = -1;
		strcpy(fn->name, de->d_name);
		read_identity(dirfd(dir), fn);
	}
	closedir(dir);
	if (err < 0) {
		vb_snapshot_free(snap);
		return err;
	}
	vb_snapshot_sort(snap);
	return 0;
}

int vb_sysfs_read_details(const char *root, struct vb_snapshot *snap, const bool *want)
{
	int devices_fd = open_devices(root);

	if (devices_fd < 0)
		return devices_fd;
	for (size_t i = 0; i < snap->count; i++) {
		int fd;

		if (want && !want[i])
			continue;
		read_root_bus(devices_fd, &snap->fns[i]);
		fd = openat(devices_fd, snap->fns[i].name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		read_details(fd, &snap->fns[i]);
		close(fd);
	}
	close(devices_fd);
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
