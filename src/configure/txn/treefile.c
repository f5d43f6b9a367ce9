// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "treefile.h"

#define MAX_LINKS 40

/* Splits rel into its directory ("." for the top) and last name. */
static int split(const char *rel, char *dir, size_t dirsize, char *name, size_t namesize)
{
	const char *slash, *end;
	size_t len;

	while (*rel == '/')
		rel++;
	end = rel + strlen(rel);
	while (end > rel && end[-1] == '/')
		end--;
	if (end == rel)
		return -EISDIR;
	for (slash = end; slash > rel && slash[-1] != '/';)
		slash--;
	len = (size_t)(end - slash);
	if (len >= namesize)
		return -ENAMETOOLONG;
	memcpy(name, slash, len);
	name[len] = '\0';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EISDIR;
	len = slash > rel ? (size_t)(slash - rel - 1) : 0;
	if (len + 2 > dirsize)
		return -ENAMETOOLONG;
	if (len == 0)
		strcpy(dir, ".");
	else {
		memcpy(dir, rel, len);
		dir[len] = '\0';
	}
	return 0;
}

int vb_tree_locate(const struct vb_root *root, const char *rel, struct vb_tree_file *f)
{
	char path[PATH_MAX], dir[PATH_MAX], target[PATH_MAX];
	int err;

	f->dirfd = -1;
	if (snprintf(path, sizeof(path), "%s", rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (int links = 0;; links++) {
		struct stat st;
		ssize_t n;

		err = split(path, dir, sizeof(dir), f->name, sizeof(f->name));
		if (err < 0)
			return err;
		f->dirfd = vb_root_open(root, dir, O_RDONLY | O_DIRECTORY, 0);
		if (f->dirfd < 0)
			return f->dirfd;
		if (fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
			return 0;
		/* A link: its target, resolved as the kernel would from here. */
		n = readlinkat(f->dirfd, f->name, target, sizeof(target) - 1);
		vb_tree_release(f);
		if (n < 0)
			return -errno;
		if (links == MAX_LINKS)
			return -ELOOP;
		target[n] = '\0';
		if (target[0] == '/')
			err = snprintf(path, sizeof(path), "%s", target);
		else
			err = snprintf(path, sizeof(path), "%s/%s", dir, target);
		if (err < 0 || (size_t)err >= sizeof(path))
			return -ENAMETOOLONG;
	}
}

void vb_tree_release(struct vb_tree_file *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->dirfd = -1;
}

int vb_tree_read(const struct vb_tree_file *f, size_t max, char **data, size_t *len,
		 struct stat *st)
{
	struct stat sb;
	int fd = openat(f->dirfd, f->name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	int err = 0;

	if (fd < 0)
		return errno == ELOOP ? -ENOENT : -errno; /* a dangling link: nothing there */
	if (fstat(fd, &sb) < 0)
		err = -errno;
	else if (!vb_is_regular(&sb))
		err = -VB_EFILETYPE;
	if (err < 0) {
		close(fd);
		return err;
	}
	if (st)
		*st = sb;
	return vb_read_fd(fd, &sb, max, data, len);
}

int vb_tree_temp_name(const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, ".%s.vfio-boot-new", name);

	return n < 0 || (size_t)n >= size || (size_t)n > NAME_MAX ? -ENAMETOOLONG : 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int sync_fd(int fd)
{
	return fsync(fd) < 0 ? -errno : 0;
}

int vb_tree_clean_temp(const struct vb_tree_file *f)
{
	char tmp[NAME_MAX + 1];
	int err = vb_tree_temp_name(f->name, tmp, sizeof(tmp));

	if (err == 0 && unlinkat(f->dirfd, tmp, 0) < 0 && errno != ENOENT)
		err = -errno;
	return err;
}

int vb_tree_replace(const struct vb_tree_file *f, const char *data, size_t len, mode_t mode,
		    uid_t uid, gid_t gid)
{
	char tmp[NAME_MAX + 1];
	int fd, err = vb_tree_temp_name(f->name, tmp, sizeof(tmp));

	if (err == 0)
		err = vb_tree_clean_temp(f);
	if (err < 0)
		return err;
	fd = openat(f->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (err == 0)
		err = sync_fd(fd);
	if (err == 0 && (uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0)
		err = -errno;
	if (err == 0 && fchmod(fd, mode & 07777) < 0)
		err = -errno;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	if (err == 0 && renameat(f->dirfd, tmp, f->dirfd, f->name) < 0)
		err = -errno;
	if (err < 0) {
		unlinkat(f->dirfd, tmp, 0);
		return err;
	}
	return sync_fd(f->dirfd);
}

int vb_tree_remove(const struct vb_tree_file *f)
{
	int err;

	if (unlinkat(f->dirfd, f->name, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	err = sync_fd(f->dirfd);
	return err < 0 ? err : 1;
}

/* Opens rel's parent in the tree; name gets the last component. */
static int open_parent(const struct vb_root *root, const char *rel, char *name, size_t size)
{
	char dir[PATH_MAX];
	int err = split(rel, dir, sizeof(dir), name, size);

	return err < 0 ? err : vb_root_open(root, dir, O_RDONLY | O_DIRECTORY, 0);
}

int vb_tree_mkdir(const struct vb_root *root, const char *rel, mode_t mode)
{
	char name[NAME_MAX + 1];
	int dirfd = open_parent(root, rel, name, sizeof(name)), err;

	if (dirfd < 0)
		return dirfd;
	if (mkdirat(dirfd, name, mode) < 0)
		err = errno == EEXIST ? 0 : -errno;
	else if ((err = sync_fd(dirfd)) == 0)
		err = 1;
	close(dirfd);
	return err;
}

int vb_tree_rmdir(const struct vb_root *root, const char *rel)
{
	char name[NAME_MAX + 1];
	int dirfd = open_parent(root, rel, name, sizeof(name)), err;

	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		err = errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST ? 0 : -errno;
	else if ((err = sync_fd(dirfd)) == 0)
		err = 1;
	close(dirfd);
	return err;
}

int vb_tree_sync_dir(const struct vb_root *root, const char *rel)
{
	int fd = vb_root_open(root, rel, O_RDONLY | O_DIRECTORY, 0), err;

	if (fd < 0)
		return fd;
	err = sync_fd(fd);
	close(fd);
	return err;
}
