// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysfs reader's way of opening attributes (sysfs.c, "One pass"): in a
 * tree that is not the kernel's sysfs every attribute is looked at before it
 * is opened, so a FIFO or a device node is never opened (inotify would see
 * the open); links are still followed inside the tree; names the kernel would
 * not write are left out; descriptors closed in runs are all closed, even
 * with few allowed. On the kernel's own sysfs the quick way reads the same as
 * a plain read, and never leaves that sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "root.h"
#include "sysfs.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-sysfs.XXXXXX";
static char tree[PATH_MAX];

#define DEV "sys/devices/pci0000:00"
#define GPU_MODALIAS "pci:v000010DEd00002504sv00001462sd00003975bc03sc00i00\n"

static void make_dir(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	CHECK(mkdir(path, 0755) == 0);
}

static void link_at(const char *target, const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	CHECK(symlink(target, path) == 0);
}

static void make_node(const char *rel, mode_t mode, dev_t dev)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	CHECK(mknod(path, mode, dev) == 0);
}

/* A function directory under DEV and its link in sys/bus/pci/devices under name. */
static void function(const char *dir, const char *name)
{
	char rel[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), DEV "/%s", dir);
	make_dir(rel);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", name);
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", dir);
	link_at(target, rel);
}

/* Adds an IN_OPEN watch on rel to the inotify instance fd. */
static void watch_opens(int fd, const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	CHECK(inotify_add_watch(fd, path, IN_OPEN) >= 0);
}

/* How many open events wait on the inotify instance fd (non-blocking); reads them all. */
static int opens_seen(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int events = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;
		     p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
			events += (((struct inotify_event *)p)->mask & IN_OPEN) != 0;
	return events;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int count = 0;

	if (!d)
		return -1;
	while (readdir(d))
		count++;
	closedir(d);
	return count;
}

static const struct vb_pci_fn *find(const struct vb_snapshot *snap, const char *name)
{
	for (size_t i = 0; i < snap->count; i++)
		if (strcmp(snap->fns[i].name, name) == 0)
			return &snap->fns[i];
	return NULL;
}

/* What careful_tree reads, either way. */
static void check_careful(const struct vb_snapshot *snap, const struct vb_sysfs_listing *listing)
{
	const struct vb_pci_fn *fn;

	CHECK(snap->count == 5);
	CHECK(listing->ignored == 2);
	CHECK(strcmp(listing->ignored_first, "0:2:0.0") == 0 ||
	      strcmp(listing->ignored_first, "0000:02:00.00") == 0);
	fn = find(snap, "0000:00:01.0");
	CHECK(fn && fn->vendor == 0x8086 && fn->class == 0x060400 && fn->header_type == 1);
	fn = find(snap, "0000:01:00.0");
	/* The FIFO modalias was passed over for the single attributes: vendor read, class not. */
	CHECK(fn && fn->vendor == 0x10de && fn->no_class && fn->boot_vga == -1 &&
	      fn->header_type == 0);
	fn = find(snap, "0000:01:00.1");
	CHECK(fn && fn->vendor == 0 && fn->no_class && fn->boot_vga == -1);
	fn = find(snap, "0000:02:00.0");
	CHECK(fn && fn->vendor == 0x10de && fn->device == 0x2504 && fn->subvendor == 0x1462 &&
	      fn->class == 0x030000 && fn->boot_vga == 0);
	CHECK(fn && fn->modalias && strcmp(fn->modalias, "pci:v000010DEd00002504sv00001462sd"
						      "00003975bc03sc00i00") == 0);
	fn = find(snap, "0000:03:00.0");
	CHECK(fn && fn->vendor == 0 && fn->no_class && !fn->modalias);
}

/*
 * A fixture tree (not sysfs): a FIFO and device nodes where attributes
 * belong are never opened; a link to a regular file in the tree is read.
 */
