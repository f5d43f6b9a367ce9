// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "root.h"
#include "run.h"

/* What every command runs with, whatever the caller's PATH: the system's own programs. */
#define RUN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* In the child: never returns; reports why exec failed on the pipe. */
static void exec_child(const struct vb_root *root, const char *const *argv, int out_fd,
		       int report_fd, bool own_group, const sigset_t *mask)
{
	int err = 0;

	sigprocmask(SIG_SETMASK, mask, NULL);
	if (own_group)
		setpgid(0, 0);
	if (out_fd >= 0 && out_fd != STDOUT_FILENO && dup2(out_fd, STDOUT_FILENO) < 0)
		err = errno;
	/* Into the very directory the tree was opened as, not a path looked up again. */
	if (err == 0 && root && !root->host && (fchdir(root->fd) < 0 || chroot(".") < 0 || chdir("/") < 0))
		err = errno;
	if (err == 0 && setenv("PATH", RUN_PATH, 1) < 0)
		err = errno;
	if (err == 0) {
		execvp(argv[0], (char *const *)argv);
		err = errno;
	}
	while (write(report_fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until the child has exited or the deadline (CLOCK_MONOTONIC ms, -1:
 * none) has passed. With a deadline it sleeps in sigtimedwait (SIGCHLD is
 * blocked) before each look, so a child that exits makes exactly one waitpid:
 * the number of calls does not depend on how fast the child was.
 * Returns 0 with its status, -ETIMEDOUT, or -errno.
 */
static int wait_until(pid_t pid, int *status, long long deadline)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		long long left = deadline < 0 ? 0 : deadline - now_ms();
		pid_t got;

		if (deadline >= 0 && left > 0) {
			struct timespec ts = { .tv_sec = (time_t)(left / 1000),
					       .tv_nsec = (long)(left % 1000) * 1000000 };

			sigtimedwait(&chld, NULL, &ts); /* SIGCHLD, a timeout or EINTR */
		}
		got = waitpid(pid, status, deadline < 0 ? 0 : WNOHANG);
		if (got == pid)
			return 0;
		if (got < 0 && errno != EINTR)
			return -errno;
		if (got == 0 && deadline - now_ms() <= 0)
			return -ETIMEDOUT;
	}
}

/* Reads what the child says about exec: 0 once it has exec'd, or its errno. */
static int exec_result(int fd, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int child_err = 0;
	ssize_t n;

	for (;;) {
		int left = deadline < 0 ? -1 : (int)(deadline > now_ms() ? deadline - now_ms() : 0);
		int ready = poll(&pfd, 1, left);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return ready == 0 ? -ETIMEDOUT : -errno;
		break;
	}
	do
		n = read(fd, &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(child_err) ? -child_err : 0;
}

int vb_run(const struct vb_root *root, const char *const *argv, unsigned timeout_ms)
{
	return vb_run_to(root, argv, timeout_ms, -1);
}

int vb_run_to(const struct vb_root *root, const char *const *argv, unsigned timeout_ms,
	      int out_fd)
{
	bool limited = timeout_ms != VB_RUN_NO_LIMIT;
	sigset_t chld, old_mask;
	int pipefd[2], status = 0, err;
	long long deadline = -1;
	pid_t pid;

	if (!argv || !argv[0])
		return -EINVAL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	/* SIGCHLD blocked: wait_until sleeps in sigtimedwait for it. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		exec_child(root, argv, out_fd, pipefd[1], limited, &old_mask);
	}
	err = pid < 0 ? -errno : 0;
	close(pipefd[1]);
	if (pid > 0 && limited) {
		setpgid(pid, pid); /* as the child does: whichever runs first */
		deadline = now_ms() + timeout_ms;
	}
	if (err == 0)
		err = exec_result(pipefd[0], deadline);
	close(pipefd[0]);
	if (err == 0 || (err == -ETIMEDOUT && pid > 0)) {
		int waited = err == 0 ? wait_until(pid, &status, deadline) : err;

		if (waited == -ETIMEDOUT) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			wait_until(pid, &status, now_ms() + VB_RUN_KILL_GRACE_MS);
		}
		err = err < 0 ? err : waited;
	} else if (pid > 0) {
		wait_until(pid, &status, -1); /* exec failed: the child exits at once */
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (err < 0)
		return err;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -ECHILD;
}

int vb_run_reap(pid_t pid, int *status, unsigned timeout_ms)
{
	sigset_t chld, old_mask;
	siginfo_t info = { 0 };
	bool exited;
	int err;

	/* Blocked, SIGCHLD stays pending for wait_until's sigtimedwait. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	/*
	 * A child that exited before that had its SIGCHLD then, and it is gone:
	 * one look (it stays a zombie) says whether there is anything to wait
	 * for, always one call, so that the calls made do not depend on timing.
	 */
	exited = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		 info.si_pid == pid;
	err = wait_until(pid, status, exited ? -1 : now_ms() + timeout_ms);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return err;
}

static bool is_program(int fd)
{
	struct stat st;
	bool yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);

	close(fd);
	return yes;
}

int vb_find_program(const struct vb_root *root, const char *name)
{
	static const char *const dirs[] = { "usr/sbin", "usr/bin", "sbin", "bin" };
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(name, '/')) {
		fd = vb_root_open(root, name, O_PATH, 0);
		return fd >= 0 ? is_program(fd) : fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
	}
	/* RUN_PATH's directories; links resolve inside the tree, as they will under chroot. */
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		fd = vb_root_open(root, path, O_PATH, 0);
		if (fd >= 0 && is_program(fd))
			return 1;
		if (fd < 0 && fd != -ENOENT && fd != -ENOTDIR && err == 0)
			err = fd;
	}
	return err;
}

bool vb_have_program(const struct vb_root *root, const char *name)
{
	return vb_find_program(root, name) > 0;
}
