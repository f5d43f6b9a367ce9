// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "root.h"
#include "run.h"

/* What every command runs with, whatever the caller's PATH: the system's own programs. */
#define RUN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* In the child: never returns; reports why exec failed on the pipe. */
static void exec_child(const struct vb_root *root, const char *const *argv, int report_fd)
{
	int err = 0;

	/* Into the very directory the tree was opened as, not a path looked up again. */
	if (root && !root->host && (fchdir(root->fd) < 0 || chroot(".") < 0 || chdir("/") < 0))
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

int vb_run(const struct vb_root *root, const char *const *argv)
{
	int pipefd[2], status, child_err = 0, err = 0;
	ssize_t n;
	pid_t pid;

	if (!argv || !argv[0])
		return -EINVAL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		exec_child(root, argv, pipefd[1]);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (n == (ssize_t)sizeof(child_err))
		return -child_err;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -ECHILD;
}

static bool is_program(int fd)
{
	struct stat st;
	bool yes = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);

	close(fd);
	return yes;
}

bool vb_have_program(const struct vb_root *root, const char *name)
{
	static const char *const dirs[] = { "usr/sbin", "usr/bin", "sbin", "bin" };
	char path[PATH_MAX];
	int fd;

	if (strchr(name, '/')) {
		fd = vb_root_open(root, name, O_PATH, 0);
		return fd >= 0 && is_program(fd);
	}
	/* RUN_PATH's directories; links resolve inside the tree, as they will under chroot. */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		fd = vb_root_open(root, path, O_PATH, 0);
		if (fd >= 0 && is_program(fd))
			return true;
	}
	return false;
}