static void careful_tree(void)
{
	struct vb_sysfs_listing listing = { .keep_modalias = true };
	struct vb_sysfs_listing one_pass = { .keep_modalias = true, .details = true,
					     .root_bus = true };
	struct vb_snapshot snap;
	const struct vb_pci_fn *fn;
	struct vb_root root;
	char path[PATH_MAX * 2];
	int watch, fifo, fds;

	make_dir("sys");
	make_dir("sys/bus");
	make_dir("sys/bus/pci");
	make_dir("sys/bus/pci/devices");
	make_dir("sys/devices");
	make_dir(DEV);
	make_dir("data");
	make_dir("dev");
	/* A bridge, read the ordinary way. */
	function("0000:00:01.0", "0000:00:01.0");
	unit_put(tree, DEV "/0000:00:01.0/modalias",
		 "pci:v00008086d00001901sv00000000sd00000000bc06sc04i00\n");
	unit_put(tree, DEV "/0000:00:01.0/secondary_bus_number", "1\n");
	/* modalias a FIFO, boot_vga a FIFO, class a FIFO. */
	function("0000:01:00.0", "0000:01:00.0");
	make_node(DEV "/0000:01:00.0/modalias", S_IFIFO | 0644, 0);
	make_node(DEV "/0000:01:00.0/boot_vga", S_IFIFO | 0644, 0);
	make_node(DEV "/0000:01:00.0/class", S_IFIFO | 0644, 0);
	unit_put(tree, DEV "/0000:01:00.0/vendor", "0x10de\n");
	/* modalias /dev/null's node, boot_vga an overlay whiteout (char 0:0). */
	function("0000:01:00.1", "0000:01:00.1");
	make_node(DEV "/0000:01:00.1/modalias", S_IFCHR | 0666, makedev(1, 3));
	make_node(DEV "/0000:01:00.1/boot_vga", S_IFCHR | 0644, makedev(0, 0));
	/* modalias and boot_vga: absolute links to regular files, inside the tree. */
	function("0000:02:00.0", "0000:02:00.0");
	unit_put(tree, "data/modalias", GPU_MODALIAS);
	unit_put(tree, "data/boot_vga", "0\n");
	link_at("/data/modalias", DEV "/0000:02:00.0/modalias");
	link_at("/data/boot_vga", DEV "/0000:02:00.0/boot_vga");
	/* modalias a link to a FIFO elsewhere in the tree. */
	function("0000:03:00.0", "0000:03:00.0");
	make_node("dev/fifo", S_IFIFO | 0644, 0);
	link_at("/dev/fifo", DEV "/0000:03:00.0/modalias");
	/* Names the kernel would not write, for a function listed properly too. */
	link_at("../../../devices/pci0000:00/0000:02:00.0", "sys/bus/pci/devices/0:2:0.0");
	link_at("../../../devices/pci0000:00/0000:02:00.0", "sys/bus/pci/devices/0000:02:00.00");

	watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK(watch >= 0);
	watch_opens(watch, DEV "/0000:01:00.0/modalias");
	watch_opens(watch, DEV "/0000:01:00.0/boot_vga");
	watch_opens(watch, DEV "/0000:01:00.0/class");
	watch_opens(watch, DEV "/0000:01:00.1/modalias");
	watch_opens(watch, DEV "/0000:01:00.1/boot_vga");
	watch_opens(watch, "dev/fifo");
	/* The watch sees an open of a FIFO: so it would see the reader's. */
	snprintf(path, sizeof(path), "%s/dev/fifo", tree);
	fifo = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHECK(fifo >= 0);
	if (fifo >= 0)
		close(fifo);
	CHECK(opens_seen(watch) == 1);

	fds = open_fds();
	CHECK(vb_root_init(&root, tree) == 0);
	CHECK(vb_sysfs_read(&root, &snap, &listing) == 0);
	CHECK(vb_sysfs_read_details(&root, &snap, NULL) == 0);
	CHECK(opens_seen(watch) == 0);
	vb_root_fini(&root);
	CHECK(open_fds() == fds);

	check_careful(&snap, &listing);
	vb_snapshot_free(&snap);
	/* In one pass with the details (list, configure): each directory listed first. */
	CHECK(vb_root_init(&root, tree) == 0);
	CHECK(vb_sysfs_read(&root, &snap, &one_pass) == 0);
	CHECK(opens_seen(watch) == 0);
	vb_root_fini(&root);
	CHECK(open_fds() == fds);
	check_careful(&snap, &one_pass);
	fn = find(&snap, "0000:00:01.0");
	CHECK(fn && fn->root_bus == 1);
	vb_snapshot_free(&snap);
	if (watch >= 0)
		close(watch);
}

