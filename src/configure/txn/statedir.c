// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "root_write.h"
#include "statedir.h"

#define POLL_MS 50

static int make_state_dir(const struct vb_root *root)
{
	int err = vb_root_mkdir_p(root, "var/lib");

	if (err == 0)
		err = vb_root_mkdir(root, VB_STATE_DIR, 0700);
	return err < 0 ? err : 0;
}

/* True when fd is still the file the lock path names. */
static bool still_the_lock(const struct vb_root *root, int fd)
{
	struct stat a, b;
	int path_fd = vb_root_open(root, VB_LOCK_PATH, O_PATH | O_NOFOLLOW, 0);
	bool same;

	if (path_fd < 0)
		return false;
	same = fstat(fd, &a) == 0 && fstat(path_fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
	close(path_fd);
	return same;
}

/* Who holds the flock on fd's file, from the kernel's /proc/locks (0 when unknown). */
static long read_holder(int fd)
{
	char *text = NULL;
	size_t len;
	struct stat st;
	long pid = 0;

	if (fstat(fd, &st) < 0 || vb_read_file_path("/proc/locks", 1 << 20, &text, &len, NULL) < 0)
		return 0;
	for (const char *line = text; *line && !pid; line += strcspn(line, "\n") + 1) {
		unsigned maj, min;
		unsigned long long ino;
		long who;

		/* "1: FLOCK  ADVISORY  WRITE 1234 08:02:5678 0 EOF"; waiters have "->" */
		if (sscanf(line, "%*d: FLOCK %*s %*s %ld %x:%x:%llu", &who, &maj, &min, &ino) == 4 &&
		    ino == (unsigned long long)st.st_ino && maj == major(st.st_dev) &&
		    min == minor(st.st_dev))
			pid = who;
		if (!line[strcspn(line, "\n")])
			break;
	}
	free(text);
	return pid;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A journal write a crash cut short leaves its temporary file. */
static void clean_journal_temp(const struct vb_root *root)
{
	struct vb_root_file f;

	if (vb_root_locate(root, VB_JOURNAL_PATH, true, &f) == 0) {
		vb_root_clean_temp(&f);
		vb_root_file_release(&f);
	}
}

int vb_state_lock(const struct vb_root *root, unsigned wait_seconds, void (*waiting)(void),
		  long *holder)
{
	long long deadline = now_ms() + (long long)wait_seconds * 1000;
	bool told = false;
	int lost = 0;

	*holder = 0;
	for (;;) {
		int err = make_state_dir(root), fd;

		fd = err < 0 ? err : vb_root_open(root, VB_LOCK_PATH, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
		/* The last run removed the directory meanwhile (between a look and a mkdir or open). */
		if ((fd == -ENOENT || fd == -EEXIST) && ++lost < 100)
			continue;
		if (fd < 0)
			return fd;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (!still_the_lock(root, fd)) {
				close(fd); /* locked a file its holder had just removed */
				continue;
			}
			/* Children keep it: a command outliving a killed vfio-boot holds the tree. */
			fcntl(fd, F_SETFD, 0);
			clean_journal_temp(root);
			return fd;
		}
		err = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		if (err == -EWOULDBLOCK && now_ms() < deadline) {
			if (!told && waiting)
				waiting();
			told = true;
			close(fd);
			nanosleep(&(struct timespec){ 0, POLL_MS * 1000000L }, NULL);
			continue;
		}
		if (err == -EWOULDBLOCK)
			*holder = read_holder(fd);
		close(fd);
		return err;
	}
}

bool vb_state_exists(const struct vb_root *root)
{
	struct vb_root_file f;
	struct stat st;
	bool exists = vb_root_locate(root, VB_JOURNAL_PATH, true, &f) == 0 &&
		      fstatat(f.dirfd, f.name, &st, AT_SYMLINK_NOFOLLOW) == 0;

	vb_root_file_release(&f);
	return exists;
}

bool vb_state_dir_exists(const struct vb_root *root)
{
	return vb_root_exists(root, VB_STATE_DIR);
}

void vb_state_unlock(const struct vb_root *root, int lock_fd)
{
	struct vb_root_file f;

	if (lock_fd < 0)
		return;
	if (!vb_state_exists(root)) {
		clean_journal_temp(root);
		if (vb_root_locate(root, VB_LOCK_PATH, true, &f) == 0) {
			unlinkat(f.dirfd, f.name, 0);
			vb_root_file_release(&f);
		}
		vb_root_rmdir(root, VB_STATE_DIR);
	}
	close(lock_fd);
}

int vb_state_load(const struct vb_root *root, struct vb_journal *j, struct vb_journal_damage *d)
{
	struct vb_root_file f;
	char *data = NULL;
	size_t len = 0;
	int err = vb_root_locate(root, VB_JOURNAL_PATH, true, &f);

	memset(j, 0, sizeof(*j));
	memset(d, 0, sizeof(*d));
	if (err == 0)
		err = vb_root_file_read(&f, VB_JOURNAL_MAX, &data, &len, NULL, NULL);
	vb_root_file_release(&f);
	if (err == -EFBIG) {
		snprintf(d->why, sizeof(d->why), "larger than %d MiB", VB_JOURNAL_MAX >> 20);
		d->record = 1;
		return -EBADMSG;
	}
	if (err < 0)
		return err;
	err = vb_journal_parse(data, len, j, d);
	free(data);
	return err;
}

int vb_state_store(const struct vb_root *root, const struct vb_journal *j)
{
	struct vb_root_file f;
	char *data = NULL;
	size_t len = 0;
	int err;

	if (j->ndone == 0 && !j->open) {
		err = vb_root_locate(root, VB_JOURNAL_PATH, true, &f);
		if (err == -ENOENT)
			return 0;
		if (err == 0)
			err = vb_root_remove(&f);
		vb_root_file_release(&f);
		return err < 0 ? err : 0;
	}
	err = vb_journal_format(j, &data, &len);
	if (err == 0)
		err = vb_root_locate(root, VB_JOURNAL_PATH, true, &f);
	if (err == -ENOENT && (err = make_state_dir(root)) == 0)
		err = vb_root_locate(root, VB_JOURNAL_PATH, true, &f);
	if (err == 0) {
		const struct vb_root_meta meta = { 0600, (uid_t)-1, (gid_t)-1, NULL };

		err = vb_root_replace(&f, data, len, &meta, vb_root_set_meta);
		vb_root_file_release(&f);
	}
	free(data);
	return err;
}
