// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "path.h"
#include "status.h"
#include "status_file.h"

#define DEFAULT_DIR "run/vfio-boot"
#define DEFAULT_NAME "status.json"

/* The directory the report goes to (made when missing), and its name there. */
static int report_dir(const struct vb_status_place *place, const char **name)
{
	char dir[PATH_MAX];
	const char *slash;
	int err, fd;

	if (!place->path) {
		*name = DEFAULT_NAME;
		err = vb_root_mkdir_p(place->root, DEFAULT_DIR);
		if (err < 0)
			return err;
		return vb_root_open(place->root, DEFAULT_DIR, O_RDONLY | O_DIRECTORY, 0);
	}
	slash = strrchr(place->path, '/');
	*name = slash ? slash + 1 : place->path;
	if (!**name || strlen(*name) > NAME_MAX - 8)
		return -EISDIR;
	if ((size_t)snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - place->path) : 1,
			     slash ? place->path : ".") >= sizeof(dir))
		return -ENAMETOOLONG;
	if (slash == place->path)
		strcpy(dir, "/");
	err = vb_mkdir_p(dir);
	if (err < 0)
		return err;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int vb_status_lock(const struct vb_status_place *place, unsigned wait_ms)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	char lock[NAME_MAX + 1];
	const char *name;
	struct stat st;
	int dirfd = report_dir(place, &name), fd;

	if (dirfd < 0)
		return dirfd;
	snprintf(lock, sizeof(lock), "%s.lock", name);
	/* Never a FIFO or a device left there: a regular file, or nothing. */
	fd = openat(dirfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	close(dirfd);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -VB_EFILETYPE;
	}
	for (unsigned waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 20) {
		int err = errno;

		if (err != EWOULDBLOCK || waited >= wait_ms) {
			close(fd);
			return err == EWOULDBLOCK ? -ETIMEDOUT : -err;
		}
		nanosleep(&pause, NULL);
	}
	return fd;
}

void vb_status_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* the lock goes with the descriptor */
}

int vb_status_read(const struct vb_status_place *place, struct vb_json_value *doc, char *why,
		   size_t why_size)
{
	char *text = NULL;
	size_t len = 0;
	int err = place->path ?
			  vb_read_file_path(place->path, VB_STATUS_MAX, &text, &len, NULL) :
			  vb_root_read_file(place->root, DEFAULT_DIR "/" DEFAULT_NAME, VB_STATUS_MAX,
					    &text, &len, NULL);

	if (err == 0)
		err = vb_json_parse(text, len, doc, why, why_size);
	free(text);
	if (err == 0 && (!vb_json_member(doc, "devices") ||
			 vb_json_member(doc, "devices")->type != VB_JSON_ARRAY)) {
		vb_json_free(doc);
		snprintf(why, why_size, "no devices list");
		err = -EINVAL;
	}
	return err;
}

int vb_status_replace(const struct vb_status_place *place,
		      int (*write)(FILE *out, const void *ctx), const void *ctx)
{
	char tmp[NAME_MAX + 1];
	const char *name;
	FILE *out;
	int dirfd, fd, err = 0;

	dirfd = report_dir(place, &name);
	if (dirfd < 0)
		return dirfd;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	/* Whatever an earlier run left there (even a FIFO) is replaced, never opened. */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		close(dirfd);
		return err;
	}
	err = write(out, ctx);
	if (fflush(out) != 0 || ferror(out))
		err = errno ? -errno : -EIO;
	if (fclose(out) != 0 && err == 0)
		err = -errno;
	if (err == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		err = -errno;
	if (err < 0)
		unlinkat(dirfd, tmp, 0);
	close(dirfd);
	return err;
}
