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

ssize_t vb_read_small_at(int dirfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_fd_small(fd, buf, size);
	close(fd);
	return n;
}

ssize_t vb_read_small(const char *path, char *buf, size_t size)
{
	return vb_read_small_at(AT_FDCWD, path, buf, size);
}

int vb_write_attr(const char *path, const char *text)
{
	char line[256];
	size_t len = strlen(text);
	ssize_t n;
	int fd, err = 0;

	if (len + 1 >= sizeof(line))
		return -EINVAL;
	memcpy(line, text, len);
	line[len++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	return err;
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