/*
 * Many functions and few descriptors allowed: the reader closes in smaller
 * runs and still reads every function. Run in a child (the limit stays there).
 */
static void few_descriptors(void)
{
	char rel[PATH_MAX], name[32];
	pid_t child;
	int status = -1;

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "0000:%02x:00.0", 0x10 + i);
		function(name, name);
		snprintf(rel, sizeof(rel), DEV "/%s/modalias", name);
		unit_put(tree, rel, GPU_MODALIAS);
	}
	child = fork();
	if (child == 0) {
		struct rlimit low = { 24, 24 };
		struct vb_snapshot snap;
		struct vb_root root;
		size_t read_ok = 0;

		if (setrlimit(RLIMIT_NOFILE, &low) < 0 || vb_root_init(&root, tree) < 0 ||
		    vb_sysfs_read(&root, &snap, NULL) < 0 ||
		    vb_sysfs_read_details(&root, &snap, NULL) < 0)
			_exit(2);
		for (size_t i = 0; i < snap.count; i++)
			read_ok += snap.fns[i].addr.bus >= 0x10 && snap.fns[i].device == 0x2504;
		_exit(read_ok == 100 ? 0 : 1);
	}
	CHECK(child > 0 && waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * A function directory one may search but not read (mode 0111), read by
 * someone who is not root: it cannot be listed, so its names are looked up
 * one by one, and its IDs are read all the same. Run in a child.
 */
static void search_only(void)
{
	char rel[PATH_MAX * 2];
	pid_t child;
	int status = -1;

	function("0000:f0:00.0", "0000:f0:00.0");
	unit_put(tree, DEV "/0000:f0:00.0/modalias", GPU_MODALIAS);
	snprintf(rel, sizeof(rel), "%s/" DEV "/0000:f0:00.0", tree);
	CHECK(chmod(rel, 0111) == 0 && chmod(top, 0755) == 0);
	child = fork();
	if (child == 0) {
		struct vb_sysfs_listing listing = { .details = true };
		struct vb_snapshot snap;
		struct vb_root root;
		const struct vb_pci_fn *fn;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3); /* not root: cannot become someone else */
		if (vb_root_init(&root, tree) < 0 || vb_sysfs_read(&root, &snap, &listing) < 0)
			_exit(2);
		fn = find(&snap, "0000:f0:00.0");
		_exit(fn && fn->vendor == 0x10de && fn->device == 0x2504 && !fn->no_class ? 0 : 1);
	}
	CHECK(child > 0 && waitpid(child, &status, 0) == child);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		printf("root-sysfs: not root, a search-only directory is not tried\n");
	else
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(chmod(rel, 0755) == 0 && chmod(top, 0700) == 0);
}

