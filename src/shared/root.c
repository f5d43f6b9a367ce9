// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "root.h"

/* openat2(2)'s ABI (linux/openat2.h), which musl's headers do not carry. */
struct vb_open_how {
	unsigned long long flags;
	unsigned long long mode;
	unsigned long long resolve;
};
#define VB_RESOLVE_NO_XDEV 0x01
#define VB_RESOLVE_NO_MAGICLINKS 0x02
#define VB_RESOLVE_IN_ROOT 0x10
#ifndef SYS_openat2
#define SYS_openat2 437 /* the same on every architecture */
#endif

#define MAX_SYMLINKS 40 /* as the kernel's MAXSYMLINKS */

static bool no_openat2; /* the kernel said ENOSYS once */

int vb_root_init(struct vb_root *root, const char *path)
{
	struct stat st, top;
	size_t len = strlen(path);

	root->fd = -1;
	root->path = NULL;
	root->host = false;
	if (len == 0)
		return -EINVAL;
	while (len > 1 && path[len - 1] == '/')
		len--;
	root->path = strndup(path, len);
	if (!root->path)
		return -ENOMEM;
	root->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root->fd < 0) {
		int err = -errno;

		vb_root_fini(root);
		return err;
	}
	/* "//", "/." or a bind mount of / are the host too. */
	root->host = fstat(root->fd, &st) == 0 && stat("/", &top) == 0 &&
		     st.st_dev == top.st_dev && st.st_ino == top.st_ino;
	return 0;
}

void vb_root_fini(struct vb_root *root)
{
	if (root->fd >= 0)
		close(root->fd);
	free(root->path);
	root->fd = -1;
	root->path = NULL;
}

/* rel without its leading slashes; "." for the top itself. */
static const char *relative(const char *rel)
{
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

/* openat2 below dirfd with the resolve flags given besides RESOLVE_NO_MAGICLINKS. */
static int open_with_openat2(int dirfd, const char *rel, int flags, mode_t mode,
			     unsigned long long resolve)
{
	struct vb_open_how how = {
		/* openat2 takes no flag beside O_PATH's own: O_NOCTTY only without it. */
		.flags = (unsigned long long)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY)),
		/* O_TMPFILE holds O_DIRECTORY's bit: test all of it. */
		.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
		.resolve = resolve | VB_RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	/* EAGAIN: a rename raced the lookup; the kernel asks for a retry. */
	for (int tries = 0; tries < 8; tries++) {
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && errno == ENOSYS)
		no_openat2 = true;
	return fd < 0 ? -errno : (int)fd;
}

/* True when dirfd is the tree's top directory. */
static bool is_top(const struct vb_root *root, int dirfd)
{
	struct stat a, b;

	return fstat(dirfd, &a) == 0 && fstat(root->fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * The pending path: what is left to resolve, with symlink targets spliced in
 * front of the rest as they are met. It grows as links nest (up to 40 link
 * bodies of PATH_MAX each, as in the kernel), so it lives on the heap.
 */
struct pending {
	char *buf;
	size_t pos;
};

/* Makes target + "/" + rest (rest may point into the old text) the pending path. */
static int pending_set(struct pending *p, const char *target, const char *rest)
{
	size_t tlen = strlen(target), rlen = strlen(rest);
	char *buf = malloc(tlen + rlen + 2);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, target, tlen);
	buf[tlen] = '/';
	memcpy(buf + tlen + (rlen ? 1 : 0), rest, rlen + 1);
	free(p->buf);
	p->buf = buf;
	p->pos = 0;
	return 0;
}

/*
 * The next component (NUL-terminated in place); NULL at the end. *last says
 * it is the final one, *dir that slashes followed it ("name/"), which for
 * the final component asks for a directory.
 */
static const char *pending_next(struct pending *p, bool *last, bool *dir)
{
	const char *name;
	size_t len;

	while (p->buf[p->pos] == '/')
		p->pos++;
	if (!p->buf[p->pos])
		return NULL;
	name = p->buf + p->pos;
	len = strcspn(name, "/");
	p->pos += len;
	*dir = p->buf[p->pos] == '/';
	if (*dir) {
		p->buf[p->pos++] = '\0';
		while (p->buf[p->pos] == '/')
			p->pos++;
	}
	*last = !p->buf[p->pos];
	return name;
}

/* Replaces *cur with next (a descriptor, or -1 with errno set). Returns 0 or -errno. */
static int step_into(int *cur, int next)
{
	int err = next < 0 ? -errno : 0;

	close(*cur);
	*cur = next;
	return err;
}

/* Splices a symlink's target in front of the rest; absolute ones restart at the top. */
static int follow_link(const struct vb_root *root, int *cur, int link, struct pending *p)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(link, "", target, sizeof(target) - 1);
	int err;

	close(link);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	err = pending_set(p, target, p->buf + p->pos);
	if (err == 0 && target[0] == '/')
		err = step_into(cur, fcntl(root->fd, F_DUPFD_CLOEXEC, 0));
	return err;
}

