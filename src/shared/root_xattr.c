// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "root_xattr.h"

#define TRIES 8 /* a list or value that keeps growing between two calls */

void vb_xattrs_free(struct vb_xattrs *x)
{
	for (size_t i = 0; i < x->count; i++) {
		free(x->items[i].name);
		free(x->items[i].value);
	}
	free(x->items);
	x->items = NULL;
	x->count = 0;
}

int vb_xattrs_add(struct vb_xattrs *x, const char *name, const void *value, size_t len)
{
	struct vb_xattr *grown = realloc(x->items, (x->count + 1) * sizeof(*grown));
	struct vb_xattr *a;

	if (!grown)
		return -ENOMEM;
	x->items = grown;
	a = &grown[x->count];
	a->name = strdup(name);
	a->value = malloc(len ? len : 1);
	a->len = len;
	if (!a->name || !a->value) {
		free(a->name);
		free(a->value);
		return -ENOMEM;
	}
	memcpy(a->value, value, len);
	x->count++;
	return 0;
}

int vb_xattrs_copy(struct vb_xattrs *to, const struct vb_xattrs *from)
{
	int err = 0;

	vb_xattrs_free(to);
	for (size_t i = 0; err == 0 && i < from->count; i++)
		err = vb_xattrs_add(to, from->items[i].name, from->items[i].value, from->items[i].len);
	if (err < 0)
		vb_xattrs_free(to);
	return err;
}

/* The value of name on fd, appended to x; one that went away meanwhile is left out. */
static int read_value(int fd, const char *name, struct vb_xattrs *x)
{
	for (int tries = 0; tries < TRIES; tries++) {
		ssize_t size = fgetxattr(fd, name, NULL, 0), n;
		char *value;
		int err;

		if (size < 0)
			return errno == ENODATA ? 0 : -errno;
		value = malloc((size_t)size + 1);
		if (!value)
			return -ENOMEM;
		n = fgetxattr(fd, name, value, (size_t)size);
		err = n < 0 ? -errno : vb_xattrs_add(x, name, value, (size_t)n);
		free(value);
		if (err != -ERANGE)
			return err == -ENODATA ? 0 : err;
	}
	return -ERANGE;
}

/* The NUL-separated list of fd's attribute names in a new buffer (*len bytes; NULL when none). */
static int read_names(int fd, char **names, ssize_t *len)
{
	*names = NULL;
	for (int tries = 0; tries < TRIES; tries++) {
		ssize_t size = flistxattr(fd, NULL, 0);

		if (size < 0)
			return errno == ENOTSUP ? 0 : -errno; /* a file system without them */
		*len = size;
		if (size == 0)
			return 0;
		*names = malloc((size_t)size + 1);
		if (!*names)
			return -ENOMEM;
		*len = flistxattr(fd, *names, (size_t)size);
		if (*len >= 0) {
			(*names)[*len] = '\0'; /* the last name ends even in a torn list */
			return 0;
		}
		free(*names);
		*names = NULL;
		if (errno != ERANGE)
			return -errno;
	}
	return -ERANGE;
}

int vb_xattrs_read_fd(int fd, struct vb_xattrs *x)
{
	char *names;
	ssize_t len = 0;
	int err;

	vb_xattrs_free(x);
	err = read_names(fd, &names, &len);
	for (ssize_t at = 0; err == 0 && names && at < len; at += (ssize_t)strlen(names + at) + 1)
		err = read_value(fd, names + at, x);
	free(names);
	if (err < 0)
		vb_xattrs_free(x);
	return err;
}

int vb_xattrs_apply_fd(int fd, const struct vb_xattrs *x)
{
	for (size_t i = 0; i < x->count; i++)
		if (fsetxattr(fd, x->items[i].name, x->items[i].value, x->items[i].len, 0) < 0)
			return -errno;
	return 0;
}
