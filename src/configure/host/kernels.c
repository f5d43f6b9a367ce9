// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "kernels.h"

int vb_kernels_list(const struct vb_root *root, struct vb_strv *kernels, char *where,
		    size_t size)
{
	int fd = vb_root_open(root, "lib/modules", O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
	char rel[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int err = 0;

	if (fd == -ENOENT)
		return 0;
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		err = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		snprintf(where, size, "/lib/modules");
		return err;
	}
	while (err == 0) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			err = -errno;
			if (err < 0)
				snprintf(where, size, "/lib/modules");
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "lib/modules/%s/modules.dep", de->d_name);
		err = vb_root_probe(root, rel);
		if (err < 0)
			snprintf(where, size, "/%s", rel);
		else if (err > 0)
			err = vb_strv_add(kernels, "%s", de->d_name);
	}
	closedir(dir);
	vb_strv_sort(kernels);
	return err;
}