/* The running system's sysfs, the quick way: what a plain read says, and no way out. */
static void kernel_sysfs(void)
{
	struct vb_sysfs_listing listing = { .details = true, .root_bus = true };
	struct vb_snapshot snap, one_pass;
	struct vb_root host;
	int devices, fd;

	devices = open("/sys/bus/pci/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devices < 0) {
		printf("root-sysfs: no /sys/bus/pci/devices here; the kernel's sysfs is not tried\n");
		return;
	}
	/* Above the sysfs mount's top is another file system: refused. */
	CHECK(vb_root_open_in_mount(devices, "../../../../etc/hostname", O_RDONLY) == -EXDEV);
	/* A leading slash does not start from the process's root. */
	CHECK(vb_root_open_in_mount(devices, "/etc/hostname", O_RDONLY) == -ENOENT);
	CHECK(vb_root_init(&host, "/") == 0);
	CHECK(vb_sysfs_read(&host, &snap, NULL) == 0);
	CHECK(vb_sysfs_read_details(&host, &snap, NULL) == 0);
	/* In one pass, as list and configure read it: the same details. */
	CHECK(vb_sysfs_read(&host, &one_pass, &listing) == 0);
	CHECK(one_pass.count == snap.count);
	for (size_t i = 0; i < snap.count && i < one_pass.count; i++) {
		const struct vb_pci_fn *a = &snap.fns[i], *b = &one_pass.fns[i];

		CHECK_STR(a->driver, b->driver);
		CHECK(a->vendor == b->vendor && a->class == b->class &&
		      a->iommu_group == b->iommu_group && a->header_type == b->header_type &&
		      a->boot_vga == b->boot_vga && a->is_vf == b->is_vf &&
		      a->root_bus == b->root_bus);
	}
	vb_snapshot_free(&one_pass);
	for (size_t i = 0; i < snap.count; i++) {
		const struct vb_pci_fn *fn = &snap.fns[i];
		char rel[64], buf[64], driver[PATH_MAX] = "";
		unsigned long vendor = 0;
		ssize_t n;

		snprintf(rel, sizeof(rel), "%s/vendor", fn->name);
		fd = vb_root_open_in_mount(devices, rel, O_RDONLY);
		CHECK(fd >= 0);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		sscanf(buf, "%lx", &vendor);
		CHECK(vendor == fn->vendor);
		snprintf(rel, sizeof(rel), "%s/driver", fn->name);
		n = readlinkat(devices, rel, driver, sizeof(driver) - 1);
		driver[n > 0 ? n : 0] = '\0';
		CHECK_STR(fn->driver, strrchr(driver, '/') ? strrchr(driver, '/') + 1 : "");
		CHECK(fn->iommu_group >= -1 && fn->header_type >= 0);
	}
	printf("root-sysfs: %zu functions of this machine read the quick way\n", snap.count);
	vb_snapshot_free(&snap);
	vb_root_fini(&host);
	close(devices);
}

/* Names as the kernel writes them ("%04x:%02x:%02x.%d"), and nothing else. */
static void names(void)
{
	static const char *const good[] = { "0000:00:00.0", "0000:01:1f.7", "ffff:ff:00.1",
					    "10000:e0:00.0", "ffffffff:00:02.0" };
	static const char *const bad[] = { "0:1:0.0",	    "01:00.0",	     "0000:0A:00.0",
					   "0000:01:00.8",  "0000:01:20.0",  "00000:01:00.0",
					   "0000:01:00.0 ", " 0000:01:00.0", "0000:01:00:0",
					   "0000:01.00.0",  "0000:001:0.0",  "0000:01:00.00",
					   "0000:01:00.",   "000g:01:00.0",  "100000000:00:00.0",
					   "" };
	struct vb_pci_addr addr;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		CHECK(vb_pci_name_parse(good[i], &addr) == 0);
	CHECK(vb_pci_name_parse("10000:e0:1f.6", &addr) == 0 && addr.domain == 0x10000 &&
	      addr.bus == 0xe0 && addr.slot == 0x1f && addr.func == 6);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(vb_pci_name_parse(bad[i], &addr) == -EINVAL);
}

int main(void)
{
	char cmd[PATH_MAX * 2];

	if (!mkdtemp(top))
		return 1;
	snprintf(tree, sizeof(tree), "%s/tree", top);
	CHECK(mkdir(tree, 0755) == 0);
	names();
	careful_tree();
	few_descriptors();
	search_only();
	kernel_sysfs();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return unit_report("root-sysfs");
}