/*
 * The walk resolves every component itself, with O_PATH|O_NOFOLLOW opens and
 * readlinkat, and applies the kernel's rules for the final one (path_openat):
 * a link there is followed unless O_NOFOLLOW, or O_CREAT with O_EXCL, says
 * not to; a final "name/" (not a dot) is EISDIR with O_CREAT, and otherwise follows links
 * and must be a directory, from then on to the end of the lookup. With
 * parent_of (NAME_MAX + 1 bytes), the final component is not opened: its
 * directory is, for reading (so that it can be fsynced), and its name is
 * copied into parent_of.
 */
static int walk(const struct vb_root *root, const char *rel, int flags, mode_t mode,
		char *parent_of)
{
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	bool last = false, dir = false, want_dir = false;
	struct pending p = { NULL, 0 };
	int cur, links = 0, err, fd;
	const char *name = NULL;

	/* What openat2 is given (vb_root_open): PATH_MAX bytes or more is too long. */
	rel = relative(rel);
	if (strnlen(rel, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	err = pending_set(&p, rel, "");
	if (err < 0)
		return err;
	cur = fcntl(root->fd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0) {
		err = -errno;
		free(p.buf);
		return err;
	}
	while (err == 0 && (name = pending_next(&p, &last, &dir)) != NULL) {
		/* 1 for ".", 2 for "..", else 0. */
		int dots = name[0] != '.' ? 0 : !name[1] ? 1 : name[1] == '.' && !name[2] ? 2 : 0;
		struct stat st;
		int next;

		if (dots == 2 && is_top(root, cur)) {
			dots = 1; /* ".." stops at the top, as in a chroot */
			name = ".";
		}
		if (dots == 1 && !last)
			continue;
		if (dots == 2 && !last) {
			err = step_into(&cur, openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
			continue;
		}
		if (last && dir && !dots) {
			if (flags & O_CREAT) {
				err = -EISDIR;
				break;
			}
			follow = want_dir = true;
		}
		if (last && !follow)
			break;
		next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && last && (flags & O_CREAT))
			break;
		if (next < 0 || fstat(next, &st) < 0) {
			err = -errno;
			if (next >= 0)
				close(next);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			err = ++links > MAX_SYMLINKS ? -ELOOP : follow_link(root, &cur, next, &p);
			if (err == -ELOOP)
				close(next);
			continue;
		}
		if (last) {
			close(next); /* opened for real below, never through a new link */
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(next);
			err = -ENOTDIR;
			break;
		}
		err = step_into(&cur, next);
	}
	/* name: the final component; NULL when the path ended at a directory. */
	if (err == 0 && parent_of) {
		if (!name || !last || (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))))
			err = -EISDIR;
		else if (strlen(name) > NAME_MAX)
			err = -ENAMETOOLONG;
		else
			strcpy(parent_of, name);
		name = NULL; /* its directory is what is opened */
		flags = O_RDONLY | O_DIRECTORY;
	}
	if (err == 0) {
		fd = openat(cur, name && last ? name : ".",
			    flags | (want_dir ? O_DIRECTORY : 0) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			    mode);
		err = fd < 0 ? -errno : fd;
	}
	close(cur);
	free(p.buf);
	return err;
}

