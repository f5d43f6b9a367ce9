// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "root_write.h"
#include "status.h"
#include "status_file.h"

#define DEFAULT_PATH "run/vfio-boot/status.json"

/*
 * Where the report is: in the tree, or (--status FILE) in the running
 * system, made absolute. in is set to the root to use (host, opened at "/",
 * for a FILE). Returns 0 or -errno.
 */
static int report_path(const struct vb_status_place *place, struct vb_root *host,
		       const struct vb_root **in, char *path, size_t size)
{
	char cwd[PATH_MAX] = "";
	int n;

	*in = place->root;
	if (!place->path)
		return snprintf(path, size, "%s", DEFAULT_PATH) >= (int)size ? -ENAMETOOLONG : 0;
	if (place->path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return -errno;
	n = snprintf(path, size, "%s%s%s", cwd, cwd[0] ? "/" : "", place->path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	*in = host;
	return vb_root_init(host, "/");
}

/* Makes the directory of path (in the tree in) when missing. */
static int make_dir_of(const struct vb_root *in, char *path)
{
	char *slash = strrchr(path, '/');
	int err;

	if (!slash || slash == path)
		return 0;
	*slash = '\0';
	err = vb_root_mkdir_p(in, path);
	*slash = '/';
	return err;
}

int vb_status_lock(const struct vb_status_place *place, unsigned wait_ms)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct vb_root host = { .fd = -1 };
	const struct vb_root *in;
	char path[PATH_MAX], lock[PATH_MAX + 8];
	struct stat st;
	int fd, err = report_path(place, &host, &in, path, sizeof(path));

	if (err == 0)
		err = make_dir_of(in, path);
	if (err < 0) {
		vb_root_fini(&host);
		return err;
	}
	snprintf(lock, sizeof(lock), "%s.lock", path);
	/* Never a FIFO or a device left there: a regular file, or nothing. */
	fd = vb_root_open(in, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0600);
	vb_root_fini(&host);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -VB_EFILETYPE;
	}
	for (unsigned waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 20) {
		err = errno;
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
	struct vb_root host = { .fd = -1 };
	const struct vb_root *in;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int err = report_path(place, &host, &in, path, sizeof(path));

	if (err == 0)
		err = vb_root_read_file(in, path, VB_STATUS_MAX, &text, &len, NULL);
	vb_root_fini(&host);
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
	/* Ours, its mode as the umask leaves it: no owner or attributes to set. */
	const struct vb_root_meta meta = { 0644, (uid_t)-1, (gid_t)-1, NULL };
	struct vb_root host = { .fd = -1 };
	struct vb_root_file f = { .dirfd = -1 };
	const struct vb_root *in;
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *out = NULL;
	int err = report_path(place, &host, &in, path, sizeof(path));

	if (err == 0) {
		out = open_memstream(&text, &len);
		err = out ? write(out, ctx) : -ENOMEM;
	}
	if (out && fclose(out) != 0 && err == 0)
		err = -ENOMEM;
	/* Its directory made first, then the file itself replaced (a link there too). */
	if (err == 0)
		err = make_dir_of(in, path);
	if (err == 0)
		err = vb_root_locate(in, path, false, &f);
	if (err == 0)
		err = vb_root_replace(&f, text, len, &meta, NULL);
	vb_root_file_release(&f);
	vb_root_fini(&host);
	free(text);
	return err;
}
