// SPDX-License-Identifier: GPL-2.0-or-later
/* Who holds a VFIO group open: the processes whose descriptors link to /dev/vfio/N. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live.h"
#include "root.h"

/* The group of a descriptor's link target "/dev/vfio/N"; -1 when it is another file. */
static long vfio_group_of(const char *target)
{
	static const char prefix[] = "/dev/vfio/";
	char *end;
	long n;

	if (strncmp(target, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	target += sizeof(prefix) - 1;
	if (*target < '0' || *target > '9')
		return -1;
	n = strtol(target, &end, 10);
	return *end ? -1 : n;
}

static bool wanted(const long *groups, size_t ngroups, long group)
{
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return true;
	return false;
}

static int add_holder(const struct vb_root *root, pid_t pid, long group,
		      struct live_holders *out)
{
	char rel[64];
	struct live_holder *h;
	ssize_t n;

	for (size_t i = 0; i < out->count; i++)
		if (out->items[i].pid == pid && out->items[i].group == group)
			return 0;
	h = realloc(out->items, (out->count + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	out->items = h;
	h = &out->items[out->count++];
	h->pid = pid;
	h->group = group;
	snprintf(rel, sizeof(rel), "proc/%ld/comm", (long)pid);
	n = vb_root_read_small(root, rel, h->comm, sizeof(h->comm));
	if (n <= 0)
		snprintf(h->comm, sizeof(h->comm), "?");
	else
		h->comm[strcspn(h->comm, "\n")] = '\0';
	return 0;
}

/* Looks at the descriptors of process pid (a process gone meanwhile has none). */
static int scan_process(const struct vb_root *root, pid_t pid, const long *groups,
			size_t ngroups, struct live_holders *out)
{
	char rel[64], target[64];
	struct dirent *d;
	size_t seen = 0;
	DIR *dir;
	int fd, err = 0;

	snprintf(rel, sizeof(rel), "proc/%ld/fd", (long)pid);
	fd = vb_root_open(root, rel, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while (err == 0 && seen++ < LIVE_PROC_FDS_MAX && (d = readdir(dir))) {
		ssize_t n = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		long group;

		if (n <= 0)
			continue;
		target[n] = '\0';
		group = vfio_group_of(target);
		if (group >= 0 && wanted(groups, ngroups, group))
			err = add_holder(root, pid, group, out);
	}
	closedir(dir);
	return err;
}

int live_find_holders(const struct vb_root *root, const long *groups, size_t ngroups,
		      struct live_holders *out)
{
	struct dirent *d;
	DIR *dir;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	if (ngroups == 0)
		return 0;
	fd = vb_root_open(root, "proc", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		err = -errno;
		close(fd);
		return err;
	}
	while (err == 0 && (d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (d->d_name[0] >= '1' && d->d_name[0] <= '9' && !*end)
			err = scan_process(root, (pid_t)pid, groups, ngroups, out);
	}
	closedir(dir);
	if (err < 0)
		live_holders_free(out);
	return err;
}

void live_holders_free(struct live_holders *h)
{
	free(h->items);
	memset(h, 0, sizeof(*h));
}
