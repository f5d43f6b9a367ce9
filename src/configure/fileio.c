// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static int grow(char **buf, size_t *cap, size_t want)
{
	char *grown;

	if (*cap > VB_FILE_MAX)
		return -EFBIG;
	if (want > (size_t)VB_FILE_MAX + 1)
		want = (size_t)VB_FILE_MAX + 1;
	grown = realloc(*buf, want);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	*cap = want;
	return 0;
}

int vb_read_file(const char *path, char **data, size_t *len, struct stat *st)
{
	struct stat sb;
	size_t size = 0, cap = 0;
	char *buf = NULL;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK); /* a FIFO must not hold us */
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		err = -errno;
	else if (!S_ISREG(sb.st_mode))
		err = -EINVAL;
	else
		err = grow(&buf, &cap, sb.st_size < 4096 ? 4096 : (size_t)sb.st_size + 1);
	while (err == 0) {
		ssize_t n;

		if (size + 1 == cap) {
			err = grow(&buf, &cap, cap * 2);
			if (err < 0)
				break;
		}
		n = read(fd, buf + size, cap - 1 - size);
		if (n < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	if (err < 0) {
		free(buf);
		return err;
	}
	buf[size] = '\0';
	*data = buf;
	*len = size;
	if (st)
		*st = sb;
	return 0;
}

/* Copies the directory part of path ("." when there is none). */
static int parent_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
		return 0;
	}
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dir, path, len);
	dir[len] = '\0';
	return 0;
}

int vb_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	int fd, err = parent_of(path, dir, sizeof(dir));

	if (err < 0)
		return err;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int vb_replace_file(const char *path, const char *data, size_t len, mode_t mode, uid_t uid,
		    gid_t gid)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	int fd, n, err = 0;

	n = snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", dirlen, path, path + dirlen);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (err == 0 && fsync(fd) < 0)
		err = -errno;
	if (err == 0 && fchown(fd, uid, gid) < 0)
		err = -errno;
	if (err == 0 && fchmod(fd, mode & 07777) < 0)
		err = -errno;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	if (err == 0 && rename(tmp, path) < 0)
		err = -errno;
	if (err < 0)
		unlink(tmp);
	return err;
}

int vb_remove_file(const char *path)
{
	if (unlink(path) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}
