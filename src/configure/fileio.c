// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

int vb_read_file(const struct vb_root *root, const char *rel, char **data, size_t *len,
		 struct stat *st)
{
	struct stat sb;
	int fd = vb_root_open_checked(root, rel, O_RDONLY | O_NONBLOCK | O_NOFOLLOW, vb_is_regular,
				      &sb);

	if (fd < 0)
		return fd;
	if (st)
		*st = sb;
	return vb_read_fd(fd, &sb, (size_t)VB_FILE_MAX + 1, data, len);
}

/*
 * Opens the directory holding rel (in the tree, links resolved there) and
 * points *name at rel's last component, which must be a plain name.
 * Returns the descriptor or -errno.
 */
static int open_parent(const struct vb_root *root, const char *rel, const char **name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	size_t len = slash ? (size_t)(slash - rel) : 0;

	*name = slash ? slash + 1 : rel;
	if (!**name || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
		return -EINVAL;
	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, rel, len);
	dir[len] = '\0';
	return vb_root_open(root, len ? dir : ".", O_RDONLY | O_DIRECTORY, 0);
}

int vb_fsync_parent(const struct vb_root *root, const char *rel)
{
	const char *name;
	int fd = open_parent(root, rel, &name), err = 0;

	if (fd < 0)
		return fd;
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

/* Creates ".NAME.XXXXXX" in dirfd (O_EXCL), its name in tmp. Returns the descriptor or -errno. */
static int create_temp(int dirfd, const char *name, char *tmp, size_t size)
{
	static unsigned long counter;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (int tries = 0; tries < 100; tries++) {
		unsigned long r = ((unsigned long)now.tv_nsec ^ ((unsigned long)getpid() << 16)) +
				  ++counter * 7919;
		int n = snprintf(tmp, size, ".%s.%06lx", name, r & 0xffffff), fd;

		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

int vb_replace_file(const struct vb_root *root, const char *rel, const char *data, size_t len,
		    mode_t mode, uid_t uid, gid_t gid)
{
	char tmp[NAME_MAX + 1];
	const char *name;
	int dirfd = open_parent(root, rel, &name), fd, err = 0;

	if (dirfd < 0)
		return dirfd;
	fd = create_temp(dirfd, name, tmp, sizeof(tmp));
	if (fd < 0) {
		close(dirfd);
		return fd;
	}
	err = write_all(fd, data, len);
	if (err == 0 && fsync(fd) < 0)
		err = -errno;
	if (err == 0 && fchown(fd, uid, gid) < 0)
		err = -errno;
	if (err == 0 && fchmod(fd, mode & 07777) < 0)
		err = -errno;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	if (err == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		err = -errno;
	if (err < 0)
		unlinkat(dirfd, tmp, 0);
	close(dirfd);
	return err;
}

/* Unlinks rel (a directory with AT_REMOVEDIR): 1 when removed, 0 when absent, or -errno. */
static int remove_at(const struct vb_root *root, const char *rel, int flags)
{
	const char *name;
	int dirfd = open_parent(root, rel, &name), err;

	if (dirfd == -ENOENT || dirfd == -ENOTDIR)
		return 0;
	if (dirfd < 0)
		return dirfd;
	err = unlinkat(dirfd, name, flags) == 0 ? 1 : errno == ENOENT ? 0 : -errno;
	close(dirfd);
	return err;
}

int vb_remove_file(const struct vb_root *root, const char *rel)
{
	return remove_at(root, rel, 0);
}

int vb_remove_dir(const struct vb_root *root, const char *rel)
{
	return remove_at(root, rel, AT_REMOVEDIR);
}
