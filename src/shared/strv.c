// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

int vb_strv_add(struct vb_strv *msgs, const char *fmt, ...)
{
	va_list ap;
	char *text;
	char **grown;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -EINVAL;
	text = malloc((size_t)len + 1);
	if (!text)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(text, (size_t)len + 1, fmt, ap);
	va_end(ap);

	grown = realloc(msgs->items, (msgs->count + 1) * sizeof(*grown));
	if (!grown) {
		free(text);
		return -ENOMEM;
	}
	grown[msgs->count++] = text;
	msgs->items = grown;
	return 0;
}

void vb_strv_free(struct vb_strv *msgs)
{
	for (size_t i = 0; i < msgs->count; i++)
		free(msgs->items[i]);
	free(msgs->items);
	msgs->items = NULL;
	msgs->count = 0;
}

bool vb_strv_contains(const struct vb_strv *msgs, const char *s)
{
	for (size_t i = 0; i < msgs->count; i++)
		if (strcmp(msgs->items[i], s) == 0)
			return true;
	return false;
}

int vb_strv_add_unique(struct vb_strv *msgs, const char *s)
{
	return vb_strv_contains(msgs, s) ? 0 : vb_strv_add(msgs, "%s", s);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vb_strv_sort(struct vb_strv *msgs)
{
	if (msgs->count > 1)
		qsort(msgs->items, msgs->count, sizeof(*msgs->items), str_cmp);
}
