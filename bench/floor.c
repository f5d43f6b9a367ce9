// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/floor.c: the syscall floor, the least any binder must do to learn
 * what is in a tree: list ROOT/sys/bus/pci/devices and read each entry's
 * modalias once (open, one read, close). No safety at all: it follows every
 * link, opens whatever is there, and checks nothing. Not shipped: bench/run.sh
 * builds it as the binder is built (static, musl) and counts the system calls
 * of both with strace. Prints how many modalias files it read.
 *
 * Usage: floor ROOT
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], modalias[256];
	unsigned long count = 0;
	struct dirent *de;
	DIR *dir;

	if (argc != 2) {
		fputs("usage: floor ROOT\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", argv[1]);
	dir = opendir(path);
	if (!dir) {
		perror(path);
		return 1;
	}
	while ((de = readdir(dir)) != NULL) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
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