int vb_root_open_walk(const struct vb_root *root, const char *rel, int flags, mode_t mode)
{
	return walk(root, rel, flags, mode, NULL);
}

int vb_root_walk_parent(const struct vb_root *root, const char *rel, bool follow, char *name)
{
	return walk(root, rel, O_CREAT | (follow ? 0 : O_NOFOLLOW), 0, name);
}

int vb_root_open(const struct vb_root *root, const char *rel, int flags, mode_t mode)
{
	int fd;

	if (!no_openat2) {
		fd = open_with_openat2(root->fd, relative(rel), flags, mode, VB_RESOLVE_IN_ROOT);
		/*
		 * EAGAIN: renames elsewhere on the system kept racing a lookup
		 * through ".." (any rename does); the walk needs no such luck.
		 */
		if (fd != -ENOSYS && fd != -EAGAIN)
			return fd;
	}
	return vb_root_open_walk(root, rel, flags, mode);
}

int vb_root_open_in_mount(int dirfd, const char *rel, int flags)
{
	if (no_openat2)
		return -ENOSYS;
	return open_with_openat2(dirfd, relative(rel), flags, 0, VB_RESOLVE_NO_XDEV);
}

bool vb_is_regular(const struct stat *st)
{
	return S_ISREG(st->st_mode);
}

int vb_root_open_checked(const struct vb_root *root, const char *rel, int flags,
			 bool (*accept)(const struct stat *), struct stat *st)
{
	int fd = vb_root_open(root, rel, O_PATH | (flags & O_NOFOLLOW), 0);
	struct stat sb;
	int err = fd < 0 ? fd : 0;

	if (err == 0 && fstat(fd, &sb) < 0)
		err = -errno;
	if (err == 0 && S_ISLNK(sb.st_mode))
		err = -ELOOP; /* O_NOFOLLOW met a link */
	else if (err == 0 && !accept(&sb))
		err = -VB_EFILETYPE;
	if (fd >= 0)
		close(fd);
	if (err < 0)
		return err;
	fd = vb_root_open(root, rel, flags, 0);
	if (fd >= 0 && st)
		*st = sb;
	return fd;
}

int vb_root_open_regular(const struct vb_root *root, const char *rel, struct stat *st)
{
	return vb_root_open_checked(root, rel, O_RDONLY | O_NONBLOCK, vb_is_regular, st);
}

int vb_read_fd(int fd, const struct stat *st, size_t max, char **data, size_t *len)
{
	size_t size = 0, cap;
	char *buf;
	int err = 0;

	/* proc files say 0 and sysfs 4096 whatever they hold: read to the end. */
	cap = st->st_size > 0 && (size_t)st->st_size < max ? (size_t)st->st_size + 1 : 4096;
	buf = malloc(cap);
	if (!buf)
		err = -ENOMEM;
	while (err == 0) {
		ssize_t n;

		if (size + 1 == cap) {
			char *grown;

			if (cap > max) {
				err = -EFBIG;
				break;
			}
			grown = realloc(buf, cap * 2);
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + size, cap - 1 - size);
		if (n < 0) {
			if (errno != EINTR)
				err = errno == EAGAIN ? -VB_EFILETYPE : -errno;
			continue;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	if (err == 0 && size >= max)
		err = -EFBIG;
	if (err < 0) {
		free(buf);
		return err;
	}
	buf[size] = '\0';
	*data = buf;
	*len = size;
	return 0;
}

int vb_root_read_file(const struct vb_root *root, const char *rel, size_t max, char **data,
		      size_t *len, struct stat *st)
{
	struct stat sb;
	int fd = vb_root_open_regular(root, rel, &sb);

	if (fd < 0)
		return fd;
	if (st)
		*st = sb;
	return vb_read_fd(fd, &sb, max, data, len);
}

int vb_read_file_path(const char *path, size_t max, char **data, size_t *len, struct stat *st)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct vb_root parent;
	int err;

	/* The file's directory as a tree of its own: the same rules as in a root. */
	if ((size_t)snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
			     slash ? (slash == path ? "/" : path) : ".") >= sizeof(dir))
		return -ENAMETOOLONG;
	err = vb_root_init(&parent, dir);
	if (err == 0)
		err = vb_root_read_file(&parent, slash ? slash + 1 : path, max, data, len, st);
	vb_root_fini(&parent);
	return err;
}

