// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The root context: every lookup stays inside the tree, through openat2 and
 * through the fallback walk alike, and no open can block.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "root.h"
#include "unit.h"

static char top[] = "/tmp/vfio-boot-test-root.XXXXXX";
static char tree[PATH_MAX], outside[PATH_MAX];

static void link_at(const char *target, const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	CHECK(symlink(target, path) == 0);
}

static void dir_at(const char *base, const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	CHECK(mkdir(path, 0755) == 0);
}

/* The text of rel as opened through the root by open_fn, or "" on error. */
typedef int (*open_fn)(const struct vb_root *, const char *, int, mode_t);
static const char *read_via(open_fn fn, const struct vb_root *root, const char *rel)
{
	static char buf[256];
	int fd = fn(root, rel, O_RDONLY, 0);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return "";
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static void confinement(const char *label, open_fn fn, const struct vb_root *root)
{
	char path[PATH_MAX * 2];
	struct stat st;
	int fd;

	fprintf(stderr, "  %s\n", label);
	CHECK_STR(read_via(fn, root, "etc/conf"), "inside\n");
	CHECK_STR(read_via(fn, root, "/etc/conf"), "inside\n");
	/* An absolute link resolves in the tree, as in a chroot. */
	CHECK_STR(read_via(fn, root, "etc/abs/conf"), "data\n");
	CHECK_STR(read_via(fn, root, "etc/abs-file"), "inside\n");
	/* ".." stops at the top. */
	CHECK_STR(read_via(fn, root, "etc/../../../../etc/conf"), "inside\n");
	CHECK_STR(read_via(fn, root, "etc/up/etc/conf"), "inside\n");
	/* A link whose target exists only outside does not reach it. */
	CHECK(fn(root, "etc/escape/secret", O_RDONLY, 0) == -ENOENT);
	CHECK(fn(root, "loop", O_RDONLY, 0) == -ELOOP);
	CHECK(fn(root, "etc/conf/x", O_RDONLY, 0) == -ENOTDIR);
	CHECK(fn(root, "missing/x", O_RDONLY, 0) == -ENOENT);
	/* O_NOFOLLOW refuses a link in the last place. */
	CHECK(fn(root, "etc/abs-file", O_RDONLY | O_NOFOLLOW, 0) == -ELOOP);
	/* Creating through a dangling absolute link lands in the tree. */
	fd = fn(root, "etc/dangling", O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd == -EEXIST);
	fd = fn(root, "etc/dangling", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/new-file", tree);
	CHECK(stat(path, &st) == 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/new-file", outside);
	CHECK(stat(path, &st) < 0);
	/* The top itself, as a directory. */
	fd = fn(root, "/", O_RDONLY | O_DIRECTORY, 0);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	/* A mode given with O_DIRECTORY alone is ignored, as open(2) ignores it. */
	fd = fn(root, "etc", O_RDONLY | O_DIRECTORY, 0644);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	fd = fn(root, "etc/", O_RDONLY | O_DIRECTORY, 0);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

static void reading(const struct vb_root *root)
{
	char buf[64], *data = NULL, display[PATH_MAX];
	size_t len = 0;
	char big[10000];

	/* A FIFO neither blocks nor passes for a file. */
	CHECK(vb_root_open_regular(root, "etc/fifo", NULL) == -VB_EFILETYPE);
	CHECK(vb_root_read_small(root, "etc/fifo", buf, sizeof(buf)) == -VB_EFILETYPE);
	CHECK(vb_root_read_file(root, "etc/fifo", 1024, &data, &len, NULL) == -VB_EFILETYPE);
	CHECK(vb_root_read_file(root, "etc", 1024, &data, &len, NULL) == -VB_EFILETYPE);
	CHECK(strstr(vb_strerror(-VB_EFILETYPE), "not a regular file") != NULL);

	CHECK(vb_root_read_small(root, "etc/conf", buf, sizeof(buf)) == 7);
	CHECK_STR(buf, "inside\n");
	CHECK(vb_root_read_small(root, "etc/conf", buf, 4) == 3);
	CHECK_STR(buf, "ins");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	unit_put(tree, "etc/big", big);
	CHECK(vb_root_read_file(root, "etc/big", sizeof(big) - 1, &data, &len, NULL) == -EFBIG);
	CHECK(vb_root_read_file(root, "etc/big", sizeof(big), &data, &len, NULL) == 0);
	CHECK(len == sizeof(big) - 1 && data && strlen(data) == len);
	free(data);
	/* proc files report size 0: read to the end anyway. */
	CHECK(vb_root_read_file(root, "/proc/self/status", 1 << 20, &data, &len, NULL) == -ENOENT);

	CHECK(vb_root_exists(root, "etc/abs/conf"));
	CHECK(!vb_root_exists(root, "etc/escape/secret"));
	CHECK(vb_root_display(root, "/etc/conf", display, sizeof(display)) == 0);
	CHECK(strcmp(display + strlen(display) - 9, "/etc/conf") == 0);
	CHECK(strncmp(display, tree, strlen(tree)) == 0);
}

static void writing(const struct vb_root *root)
{
	char path[PATH_MAX * 2], *data = NULL;
	struct stat st;
	size_t len = 0;

	/* Directories made through an absolute link land in the tree. */
	CHECK(vb_root_mkdir_p(root, "etc/abs/new/deeper/") == 0);
	snprintf(path, sizeof(path), "%s/data/new/deeper", tree);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(vb_root_mkdir_p(root, "//etc//x") == 0);
	CHECK(vb_root_mkdir_p(root, "etc/conf/sub") == -ENOTDIR);
	CHECK(vb_root_mkdir_p(root, "etc/escape/made") == -ENOENT);
	snprintf(path, sizeof(path), "%s/made", outside);
	CHECK(stat(path, &st) < 0);

	/* Attribute writes append one line each, as sysfs stores see them. */
	CHECK(vb_root_write_attr(root, "etc/abs/conf", "one") == 0);
	CHECK(vb_root_write_attr(root, "etc/abs/conf", "two") == 0);
	CHECK(vb_root_read_file(root, "data/conf", 100, &data, &len, NULL) == 0);
	CHECK_STR(data, "data\none\ntwo\n");
	free(data);
	CHECK(vb_root_write_attr(root, "etc/missing", "x") == -ENOENT);
	CHECK(vb_root_write_attr(root, "etc/escape/secret", "x") == -ENOENT);
	/* A FIFO without a reader is not waited for. */
	CHECK(vb_root_write_attr(root, "etc/fifo", "x") == -ENXIO);

	/* A file named outside any tree: same rules. */
	snprintf(path, sizeof(path), "%s/secret", outside);
	CHECK(vb_read_file_path(path, 100, &data, &len, NULL) == 0 && len == 8);
	free(data);
	snprintf(path, sizeof(path), "%s/etc/fifo", tree);
	CHECK(vb_read_file_path(path, 100, &data, &len, NULL) == -VB_EFILETYPE);
}

/*
 * openat2 RESOLVE_IN_ROOT says EAGAIN when any rename on the system raced a
 * lookup through "..", as every sysfs link has: on a busy machine a long
 * lookup may never get through. The open must still succeed.
 */
static void rename_storm(const struct vb_root *root)
{
	static char rel[PATH_MAX];
	char a[PATH_MAX * 2], b[PATH_MAX * 2];
	size_t len = 0;
	int ok = 0, tries = 0, ready[2];
	struct timespec start, now;
	pid_t child;
	char go;

	while (len < sizeof(rel) - 64) {
		memcpy(rel + len, "etc/../", 7);
		len += 7;
	}
	snprintf(rel + len, sizeof(rel) - len, "etc/conf");
	snprintf(a, sizeof(a), "%s/storm-a", outside);
	snprintf(b, sizeof(b), "%s/storm-b", outside);
	unit_put(outside, "storm-a", "");
	CHECK(pipe(ready) == 0);
	child = fork();
	if (child == 0) {
		rename(a, b);
		if (write(ready[1], "", 1) != 1)
			_exit(1);
		for (;;) {
			rename(b, a);
			rename(a, b);
		}
	}
	CHECK(child > 0 && read(ready[0], &go, 1) == 1);
	close(ready[0]);
	close(ready[1]);
	/* Half a second of opens, so the renamer surely runs meanwhile. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		int fd = vb_root_open(root, rel, O_RDONLY, 0);

		tries++;
		ok += fd >= 0;
		if (fd >= 0)
			close(fd);
		else if (tries == ok + 1)
			fprintf(stderr, "  storm: %s\n", strerror(-fd));
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000000L + now.tv_nsec - start.tv_nsec <
		 500000000L);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(ok == tries);
}

/*
 * Device nodes where a file is expected (a tree unpacked from an archive as
 * root keeps them; an overlay's whiteouts are char 0:0): never opened,
 * since opening one can act (a watchdog arms, a tape rewinds) and writing one
 * writes the device. Char 0:0 tells: opening it says ENXIO.
 */
static void devices(const struct vb_root *root)
{
	char path[PATH_MAX * 2], buf[64], *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/etc/whiteout", tree);
	CHECK(mknod(path, S_IFCHR | 0644, makedev(0, 0)) == 0);
	snprintf(path, sizeof(path), "%s/etc/null", tree);
	CHECK(mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0);
	CHECK(vb_root_open_regular(root, "etc/whiteout", NULL) == -VB_EFILETYPE);
	CHECK(vb_root_read_small(root, "etc/whiteout", buf, sizeof(buf)) == -VB_EFILETYPE);
	CHECK(vb_root_read_file(root, "etc/whiteout", 100, &data, &len, NULL) == -VB_EFILETYPE);
	CHECK(vb_root_write_attr(root, "etc/whiteout", "x") == -VB_EFILETYPE);
	CHECK(vb_root_write_attr(root, "etc/null", "vfio-pci") == -VB_EFILETYPE);
	snprintf(path, sizeof(path), "%s/etc/whiteout", tree);
	CHECK(vb_read_file_path(path, 100, &data, &len, NULL) == -VB_EFILETYPE);
	/* A link to a regular file is still read; O_NOFOLLOW still refuses it. */
	CHECK(vb_root_read_small(root, "etc/abs-file", buf, sizeof(buf)) == 7);
}

static void host_root(void)
{
	struct vb_root host;
	char display[PATH_MAX], *data = NULL;
	size_t len = 0;

	CHECK(vb_root_init(&host, "//") == 0);
	CHECK(host.host);
	CHECK(vb_root_display(&host, "etc/x", display, sizeof(display)) == 0);
	CHECK_STR(display, "/etc/x");
	/* /proc/self/status says size 0 and is longer than one small read. */
	CHECK(vb_root_read_file(&host, "proc/self/status", 1 << 20, &data, &len, NULL) == 0);
	CHECK(len > 100 && data && strstr(data, "Pid:"));
	free(data);
	vb_root_fini(&host);
}

int main(void)
{
	struct vb_root root;
	char path[PATH_MAX * 2];

	if (!mkdtemp(top))
		return 1;
	snprintf(tree, sizeof(tree), "%s/tree", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	dir_at(top, "tree");
	dir_at(top, "outside");
	dir_at(tree, "etc");
	dir_at(tree, "data");
	unit_put(tree, "etc/conf", "inside\n");
	unit_put(tree, "data/conf", "data\n");
	unit_put(outside, "secret", "outside\n");
	unit_put(outside, "conf", "outside\n");
	link_at("/data", "etc/abs");
	link_at("/etc/conf", "etc/abs-file");
	link_at("../..", "etc/up");
	snprintf(path, sizeof(path), "../../outside");
	link_at(path, "etc/escape");
	link_at("/new-file", "etc/dangling");
	link_at("loop", "loop");
	snprintf(path, sizeof(path), "%s/etc/fifo", tree);
	CHECK(mkfifo(path, 0644) == 0);

	CHECK(vb_root_init(&root, "") == -EINVAL);
	CHECK(vb_root_init(&root, "/nonexistent-vfio-boot") == -ENOENT);
	snprintf(path, sizeof(path), "%s/etc/conf", tree);
	CHECK(vb_root_init(&root, path) == -ENOTDIR);
	snprintf(path, sizeof(path), "%s///", tree);
	CHECK(vb_root_init(&root, path) == 0);
	CHECK_STR(root.path, tree);
	CHECK(!root.host);

	confinement("openat2 (or the walk where the kernel lacks it)", vb_root_open, &root);
	confinement("the fallback walk", vb_root_open_walk, &root);
	reading(&root);
	writing(&root);
	rename_storm(&root);
	devices(&root);
	host_root();
	vb_root_fini(&root);

	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	if (system(path) != 0)
		return 1;
	return unit_report("root");
}
