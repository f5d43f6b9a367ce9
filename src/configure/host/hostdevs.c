// SPDX-License-Identifier: GPL-2.0-or-later
/* The host's own disk and network: which PCI functions the running system needs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "hostdevs.h"

#define PROC_FILE_MAX (4 * 1024 * 1024)
#define STACK_DEPTH_MAX 8  /* dm on md on partitions, bond in a bridge... */
#define HOST_DEVICES_MAX 64
#define TRACE_VISITS_MAX 512 /* devices looked at in all: a hostile tree stops here */

static const char *const host_mounts[] = { "/", "/boot", "/boot/efi" };

/* Copies the next space-separated field at *p into out (cut to fit); false at the end. */
static bool next_field(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n')
		return false;
	for (; *s && *s != ' ' && *s != '\t' && *s != '\n'; s++)
		if (n + 1 < size)
			out[n++] = *s;
	out[n] = '\0';
	*p = s;
	return true;
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

bool vb_mountinfo_find(const char *text, const char *mountpoint, unsigned *major,
		       unsigned *minor, char *source, size_t size)
{
	char field[PATH_MAX], devno[32], fstype[64], src[PATH_MAX];
	bool found = false;

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		const char *p = line;
		unsigned ma, mi;
		char extra;
		int i;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE ... */
		for (i = 0; i < 5 && next_field(&p, i == 2 ? devno : field,
						 i == 2 ? sizeof(devno) : sizeof(field)); i++)
			;
		if (i < 5)
			continue;
		unescape_octal(field);
		if (strcmp(field, mountpoint) != 0 ||
		    sscanf(devno, "%u:%u%c", &ma, &mi, &extra) != 2)
			continue;
		while (next_field(&p, field, sizeof(field)) && strcmp(field, "-") != 0)
			;
		if (!next_field(&p, fstype, sizeof(fstype)) || !next_field(&p, src, sizeof(src)))
			continue;
		unescape_octal(src);
		*major = ma;
		*minor = mi;
		snprintf(source, size, "%s %s", fstype, src);
		found = true;
	}
	return found;
}

static bool valid_ifname(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < 16 && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

int vb_route_default_ifaces(const char *text, bool ipv6, struct vb_strv *ifaces)
{
	static const char zeros[] = "00000000000000000000000000000000";

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		char f[11][48];
		const char *p = line;
		unsigned long flags;
		char *end;
		int n = 0;
		bool deflt;

		while (n < 11 && next_field(&p, f[n], sizeof(f[n])))
			n++;
		if (ipv6) {
			/* DEST PLEN SRC SPLEN NEXTHOP METRIC REFCNT USE FLAGS IFACE */
			if (n < 10)
				continue;
			deflt = strcmp(f[0], zeros) == 0 && strcmp(f[1], "00") == 0;
			flags = strtoul(f[8], &end, 16);
			n = 9;
		} else {
			/* IFACE DEST GATEWAY FLAGS REFCNT USE METRIC MASK ... */
			if (n < 8)
				continue;
			deflt = strcmp(f[1], "00000000") == 0 && strcmp(f[7], "00000000") == 0;
			flags = strtoul(f[3], &end, 16);
			n = 0;
		}
		/* RTF_UP, and not RTF_REJECT (the kernel's unreachable ::/0 on lo). */
		if (!deflt || *end || !(flags & 0x1) || (flags & 0x200) || strcmp(f[n], "lo") == 0 ||
		    !valid_ifname(f[n]))
			continue;
		if (vb_strv_add_unique(ifaces, f[n]) < 0)
			return -ENOMEM;
	}
	return 0;
}

bool vb_sysfs_path_pci(const char *path, struct vb_pci_addr *addr)
{
	bool found = false;

	for (const char *c = path; *c;) {
		size_t len = strcspn(c, "/");
		const char *why;

		if (len > 0 && vb_pci_addr_parse(c, len, addr, &why) == 0 && memchr(c, ':', len) &&
		    len >= 12)
			found = true;
		c += len;
		c += *c == '/';
	}
	return found;
}

/* Work state: the tree, the devices found so far, what is being traced. */
struct finder {
	const struct vb_root *root;
	struct vb_host_devices *out;
	unsigned visits;
	enum vb_host_role role; /* of the devices the trace finds */
	const char *what;       /* the mount point or interface traced */
};