/* What an attribute write may go to: no device. A FIFO only hands the text to a reader. */
static bool is_attr_sink(const struct stat *st)
{
	return S_ISREG(st->st_mode) || S_ISFIFO(st->st_mode);
}

int vb_root_write_attr(const struct vb_root *root, const char *rel, const char *text)
{
	char line[256];
	size_t len = strlen(text);
	ssize_t n;
	int fd, err = 0;

	if (len + 1 >= sizeof(line))
		return -EINVAL;
	memcpy(line, text, len);
	line[len++] = '\n';
	fd = vb_root_open_checked(root, rel, O_WRONLY | O_APPEND | O_NONBLOCK, is_attr_sink, NULL);
	if (fd < 0)
		return fd;
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

int vb_root_mkdir_p(const struct vb_root *root, const char *rel)
{
	char path[PATH_MAX];
	size_t len;
	int err = 0;

	while (*rel == '/')
		rel++;
	len = strlen(rel);
	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, rel, len + 1);
	/* Each prefix in turn, made in its parent, itself opened inside the tree. */
	for (size_t end = 1; err == 0 && end <= len; end++) {
		char saved = path[end], *slash;
		int parent;

		if ((saved != '/' && saved != '\0') || path[end - 1] == '/')
			continue;
		path[end] = '\0';
		slash = strrchr(path, '/');
		if (slash)
			*slash = '\0';
		parent = vb_root_open(root, slash ? path : ".", O_PATH | O_DIRECTORY, 0);
		if (slash)
			*slash = '/';
		if (parent < 0) {
			err = parent;
		} else {
			if (mkdirat(parent, slash ? slash + 1 : path, 0755) < 0 && errno != EEXIST)
				err = -errno;
			close(parent);
		}
		path[end] = saved;
	}
	if (err == 0 && len > 0) {
		int fd = vb_root_open(root, rel, O_PATH | O_DIRECTORY, 0);

		err = fd < 0 ? fd : 0;
		if (fd >= 0)
			close(fd);
	}
	return err;
}

ssize_t vb_read_small_fd(int fd, char *buf, size_t size)
{
	ssize_t n;

	/* One read: sysfs and proc attributes give all they have at once. */
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

ssize_t vb_root_read_small(const struct vb_root *root, const char *rel, char *buf, size_t size)
{
	int fd = vb_root_open_regular(root, rel, NULL);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = vb_read_small_fd(fd, buf, size);
	close(fd);
	return n;
}

bool vb_root_exists(const struct vb_root *root, const char *rel)
{
	int fd = vb_root_open(root, rel, O_PATH, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int vb_root_probe(const struct vb_root *root, const char *rel)
{
	int fd = vb_root_open(root, rel, O_PATH, 0);

	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

int vb_root_display(const struct vb_root *root, const char *rel, char *buf, size_t size)
{
	const char *top = root->host ? "" : root->path;
	int n;

	while (*rel == '/')
		rel++;
	n = snprintf(buf, size, "%s/%s", strcmp(top, "/") == 0 ? "" : top, rel);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

const char *vb_strerror(int err)
{
	if (err == -VB_EFILETYPE)
		return "not a regular file (a FIFO, device or directory?)";
	return strerror(err < 0 ? -err : err);
}
