// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hex.h"
#include "root.h"
#include "sysfs.h"
#include "sysfs_entries.h"

#define DEVICES "sys/bus/pci/devices"
#define SYSFS_MAGIC 0x62656572 /* linux/magic.h */
#ifndef SYS_close_range
#define SYS_close_range 436 /* the same on every architecture */
#endif
#define CLOSE_MAX 256   /* descriptors that may wait to be closed */
#define FUNCTION_FDS 8  /* the most one function opens: its directory, 7 attributes */

/*
 * One pass over the functions of sys/bus/pci/devices (see bench/README.md,
 * "System calls"). A function's directory is opened once, resolved inside
 * the tree, and its attributes by their bare names below it: one lookup of
 * one component each, which cannot leave that directory. Then:
 * - On the kernel's own sysfs (fstatfs says so, once, on the devices
 *   directory, and the tree's top is not on it) every attribute is a regular
 *   file: the kernel makes nothing else there. Directories and attributes are
 *   opened with RESOLVE_NO_XDEV, so neither a link out of that sysfs nor
 *   anything mounted over a part of it is ever followed.
 * - Anywhere else (a fixture tree, a copy, a hostile tree) fstatat looks at
 *   the entry first and only a regular file is opened: a FIFO or a device is
 *   never opened, since opening one can act.
 * Descriptors wait to be closed until a few functions are done, then each
 * run of consecutive ones goes in one close_range: closed one by one, the
 * closes would be a third of the system calls of reading an attribute.
 * When the details are read too in a tree that is not the kernel's sysfs,
 * the directory is listed first (sysfs_entries.c) and only what it holds is
 * looked up; a regular file the listing shows is opened without the fstatat
 * (the listing looked at it). There a miss is dear: tmpfs keeps no negative
 * dentries (3 misses 10.7 us, the listing 3.7 us). The kernel's sysfs keeps
 * them, and its directories are long: each name is looked up there (3
 * misses 5.6 us, a listing 7.5 us).
 */
struct pass {
	const struct vb_root *root;
	int fd;                 /* sys/bus/pci/devices, O_RDONLY */
	bool kernel;            /* the kernel's sysfs, mounted inside the tree */
	int waiting[CLOSE_MAX]; /* descriptors to close */
	int count;              /* how many wait */
	int wait_max;           /* how many may: a quarter of RLIMIT_NOFILE at most */
};

static int pass_open(const struct vb_root *root, struct pass *p)
{
	struct statfs fs;
	struct stat dir, top;
	struct rlimit nofile;

	p->root = root;
	p->count = 0;
	p->wait_max = CLOSE_MAX;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur / 4 < CLOSE_MAX)
		p->wait_max = (int)nofile.rlim_cur / 4;
	p->fd = vb_root_open(root, DEVICES, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	if (p->fd < 0)
		return p->fd;
	/*
	 * With the tree's top on another file system, the sysfs was mounted
	 * inside the tree: below its top, RESOLVE_NO_XDEV stays in the tree.
	 */
	p->kernel = fstatfs(p->fd, &fs) == 0 && fs.f_type == SYSFS_MAGIC &&
		    fstat(p->fd, &dir) == 0 && fstat(root->fd, &top) == 0 &&
		    dir.st_dev != top.st_dev;
	return 0;
}

/* Closes the waiting descriptors: a run of consecutive ones in one close_range. */
static void close_waiting(struct pass *p)
{
	int *w = p->waiting;

	for (int i = 1; i < p->count; i++) /* nearly sorted already: fds come in order */
		for (int j = i; j > 0 && w[j - 1] > w[j]; j--) {
			int t = w[j];
			w[j] = w[j - 1];
			w[j - 1] = t;
		}
	for (int i = 0, j; i < p->count; i = j) {
		for (j = i + 1; j < p->count && w[j] == w[j - 1] + 1; j++)
			;
		/* One by one for a single one, or without close_range (Linux < 5.9). */
		if (j - i == 1 || syscall(SYS_close_range, w[i], w[j - 1], 0) < 0)
			for (int k = i; k < j; k++)
				close(w[k]);
	}
	p->count = 0;
}

/* Between two functions: closes the waiting descriptors when another function's might not fit. */
static void close_if_full(struct pass *p)
{
	if (p->count + FUNCTION_FDS > p->wait_max)
		close_waiting(p);
}

