// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/floor.c: the syscall floor, the least any binder must do to learn
 * what is in a tree: list ROOT/sys/bus/pci/devices and read each entry's
 * modalias once (open, one read, close). No safety at all: it follows every
 * link, opens whatever is there, and checks nothing. Not shipped: bench/run.sh
 * builds it as the binder is built (static, musl) and counts the system calls
 * of both with strace. Prints how many modalias files it read.
 *
 * With --confined, the least a reader confined to ROOT needs for what
 * `vfio-boot list` shows: each function's directory opened inside the tree
 * (openat2, RESOLVE_IN_ROOT, O_PATH), its modalias opened below it and read,
 * its iommu_group and driver links read, both descriptors closed. Still no
 * check of what an entry is, no listing of the directory, no names, no
 * module lookups: bench/configurator.sh runs it beside list to show how much
 * of list's time this machine's system calls take by themselves.
 *
 * Usage: floor [--confined] ROOT
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct open_how and RESOLVE_* (linux/openat2.h), which musl lacks. */
struct how {
	uint64_t flags, mode, resolve;
};
#define IN_ROOT_NO_MAGICLINKS (0x02 | 0x10) /* RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT */

/* One function the confined way; 1 when its modalias was read. */
static int confined(int root, const char *name)
{
	char path[4096], buf[4096];
	struct how how = { O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT_NO_MAGICLINKS };
	int dir, fd, got = 0;

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", name);
	dir = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (dir < 0)
		return 0;
	fd = openat(dir, "modalias", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		got = read(fd, buf, 256) > 0;
		close(fd);
	}
	(void)readlinkat(dir, "iommu_group", buf, sizeof(buf));
	(void)readlinkat(dir, "driver", buf, sizeof(buf));
	close(dir);
	return got;
}

int main(int argc, char **argv)
{
	char path[4096], modalias[256];
	unsigned long count = 0;
	int is_confined = argc == 3 && strcmp(argv[1], "--confined") == 0;
	const char *top = argv[argc - 1];
	struct dirent *de;
	int root = -1;
	DIR *dir;

	if (argc != 2 && !is_confined) {
		fputs("usage: floor [--confined] ROOT\n", stderr);
		return 2;
	}
	if (is_confined && (root = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		perror(top);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", top);
	dir = opendir(path);
	if (!dir) {
		perror(path);
		return 1;
	}
	while ((de = readdir(dir)) != NULL) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		if (is_confined) {
			count += (unsigned long)confined(root, de->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/modalias", de->d_name);
		fd = openat(dirfd(dir), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (read(fd, modalias, sizeof(modalias)) > 0)
			count++;
		close(fd);
	}
	closedir(dir);
	printf("%lu\n", count);
	return 0;
}