/* Reads the symlink rel in the tree. Returns 0 or -errno. */
static int read_link(const struct vb_root *root, const char *rel, char *buf, size_t size)
{
	int fd = vb_root_open(root, rel, O_PATH | O_NOFOLLOW, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int add_device(struct finder *f, const struct vb_pci_addr *addr)
{
	enum vb_host_role role = f->role;
	const char *what = f->what;
	struct vb_host_devices *out = f->out;
	struct vb_host_device *grown;

	for (size_t i = 0; i < out->count; i++)
		if (out->items[i].role == role && strcmp(out->items[i].what, what) == 0 &&
		    vb_pci_addr_cmp(&out->items[i].addr, addr) == 0)
			return 0;
	if (out->count >= HOST_DEVICES_MAX)
		return 0;
	grown = realloc(out->items, (out->count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	out->items = grown;
	grown[out->count].addr = *addr;
	grown[out->count].role = role;
	snprintf(grown[out->count].what, sizeof(grown->what), "%s", what);
	out->count++;
	return 0;
}

static int trace(struct finder *f, const char *class_dir, const char *name, const char *lower,
		 int depth);

/*
 * Traces every entry of the directory dir whose name starts with prefix (cut
 * off when cut) as a device of class_dir (NULL: dir itself). Returns the
 * number of PCI functions found, or -ENOMEM.
 */
static int trace_each(struct finder *f, const char *dir_rel, const char *class_dir,
		      const char *prefix, bool cut, const char *lower, int depth)
{
	int fd = vb_root_open(f->root, dir_rel, O_RDONLY | O_DIRECTORY, 0), found = 0, n;
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(dir)) != NULL && found >= 0) {
		const char *next = de->d_name + (cut ? plen : 0);

		if (strncmp(de->d_name, prefix, plen) != 0 || next[0] == '.' || !next[0])
			continue;
		n = trace(f, class_dir ? class_dir : dir_rel, next, lower, depth + 1);
		found = n < 0 ? n : found + n;
	}
	closedir(dir);
	return found;
}

/*
 * The NVMe subsystem a namespace with native multipath belongs to, from its
 * sysfs path (.../nvme-subsystem/nvme-subsys0/nvme0n1): the namespace is not
 * under a PCI function, its subsystem's controllers are. Copies the
 * subsystem's name to out; false when the path is not one.
 */
static bool nvme_subsystem_of(const char *target, char *out, size_t size)
{
	const char *p = strstr(target, "/nvme-subsystem/");
	size_t len;

	if (!p)
		return false;
	p += strlen("/nvme-subsystem/");
	len = strcspn(p, "/");
	if (len == 0 || len >= size || p[0] == '.')
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/*
 * Adds the PCI function that the sysfs path of CLASS_DIR/NAME goes through,
 * or else, recursively, those behind the devices it stacks on: the entries
 * of NAME/slaves/ for a block device (dm, md, LVM) and the controllers of
 * its NVMe subsystem (native multipath), its lower_* links for a net device
 * (bridge, bond, VLAN), as lower says. Returns the number found, or -ENOMEM.
 */
static int trace(struct finder *f, const char *class_dir, const char *name, const char *lower,
		 int depth)
{
	char rel[PATH_MAX], target[PATH_MAX], subsys[NAME_MAX + 1];
	struct vb_pci_addr addr;
	bool linked;
	int found;

	if (depth > STACK_DEPTH_MAX || ++f->visits > TRACE_VISITS_MAX || strchr(name, '/') ||
	    strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", class_dir, name);
	linked = read_link(f->root, rel, target, sizeof(target)) == 0;
	if (linked && vb_sysfs_path_pci(target, &addr))
		return add_device(f, &addr) < 0 ? -ENOMEM : 1;
	if (strcmp(lower, "slaves") != 0)
		return trace_each(f, rel, class_dir, "lower_", true, lower, depth);
	snprintf(rel, sizeof(rel), "%s/%s/slaves", class_dir, name);
	found = trace_each(f, rel, class_dir, "", false, lower, depth);
	if (found == 0 && linked && nvme_subsystem_of(target, subsys, sizeof(subsys))) {
		/* Its controllers: links nvme0, nvme1... beside the namespaces. */
		snprintf(rel, sizeof(rel), "sys/class/nvme-subsystem/%s", subsys);
		found = trace_each(f, rel, NULL, "nvme", false, lower, depth);
	}
	return found;
}

/*
 * The directory listing every device of the btrfs filesystem on block device
 * name (sys/fs/btrfs/FSID/devices), into out; false when there is none.
 */
static bool btrfs_devices_dir(const struct vb_root *root, const char *name, char *out,
			      size_t size)
{
	int fd = vb_root_open(root, "sys/fs/btrfs", O_RDONLY | O_DIRECTORY, 0), link;
	struct dirent *de;
	bool found = false;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (de = readdir(dir)) != NULL) {
		char rel[PATH_MAX];
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(rel, sizeof(rel), "sys/fs/btrfs/%s/devices/%s", de->d_name, name);
		if (n < 0 || (size_t)n >= sizeof(rel))
			continue;
		link = vb_root_open(root, rel, O_PATH | O_NOFOLLOW, 0);
		if (link < 0)
			continue;
		close(link);
		snprintf(out, size, "sys/fs/btrfs/%s/devices", de->d_name);
		found = true;
	}
	closedir(dir);
	return found;
}

/* The block device name of the filesystem source of a mount without device numbers. */
static bool source_block_name(const struct vb_root *root, const char *source, char *name,
			      size_t size)
{
	const char *dev = strchr(source, ' ');
	char rel[PATH_MAX], text[128];
	struct dirent *de;
	bool found = false;
	DIR *dir;
	int fd;

	if (!dev || strncmp(dev + 1, "/dev/", 5) != 0)
		return false;
	dev += 6;
	if (strncmp(dev, "mapper/", 7) != 0) {
		snprintf(name, size, "%s", strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev);
		return true;
	}
	/* /dev/mapper/NAME: the dm-N whose dm/name is NAME. */
	fd = vb_root_open(root, "sys/class/block", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "dm-", 3) != 0)
			continue;
		snprintf(rel, sizeof(rel), "sys/class/block/%s/dm/name", de->d_name);
		if (vb_root_read_small(root, rel, text, sizeof(text)) <= 0)
			continue;
		text[strcspn(text, "\n")] = '\0';
		if (strcmp(text, dev + 7) == 0) {
			snprintf(name, size, "%s", de->d_name);
			found = true;
		}
	}
	closedir(dir);
	return found;
}

static int find_disks(struct finder *f)
{
	char *text = NULL, source[PATH_MAX], rel[64], target[PATH_MAX], name[PATH_MAX];
	char members[PATH_MAX];
	size_t len;
	int err = vb_root_read_file(f->root, "proc/self/mountinfo", PROC_FILE_MAX, &text, &len,
				    NULL);

	if (err < 0)
		return err == -ENOMEM ? err :
					vb_strv_add(&f->out->notes,
						    "cannot read /proc/self/mountinfo (%s): the host's "
						    "disks are not known",
						    vb_strerror(err));
	for (size_t m = 0; m < ARRAY_SIZE(host_mounts) && err >= 0; m++) {
		unsigned major, minor;
		const char *slash;

		if (!vb_mountinfo_find(text, host_mounts[m], &major, &minor, source, sizeof(source)))
			continue;
		name[0] = '\0';
		snprintf(rel, sizeof(rel), "sys/dev/block/%u:%u", major, minor);
		if (major != 0 && read_link(f->root, rel, target, sizeof(target)) == 0) {
			slash = strrchr(target, '/');
			snprintf(name, sizeof(name), "%s", slash ? slash + 1 : target);
		} else if (major == 0 && !source_block_name(f->root, source, name, sizeof(name))) {
			name[0] = '\0';
		}
		f->role = VB_HOST_DISK;
		f->what = host_mounts[m];
		/* btrfs names one of its devices; sysfs lists them all. */
		if (name[0] && strncmp(source, "btrfs ", 6) == 0 &&
		    btrfs_devices_dir(f->root, name, members, sizeof(members)))
			err = trace_each(f, members, NULL, "", false, "slaves", -1);
		else
			err = name[0] ? trace(f, "sys/class/block", name, "slaves", 0) : 0;
		if (err == 0)
			err = vb_strv_add(&f->out->notes, "%s (%s): no PCI device found behind it",
					  host_mounts[m], source);
	}
	free(text);
	return err < 0 ? err : 0;
}

static int find_networks(struct finder *f)
{
	static const char *const tables[] = { "proc/net/route", "proc/net/ipv6_route" };
	struct vb_strv ifaces = { 0 };
	bool any_read = false;
	int err = 0;

	for (size_t t = 0; t < 2 && err == 0; t++) {
		char *text;
		size_t len;
		int rc = vb_root_read_file(f->root, tables[t], PROC_FILE_MAX, &text, &len, NULL);

		if (rc == -ENOMEM)
			err = rc;
		if (rc < 0)
			continue;
		any_read = true;
		err = vb_route_default_ifaces(text, t == 1, &ifaces);
		free(text);
	}
	if (err == 0 && !any_read)
		err = vb_strv_add(&f->out->notes, "cannot read /proc/net/route: the host's network "
						  "devices are not known");
	for (size_t i = 0; i < ifaces.count && err >= 0; i++) {
		f->role = VB_HOST_NETWORK;
		f->what = ifaces.items[i];
		err = trace(f, "sys/class/net", ifaces.items[i], "lower_", 0);
		if (err == 0)
			err = vb_strv_add(&f->out->notes,
					  "default route on %s: no PCI device found behind it",
					  ifaces.items[i]);
	}
	vb_strv_free(&ifaces);
	return err < 0 ? err : 0;
}

int vb_host_devices_read(const struct vb_root *root, struct vb_host_devices *out)
{
	struct finder f = { .root = root, .out = out };
	int err;

	memset(out, 0, sizeof(*out));
	err = find_disks(&f);
	if (err == 0)
		err = find_networks(&f);
	if (err < 0)
		vb_host_devices_free(out);
	return err;
}

void vb_host_devices_free(struct vb_host_devices *devs)
{
	free(devs->items);
	vb_strv_free(&devs->notes);
	memset(devs, 0, sizeof(*devs));
}

struct vb_host_facts vb_host_devices_facts(const struct vb_host_devices *devs)
{
	return (struct vb_host_facts){ devs->items, devs->count };
}