static void close_later(struct pass *p, int fd)
{
	p->waiting[p->count++] = fd;
}

static void pass_close(struct pass *p)
{
	close_waiting(p);
	if (p->fd >= 0)
		close(p->fd);
}

/*
 * The directory of function name (O_PATH), or -errno. With details, outside
 * the kernel's sysfs, it is open for listing and e holds what it lists;
 * else e->listed is false.
 */
static int open_function(struct pass *p, const char *name, bool details, struct vb_fn_entries *e)
{
	char rel[sizeof(DEVICES) + VB_PCI_NAME_MAX];
	int fd = p->kernel ? vb_root_open_in_mount(p->fd, name, O_PATH | O_DIRECTORY) : -EXDEV;

	e->listed = false;
	if (fd != -EXDEV && fd != -ENOSYS)
		return fd;
	p->kernel = false; /* not all in that sysfs: the careful way from now on */
	snprintf(rel, sizeof(rel), DEVICES "/%s", name);
	if (details) {
		fd = vb_root_open(p->root, rel, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
		if (fd >= 0) {
			vb_fn_entries_read(fd, e);
			return fd;
		}
		if (fd != -EACCES)
			return fd;
		/* Searchable, not readable: looked up name by name, as on sysfs. */
	}
	return vb_root_open(p->root, rel, O_PATH | O_DIRECTORY, 0);
}

/* Attribute a of function name (dir: its directory, e: its listing), open for reading, or -errno. */
static int open_attr(const struct pass *p, int dir, const char *name,
		     const struct vb_fn_entries *e, enum vb_fn_entry a)
{
	char rel[sizeof(DEVICES) + VB_PCI_NAME_MAX + 32];
	const char *attr = vb_fn_entry_names[a];
	struct stat st;
	int fd;

	if (vb_fn_entry_absent(e, a))
		return -ENOENT;
	if (p->kernel)
		return vb_root_open_in_mount(dir, attr, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
	if (e->listed && e->type[a] == DT_REG)
		st.st_mode = S_IFREG;
	else if (fstatat(dir, attr, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		fd = openat(dir, attr, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (!S_ISLNK(st.st_mode))
		return -VB_EFILETYPE;
	/* A link (sysfs has none there): followed inside the tree, checked again. */
	snprintf(rel, sizeof(rel), DEVICES "/%s/%s", name, attr);
	return vb_root_open_regular(p->root, rel, NULL);
}

/* Reads attribute a of a function into buf (see vb_root_read_small), keeping the newline. */
static ssize_t read_attr(struct pass *p, int dir, const char *name, const struct vb_fn_entries *e,
			 enum vb_fn_entry a, char *buf, size_t size)
{
	int fd = open_attr(p, dir, name, e, a);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = vb_read_small_fd(fd, buf, size);
	close_later(p, fd);
	return n;
}

/* Reads a "0x..." attribute; returns 0 or -1. */
static int read_hex_attr(struct pass *p, int dir, const char *name, const struct vb_fn_entries *e,
			 enum vb_fn_entry a, uint32_t *value)
{
	char buf[32];
	ssize_t n = read_attr(p, dir, name, e, a, buf, sizeof(buf));

	if (n < 3 || buf[0] != '0' || buf[1] != 'x')
		return -1;
	return vb_hex_parse(buf + 2, (size_t)n - 2, 1, 8, value) < 0 ? -1 : 0;
}

/*
 * The last component of link name below dirfd (driver, iommu_group), or
 * -errno. The link itself is read, never followed: only its name is wanted.
 */
static int read_link_base(int dirfd, const char *name, char *out, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);

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

/* Link a of a function (see read_link_base), when its listing does not say it is absent. */
static int read_entry_link(int dir, const struct vb_fn_entries *e, enum vb_fn_entry a,
			   char *out, size_t size)
{
	if (vb_fn_entry_absent(e, a))
		return -ENOENT;
	return read_link_base(dir, vb_fn_entry_names[a], out, size);
}

/*
 * Vendor, device, subsystem and class: from modalias in one read, else one
 * by one. The modalias text is kept when keep says so. Returns 0 or -ENOMEM.
 */
static int read_identity(struct pass *p, int dir, const struct vb_fn_entries *e,
			 struct vb_pci_fn *fn, bool keep)
{
	static const enum vb_fn_entry attrs[] = { VB_FN_VENDOR, VB_FN_DEVICE,
						  VB_FN_SUBSYSTEM_VENDOR,
						  VB_FN_SUBSYSTEM_DEVICE, VB_FN_CLASS };
	uint32_t v[5] = { 0 };
	char buf[256];
	ssize_t n = read_attr(p, dir, fn->name, e, VB_FN_MODALIAS, buf, sizeof(buf));

	if (keep && n > 0) {
		buf[n - (buf[n - 1] == '\n')] = '\0';
		fn->modalias = strdup(buf);
		if (!fn->modalias)
			return -ENOMEM;
	}
	if (n > 0 && vb_pci_modalias_parse(buf, (size_t)n, fn) == 0)
		return 0;
	for (size_t a = 0; a < 5; a++)
		if (read_hex_attr(p, dir, fn->name, e, attrs[a], &v[a]) < 0 ||
		    v[a] > (a < 4 ? 0xffffu : 0xffffffu)) {
			v[a] = 0; /* unreadable, or wider than the field: unknown */
			fn->no_class = fn->no_class || a == 4;
		}
	fn->vendor = (uint16_t)v[0];
	fn->device = (uint16_t)v[1];
	fn->subvendor = (uint16_t)v[2];
	fn->subdevice = (uint16_t)v[3];
	fn->class = v[4];
	return 0;
}

/*
 * Driver, IOMMU group, boot_vga, and whether the header is a bridge's: the
 * kernel shows secondary_bus_number only for bridges. The config space is
 * not read, since that can wake a device from a low-power state.
 */
static void read_details(struct pass *p, int dir, const struct vb_fn_entries *e,
			 struct vb_pci_fn *fn)
{
	struct stat st;
	char buf[32];

	if (e->listed)
		fn->header_type = e->type[VB_FN_SECONDARY_BUS_NUMBER] != VB_FN_ABSENT;
	else
		fn->header_type = fstatat(dir, "secondary_bus_number", &st, AT_SYMLINK_NOFOLLOW) == 0;
	/* Anything but "0" or "1" is unreadable: vb_pci_may_be_boot_vga fails safe. */
	if (read_attr(p, dir, fn->name, e, VB_FN_BOOT_VGA, buf, sizeof(buf)) > 0 &&
	    (buf[0] == '0' || buf[0] == '1') && (buf[1] == '\n' || buf[1] == '\0'))
		fn->boot_vga = buf[0] == '1';
	if (read_entry_link(dir, e, VB_FN_IOMMU_GROUP, buf, sizeof(buf)) == 0) {
		const char *c = buf;
		long group = 0;

		/* Decimal, at most 9 digits (the kernel numbers groups with an int). */
		for (; *c >= '0' && *c <= '9' && c - buf < 9; c++)
			group = group * 10 + (*c - '0');
		if (c != buf && *c == '\0')
			fn->iommu_group = group;
	}
	if (read_entry_link(dir, e, VB_FN_DRIVER, fn->driver, sizeof(fn->driver)) < 0)
		fn->driver[0] = '\0';
	/* A virtual function links to its physical function. */
	fn->is_vf = read_entry_link(dir, e, VB_FN_PHYSFN, buf, sizeof(buf)) == 0 &&
		    vb_pci_name_parse(buf, &fn->physfn) == 0;
}

/*
 * Whether the function sits on a root bus, from its sysfs path: the kernel
 * puts it under devices/pciDDDD:BB (the host bridge of root bus BB), then
 * under every bridge on the way. A function whose bus is BB is on it.
 */
static void read_root_bus(const struct pass *p, struct vb_pci_fn *fn)
{
	char target[PATH_MAX];
	/* The link itself is read, never followed. */
	ssize_t n = readlinkat(p->fd, fn->name, target, sizeof(target) - 1);
	const char *s;
	uint32_t domain, bus;

	if (n < 0)
		return;
	target[n] = '\0';
	for (s = target; (s = strchr(s, '/')) != NULL; s++) {
		const char *colon = strchr(s + 1, ':');

		if (strncmp(s, "/pci", 4) == 0 && colon && vb_hex_parse(s + 4, (size_t)(colon - s - 4), 4, 8, &domain) ==
				     colon - s - 4 &&
		    domain == fn->addr.domain && vb_hex_parse(colon + 1, 2, 2, 2, &bus) == 2 &&
		    (colon[3] == '/' || colon[3] == '\0')) {
			fn->root_bus = fn->addr.bus == bus;
			return;
		}
	}
}

/* Counts an entry that is not a function's name, and keeps the first for the message. */
static void ignore_entry(struct vb_sysfs_listing *listing, const char *name)
{
	if (listing && listing->ignored++ == 0)
		snprintf(listing->ignored_first, sizeof(listing->ignored_first), "%.*s",
			 (int)sizeof(listing->ignored_first) - 1, name);
}

int vb_sysfs_read(const struct vb_root *root, struct vb_snapshot *snap,
		  struct vb_sysfs_listing *listing)
{
	bool keep = listing && listing->keep_modalias;
	bool details = listing && listing->details;
	struct dirent *de;
	struct pass p;
	size_t capacity = 0;
	DIR *dir;
	int err;

	snap->fns = NULL;
	snap->count = 0;
	if (listing)
		listing->ignored = 0;
	err = pass_open(root, &p);
	if (err < 0)
		return err;
	dir = fdopendir(p.fd);
	if (!dir) {
		err = -errno;
		pass_close(&p);
		return err;
	}
	/* An error ends the listing as the end does: errno tells them apart. */
	while ((errno = 0, de = readdir(dir)) != NULL || errno) {
		struct vb_fn_entries entries;
		struct vb_pci_addr addr;
		struct vb_pci_fn *fn;
		int fd;

		if (!de) {
			err = -errno;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) >= VB_PCI_NAME_MAX ||
		    vb_pci_name_parse(de->d_name, &addr) < 0) {
			ignore_entry(listing, de->d_name);
			continue;
		}
		if (snap->count == capacity) {
			/* Few steps: each is a new mapping and a copy. */
			size_t grown_cap = capacity ? capacity * 4 : 256;
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
		close_if_full(&p);
		fd = open_function(&p, fn->name, details, &entries);
		fn->no_class = fd < 0; /* nothing readable: IDs 0, class unknown */
		if (details && listing->root_bus)
			read_root_bus(&p, fn);
		if (details)
			fn->header_type = 0;
		if (fd >= 0) {
			err = read_identity(&p, fd, &entries, fn, keep);
			if (details)
				read_details(&p, fd, &entries, fn);
			close_later(&p, fd);
			if (err < 0)
				break;
		}
	}
	close_waiting(&p);
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
	struct pass p;
	int err = pass_open(root, &p);

	if (err < 0)
		return err;
	for (size_t i = 0; i < snap->count; i++) {
		struct vb_pci_fn *fn = &snap->fns[i];
		struct vb_fn_entries entries;
		int fd;

		if (want && !want[i])
			continue;
		read_root_bus(&p, fn);
		close_if_full(&p);
		fd = open_function(&p, fn->name, true, &entries);
		fn->header_type = 0;
		if (fd >= 0) {
			read_details(&p, fd, &entries, fn);
			close_later(&p, fd);
		}
	}
	pass_close(&p);
	return 0;
}

int vb_sysfs_mark_vfs(const struct vb_root *root, const struct vb_snapshot *snap,
		      const char *pf, bool *want)
{
	char rel[sizeof(DEVICES) + VB_PCI_NAME_MAX], link[16], vf[32];
	int dir, err = 0;

	snprintf(rel, sizeof(rel), DEVICES "/%s", pf);
	dir = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);
	if (dir < 0)
		return dir;
	for (unsigned i = 0; i < VB_VFS_LINKS_MAX; i++) {
		struct vb_pci_addr addr;
		const struct vb_pci_fn *fn;

		snprintf(link, sizeof(link), "virtfn%u", i);
		err = read_link_base(dir, link, vf, sizeof(vf));
		if (err < 0)
			break;
		fn = vb_pci_name_parse(vf, &addr) == 0 ? vb_snapshot_find(snap, &addr) : NULL;
		if (fn)
			want[fn - snap->fns] = true;
	}
	close(dir);
	return err == -ENOENT ? 0 : err;
}

int vb_sysfs_driver(const struct vb_root *root, const char *name, char *driver, size_t size)
{
	char rel[sizeof(DEVICES) + VB_PCI_NAME_MAX];
	int dir, err;

	snprintf(rel, sizeof(rel), DEVICES "/%s", name);
	dir = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);
	err = dir < 0 ? dir : read_link_base(dir, "driver", driver, size);
	if (dir >= 0)
		close(dir);
	if (err == -ENOENT) {
		driver[0] = '\0';
		err = 0;
	}
	return err;
}
