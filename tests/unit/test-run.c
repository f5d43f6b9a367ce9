// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "unit.h"

/* The tree at path ("/": the host), opened once per call for brevity. */
static int run(const char *path, const char *a0, const char *a1, const char *a2,
	       const char *a3)
{
	const char *argv[] = { a0, a1, a2, a3, NULL };
	struct vb_root root;
	int rc;

	if (vb_root_init(&root, path) < 0)
		return -EBADF;
	rc = vb_run(&root, argv);
	vb_root_fini(&root);
	return rc;
}

static bool have(const char *path, const char *name)
{
	struct vb_root root;
	bool yes;

	if (vb_root_init(&root, path) < 0)
		return false;
	yes = vb_have_program(&root, name);
	vb_root_fini(&root);
	return yes;
}

static void check_run_host(void)
{
	const char *none[] = { NULL };

	CHECK(run("/", "true", NULL, NULL, NULL) == 0);
	CHECK(run("//", "true", NULL, NULL, NULL) == 0);
	CHECK(vb_run(NULL, (const char *[]){ "true", NULL }) == 0);
	CHECK(run("/", "false", NULL, NULL, NULL) == 1);
	CHECK(run("/", "sh", "-c", "exit 7", NULL) == 7);
	CHECK(run("/", "sh", "-c", "kill -TERM $$", NULL) == 128 + 15);
	CHECK(run("/", "vfio-boot-no-such-program", NULL, NULL, NULL) == -ENOENT);
	CHECK(run("/", "/nonexistent/true", NULL, NULL, NULL) == -ENOENT);
	CHECK(run("/", "/etc/passwd", NULL, NULL, NULL) == -EACCES);
	CHECK(vb_run(NULL, none) == -EINVAL);
}

static void touch(const char *dir, const char *name, mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	CHECK(fd >= 0 && fchmod(fd, mode) == 0);
	if (fd >= 0)
		close(fd);
}

/* In a root holding only busybox, "/" is the root and PATH is looked up there. */
static void check_run_chroot(const char *root)
{
	char dst[PATH_MAX];
	int rc;

	CHECK(run(root, "true", NULL, NULL, NULL) == (geteuid() == 0 ? -ENOENT : -EPERM));
	if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0) {
		printf("run: chroot with busybox skipped (needs root and /bin/busybox)\n");
		return;
	}
	snprintf(dst, sizeof(dst), "%s/bin/busybox", root);
	CHECK(run("/", "cp", "/bin/busybox", dst, NULL) == 0);
	touch(root, "marker", 0644);
	rc = run(root, "busybox", "sh", "-c",
		 "[ \"$(busybox pwd)\" = / ] && [ -f /marker ] && ! [ -e /etc/passwd ]");
	if (rc == -ENOENT)
		printf("run: /bin/busybox is not static, chroot run skipped\n");
	else
		CHECK(rc == 0);
}

static void check_have_program(const char *root)
{
	char path[PATH_MAX];

	CHECK(have("/", "sh"));
	CHECK(have("/", "/bin/sh"));
	CHECK(!have("/", "vfio-boot-no-such-program"));
	CHECK(!have("/", "/etc/passwd"));

	CHECK(!have(root, "update-grub"));
	touch(root, "usr/sbin/update-grub", 0755);
	touch(root, "usr/bin/not-executable", 0644);
	snprintf(path, sizeof(path), "%s/sbin/dracut", root);
	/* Links resolve inside the tree, as under chroot. */
	CHECK(symlink("/usr/sbin/update-grub", path) == 0);
	snprintf(path, sizeof(path), "%s/sbin/dangling", root);
	CHECK(symlink("/nonexistent/dangling", path) == 0);
	snprintf(path, sizeof(path), "%s/bin/a-directory", root);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(have(root, "update-grub"));
	CHECK(have(root, "/usr/sbin/update-grub"));
	CHECK(have(root, "dracut"));
	CHECK(!have(root, "dangling"));
	CHECK(have(root, "busybox") == (access("/bin/busybox", X_OK) == 0 &&
						   geteuid() == 0));
	CHECK(!have(root, "not-executable"));
	CHECK(!have(root, "a-directory"));
	CHECK(!have(root, "sh"));
}

int main(void)
{
	char root[] = "/tmp/vfio-boot-test-run.XXXXXX";
	char dir[PATH_MAX];

	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	CHECK(mkdtemp(root) != NULL);
	for (size_t i = 0; i < 3; i++) {
		static const char *const dirs[] = { "bin", "sbin", "usr/sbin" };

		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
		CHECK(run("/", "mkdir", "-p", dir, NULL) == 0);
	}
	snprintf(dir, sizeof(dir), "%s/usr/bin", root);
	CHECK(mkdir(dir, 0755) == 0);

	check_run_host();
	check_run_chroot(root);
	check_have_program(root);
	CHECK(run("/", "rm", "-rf", root, NULL) == 0);
	return unit_report("run");
}
