// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modprobe_ids.h"

#define MODPROBE_FILE_MAX (1024 * 1024)

size_t vb_modprobe_line_len(const char *text)
{
	size_t len = strcspn(text, "\n");

	while (len > 0 && text[len - 1] == '\\' && text[len] == '\n')
		len += 1 + strcspn(text + len + 1, "\n");
	return len;
}

char *vb_modprobe_line_joined(const char *line, size_t len)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\\' && i + 1 < len && line[i + 1] == '\n')
			i++;
		else
			out[n++] = line[i];
	}
	out[n] = '\0';
	return out;
}

bool vb_is_vfio_ids_option(const char *line, size_t len)
{
	char *copy = vb_modprobe_line_joined(line, len), *save = NULL, *word;
	bool ids = false;
	int n = 0;

	if (!copy)
		return false;
	for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save), n++) {
		if ((n == 0 && strcmp(word, "options") != 0) ||
		    (n == 1 && strcmp(word, "vfio-pci") != 0 && strcmp(word, "vfio_pci") != 0))
			break;
		ids = ids || (n >= 2 && strncmp(word, "ids=", 4) == 0);
	}
	free(copy);
	return ids;
}

/* Adds the ids= lines of the file rel to where. A file gone since the listing has none. */
static int scan_file(const struct vb_root *root, const char *rel, struct vb_strv *where)
{
	char *text;
	size_t len, line = 1;
	int err = vb_root_read_file(root, rel, MODPROBE_FILE_MAX, &text, &len, NULL);

	if (err < 0)
		return err == -ENOENT ? 0 : err;
	for (const char *l = text; *l && err == 0;) {
		size_t n = vb_modprobe_line_len(l);

		if (vb_is_vfio_ids_option(l, n))
			err = vb_strv_add(where, "/%s:%zu", rel, line);
		for (size_t i = 0; i < n; i++)
			line += l[i] == '\n';
		line++;
		l += n + (l[n] == '\n');
	}
	free(text);
	return err;
}

int vb_find_ids_options(const struct vb_root *root, const char *skip, struct vb_strv *where,
			char *unreadable, size_t size)
{
	int fd = vb_root_open(root, "etc/modprobe.d", O_RDONLY | O_DIRECTORY, 0), err = 0;
	struct vb_strv names = { 0 };
	struct dirent *de;
	DIR *dir;

	snprintf(unreadable, size, "/etc/modprobe.d");
	if (fd == -ENOENT || fd == -ENOTDIR)
		return 0;
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		err = fd >= 0 ? -errno : fd;
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (err == 0) {
		size_t nlen;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			err = -errno;
			break;
		}
		nlen = strlen(de->d_name);
		if (nlen > 5 && strcmp(de->d_name + nlen - 5, ".conf") == 0 &&
		    (!skip || strcmp(de->d_name, skip) != 0))
			err = vb_strv_add(&names, "etc/modprobe.d/%s", de->d_name);
	}
	closedir(dir);
	vb_strv_sort(&names);
	for (size_t i = 0; i < names.count && err == 0; i++) {
		err = scan_file(root, names.items[i], where);
		if (err < 0)
			snprintf(unreadable, size, "/%s", names.items[i]);
	}
	vb_strv_free(&names);
	return err;
}
