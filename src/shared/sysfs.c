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
#include "root.h"
#include "sysfs.h"

#define DEVICES "sys/bus/pci/devices"

/* Reads one attribute of a function into buf (see vb_sysfs_attr), keeping the newline. */
static ssize_t read_attr(const struct vb_root *root, const char *name, const char *attr,
			 char *buf, size_t size)
{
	char rel[VB_PCI_NAME_MAX + 64];

	if ((size_t)snprintf(rel, sizeof(rel), DEVICES "/%s/%s", name, attr) >= sizeof(rel))
		return -ENAMETOOLONG;
	return vb_root_read_small(root, rel, buf, size);
}

static bool attr_exists(const struct vb_root *root, const char *name, const char *attr)
{
	char rel[VB_PCI_NAME_MAX + 64];

	snprintf(rel, sizeof(rel), DEVICES "/%s/%s", name, attr);
	return vb_root_exists(root, rel);
}

/* Reads a "0x..." attribute; returns 0 or -1. */
static int read_hex_attr(const struct vb_root *root, const char *name, const char *attr,
			 uint32_t *value)
{
	char buf[32];
	ssize_t n = read_attr(root, name, attr, buf, sizeof(buf));

	if (n < 3 || buf[0] != '0' || buf[1] != 'x')
		return -1;
	return vb_hex_parse(buf + 2, (size_t)n - 2, 1, 8, value) < 0 ? -1 : 0;
}

/* The last component of a function's link (driver, iommu_group), or -errno. */
static int read_link_base(const struct vb_root *root, const char *name, const char *link,
			  char *out, size_t size)
{
	char rel[VB_PCI_NAME_MAX + 64], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int dirfd;

	if ((size_t)snprintf(rel, sizeof(rel), DEVICES "/%s", name) >= sizeof(rel))
		return -ENAMETOOLONG;
	dirfd = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);
	if (dirfd < 0)
		return dirfd;
	/* The link itself is read, never followed: only its name is wanted. */
	n = readlinkat(dirfd, link, target, sizeof(target) - 1);
	if (n < 0)
		n = -errno;
	close(dirfd);
	if (n < 0)
		return (int)n;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

/* Vendor, device, subsystem and class: from modalias in one read, else one by one. */
static void read_identity(const struct vb_root *root, struct vb_pci_fn *fn)
{
	static const char *const attrs[] = { "vendor", "device", "subsystem_vendor",
					     "subsystem_device", "class" };
	uint32_t v[5] = { 0 };
	char buf[128];
	ssize_t n = read_attr(root, fn->name, "modalias", buf, sizeof(buf));

	if (n > 0 && vb_pci_modalias_parse(buf, (size_t)n, fn) == 0)
		return;
	for (size_t a = 0; a < 5; a++)
		if (read_hex_attr(root, fn->name, attrs[a], &v[a]) < 0 ||
		    v[a] > (a < 4 ? 0xffffu : 0xffffffu)) {
			v[a] = 0; /* unreadable, or wider than the field: unknown */
			fn->no_class = fn->no_class || a == 4;
		}
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
static void read_details(const struct vb_root *root, struct vb_pci_fn *fn)
{
	char buf[32];

	fn->header_type = attr_exists(root, fn->name, "secondary_bus_number");
	/* Anything but "0" or "1" is unreadable: vb_pci_may_be_boot_vga fails safe. */
	if (read_attr(root, fn->name, "boot_vga", buf, sizeof(buf)) > 0 &&
	    (buf[0] == '0' || buf[0] == '1') && (buf[1] == '\n' || buf[1] == '\0'))
		fn->boot_vga = buf[0] == '1';
	if (read_link_base(root, fn->name, "iommu_group", buf, sizeof(buf)) == 0) {
		char *end;
		long group = strtol(buf, &end, 10);
		if (end != buf && *end == '\0' && group >= 0)
			fn->iommu_group = group;
	}
	if (read_link_base(root, fn->name, "driver", fn->driver, sizeof(fn->driver)) < 0)
		fn->driver[0] = '\0';
}

/*
 * Whether the function sits on a root bus, from its sysfs path: the kernel
 * puts it under devices/pciDDDD:BB (the host bridge of root bus BB), then
 * under every bridge on the way. A function whose bus is BB is on it.
 */
static void read_root_bus(const struct vb_root *root, struct vb_pci_fn *fn)
{
	char target[PATH_MAX];
	int dirfd = vb_root_open(root, DEVICES, O_PATH | O_DIRECTORY, 0);
	ssize_t n;
	const char *p;
	uint32_t domain, bus;

	if (dirfd < 0)
		return;
	/* The link itself is read, never followed. */
	n = readlinkat(dirfd, fn->name, target, sizeof(target) - 1);
	close(dirfd);
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

int vb_sysfs_read(const struct vb_root *root, struct vb_snapshot *snap)
{
	struct dirent *de;
	size_t capacity = 0;
	DIR *dir;
	int fd, err = 0;

	snap->fns = NULL;
	snap->count = 0;
	fd = vb_root_open(root, DEVICES, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	/* An error ends the listing as the end does: errno tells them apart. */
	while ((errno = 0, de = readdir(dir)) != NULL || errno) {
		struct vb_pci_addr addr;
		struct vb_pci_fn *fn;
		const char *why;

		if (!de) {
			err = -errno;
			break;
		}
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
		read_identity(root, fn);
	}
	closedir(dir);
	if (err < 0) {
		vb_snapshot_free(snap);
		return err;
	}
	vb_snapshot_sort(snap);
	return 0;
}

int vb_sysfs_read_details(const struct vb_root *root, struct vb_snapshot *snap, const bool *want)
{
	for (size_t i = 0; i < snap->count; i++) {
		if (want && !want[i])
			continue;
		read_root_bus(root, &snap->fns[i]);
		read_details(root, &snap->fns[i]);
	}
	return 0;
}

int vb_sysfs_driver(const struct vb_root *root, const char *name, char *driver, size_t size)
{
	int err = read_link_base(root, name, "driver", driver, size);

	if (err == -ENOENT) {
		driver[0] = '\0';
		err = 0;
	}
	return err;
}

ssize_t vb_sysfs_attr(const struct vb_root *root, const char *name, const char *attr, char *buf,
		      size_t size)
{
	ssize_t n = read_attr(root, name, attr, buf, size);

	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}
