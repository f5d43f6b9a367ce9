// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
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
	rc = vb_run(&root, argv, VB_RUN_NO_LIMIT);
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
	CHECK(vb_run(NULL, (const char *[]){ "true", NULL }, VB_RUN_NO_LIMIT) == 0);
	CHECK(run("/", "false", NULL, NULL, NULL) == 1);
	CHECK(run("/", "sh", "-c", "exit 7", NULL) == 7);
	CHECK(run("/", "sh", "-c", "kill -TERM $$", NULL) == 128 + 15);
	CHECK(run("/", "vfio-boot-no-such-program", NULL, NULL, NULL) == -ENOENT);
	CHECK(run("/", "/nonexistent/true", NULL, NULL, NULL) == -ENOENT);
	CHECK(run("/", "/etc/passwd", NULL, NULL, NULL) == -EACCES);
	CHECK(vb_run(NULL, none, VB_RUN_NO_LIMIT) == -EINVAL);
}

/* vb_run_to: the program's stdout goes where it is told, its stderr and ours stay. */
static void check_run_to(void)
{
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	FILE *out = tmpfile(), *err = tmpfile();
	char got[64] = "";
	int saved = dup(STDERR_FILENO);

	CHECK(out && err && saved >= 0);
	if (!out || !err || saved < 0)
		return;
	fflush(stderr);
	dup2(fileno(err), STDERR_FILENO);
	CHECK(vb_run_to(NULL, argv, VB_RUN_NO_LIMIT, fileno(out)) == 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(out);
	CHECK(fread(got, 1, sizeof(got) - 1, out) == 4);
	CHECK_STR(got, "out\n");
	memset(got, 0, sizeof(got));
	rewind(err);
	CHECK(fread(got, 1, sizeof(got) - 1, err) == 4);
	CHECK_STR(got, "err\n");
	fclose(out);
	fclose(err);
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

/* True when pid has exited (reaped, or a zombie). */
static bool is_gone(pid_t pid)
{
	char path[64], state[512] = "";
	FILE *f;
	char *close_paren;

	if (kill(pid, 0) < 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	close_paren = strrchr(state, ')');
	return close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000LL + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * A bounded run: a program that never ends is killed with everything it
 * started (its process group) once the limit passes; one that ends in time
 * gives its status as before.
 */
static void check_run_timeout(const char *dir)
{
	char script[PATH_MAX * 2], pidfile[PATH_MAX];
	const char *argv[] = { "sh", "-c", script, NULL };
	struct timespec t0;
	sigset_t mask;
	long long took;
	FILE *f;
	pid_t sleeper = 0;

	snprintf(pidfile, sizeof(pidfile), "%s/sleeper.pid", dir);
	/* The sleeper is a grandchild: only a kill of the group reaches it. */
	snprintf(script, sizeof(script), "sleep 1000 & echo $! >%s; wait", pidfile);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(vb_run(NULL, argv, 300) == -ETIMEDOUT);
	took = ms_since(&t0);
	CHECK(took >= 300 && took < 300 + 1500);
	f = fopen(pidfile, "r");
	CHECK(f && fscanf(f, "%d", &sleeper) == 1 && sleeper > 0);
	if (f)
		fclose(f);
	/* Killed: gone, or a zombie until whoever inherited it reaps it. */
	for (int i = 0; i < 100 && sleeper > 0 && !is_gone(sleeper); i++)
		usleep(10000);
	CHECK(sleeper > 0 && is_gone(sleeper));

	/* In time: the status, and no waiting for the limit. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(run("/", "sh", "-c", "exit 3", NULL) == 3);
	CHECK(vb_run(NULL, (const char *[]){ "sh", "-c", "exit 4", NULL }, 5000) == 4);
	CHECK(vb_run(NULL, (const char *[]){ "sh", "-c", "sleep 0.2", NULL }, 5000) == 0);
	CHECK(vb_run(NULL, (const char *[]){ "vfio-boot-no-such-program", NULL }, 5000) == -ENOENT);
	CHECK(ms_since(&t0) < 2000);
	/* Signals as they were: SIGCHLD not left blocked. */
	sigprocmask(SIG_SETMASK, NULL, &mask);
	CHECK(!sigismember(&mask, SIGCHLD));
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
	check_run_to();
	check_run_chroot(root);
	check_have_program(root);
	check_run_timeout(root);
	CHECK(run("/", "rm", "-rf", root, NULL) == 0);
	return unit_report("run");
}
