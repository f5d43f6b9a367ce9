// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "root_write.h"

int vb_root_locate(const struct vb_root *root, const char *rel, bool follow,
		   struct vb_root_file *f)
{
	int fd = vb_root_walk_parent(root, rel, follow, f->name);

	f->dirfd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

void vb_root_file_release(struct vb_root_file *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->dirfd = -1;
}

int vb_root_file_read(const struct vb_root_file *f, size_t max, char **data, size_t *len,
		      struct stat *st, struct vb_xattrs *xattrs)
{
	struct stat sb;
	int fd = openat(f->dirfd, f->name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	int err = 0;

	if (fd < 0)
		return errno == ELOOP ? -ENOENT : -errno; /* a link not followed: no file there */
	if (fstat(fd, &sb) < 0)
		err = -errno;
	else if (!vb_is_regular(&sb))
		err = -VB_EFILETYPE;
	else if (xattrs)
		err = vb_xattrs_read_fd(fd, xattrs);
	if (err < 0) {
		close(fd);
		return err;
	}
	if (st)
		*st = sb;
	err = vb_read_fd(fd, &sb, max, data, len);
	if (err < 0 && xattrs)
		vb_xattrs_free(xattrs);
	return err;
}

/* The temporary file's name beside name. Returns 0 or -ENAMETOOLONG. */
static int temp_name(const char *name, char *buf, size_t size)
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

int vb_root_clean_temp(const struct vb_root_file *f)
{
	char tmp[NAME_MAX + 1];
	int err = temp_name(f->name, tmp, sizeof(tmp));

	if (err == 0 && unlinkat(f->dirfd, tmp, 0) < 0 && errno != ENOENT)
		err = -errno;
	return err;
}

int vb_root_set_meta(int fd, const struct vb_root_meta *meta)
{
	int err = 0;

	if ((meta->uid != (uid_t)-1 || meta->gid != (gid_t)-1) &&
	    fchown(fd, meta->uid, meta->gid) < 0)
		err = -errno;
	if (err == 0 && meta->xattrs)
		err = vb_xattrs_apply_fd(fd, meta->xattrs);
	if (err == 0 && fchmod(fd, meta->mode & 07777) < 0)
		err = -errno;
	return err;
}

int vb_root_replace(const struct vb_root_file *f, const char *data, size_t len,
		    const struct vb_root_meta *meta,
		    int (*set_meta)(int fd, const struct vb_root_meta *meta))
{
	char tmp[NAME_MAX + 1];
	int fd, err = temp_name(f->name, tmp, sizeof(tmp));

	if (err < 0)
		return err;
	/* Whatever a crash left there (even a FIFO) is replaced, never opened. */
	if (unlinkat(f->dirfd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(f->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    set_meta ? 0600 : meta->mode & 07777);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (err == 0 && set_meta)
		err = set_meta(fd, meta);
	if (err == 0)
		err = sync_fd(fd);
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

/* After an entry of dirfd was made or removed: 1 once that is on disk, or -errno. */
static int made(int dirfd)
{
	int err = sync_fd(dirfd);

	return err < 0 ? err : 1;
}

int vb_root_remove(const struct vb_root_file *f)
{
	if (unlinkat(f->dirfd, f->name, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return made(f->dirfd);
}

int vb_root_mkdir(const struct vb_root *root, const char *rel, mode_t mode)
{
	struct vb_root_file f;
	struct stat st;
	int err = vb_root_locate(root, rel, true, &f);

	if (err < 0)
		return err;
	if (mkdirat(f.dirfd, f.name, mode) == 0)
		err = made(f.dirfd);
	else if (errno != EEXIST)
		err = -errno;
	else /* made meanwhile, or something else is there */
		err = fstatat(f.dirfd, f.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) ?
			      0 :
			      -EEXIST;
	vb_root_file_release(&f);
	return err;
}

int vb_root_rmdir(const struct vb_root *root, const char *rel)
{
	struct vb_root_file f;
	int err = vb_root_locate(root, rel, true, &f);

	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return err;
	if (unlinkat(f.dirfd, f.name, AT_REMOVEDIR) == 0)
		err = made(f.dirfd);
	else if (errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR)
		err = 0;
	else
		err = -errno;
	vb_root_file_release(&f);
	return err;
}
