// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"

int vb_path(char *buf, size_t size, const char *root, const char *fmt, ...)
{
	size_t rootlen = root ? strlen(root) : 0;
	va_list ap;
	int n;

	while (rootlen > 0 && root[rootlen - 1] == '/')
		rootlen--;
	if (rootlen + 1 >= size)
		return -ENAMETOOLONG;
	memcpy(buf, root, rootlen);
	buf[rootlen] = '/';
	va_start(ap, fmt);
	n = vsnprintf(buf + rootlen + 1, size - rootlen - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - rootlen - 1)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * One read: regular files, sysfs attributes and proc files give all they have
 * (up to the buffer) at once, so a second read would only return 0.
 */
static ssize_t read_fd_small(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

ssize_t vb_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_fd_small(fd, buf, size);
	close(fd);
	return n;
}

int vb_mkdir_p(const char *path)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

