// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "unit.h"

static int run(const char *root, const char *a0, const char *a1, const char *a2,
	       const char *a3)
{
	const char *argv[] = { a0, a1, a2, a3, NULL };

	return vb_run(root, argv);
}

static void check_run_host(void)
{
	const char *none[] = { NULL };

	CHECK(run("/", "true", NULL, NULL, NULL) == 0);
	CHECK(run("", "true", NULL, NULL, NULL) == 0);
	CHECK(run("/", "false", NULL, NULL, NULL) == 1);
	CHECK(run("/", "sh", "-c", "exit 7", NULL) == 7);
	CHECK(run("/", "sh", "-c", "kill -TERM $$", NULL) == 128 + 15);
	CHECK(run("/", "vfio-boot-no-such-program", NULL, NULL, NULL) == -ENOENT);
	CHECK(run("/", "/nonexistent/true", NULL, NULL, NULL) == -ENOENT);
	CHECK(run("/", "/etc/passwd", NULL, NULL, NULL) == -EACCES);
	CHECK(vb_run("/", none) == -EINVAL);
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

	CHECK(vb_have_program("/", "sh"));
	CHECK(vb_have_program("/", "/bin/sh"));
	CHECK(!vb_have_program("/", "vfio-boot-no-such-program"));
	CHECK(!vb_have_program("/", "/etc/passwd"));

	CHECK(!vb_have_program(root, "update-grub"));
	touch(root, "usr/sbin/update-grub", 0755);
	touch(root, "usr/bin/not-executable", 0644);
	snprintf(path, sizeof(path), "%s/sbin/dracut", root);
	CHECK(symlink("/nonexistent/dracut", path) == 0);
	snprintf(path, sizeof(path), "%s/bin/a-directory", root);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(vb_have_program(root, "update-grub"));
	CHECK(vb_have_program(root, "/usr/sbin/update-grub"));
	CHECK(vb_have_program(root, "dracut"));
	CHECK(vb_have_program(root, "busybox") == (access("/bin/busybox", X_OK) == 0 &&
						   geteuid() == 0));
	CHECK(!vb_have_program(root, "not-executable"));
	CHECK(!vb_have_program(root, "a-directory"));
	CHECK(!vb_have_program(root, "sh"));
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
