// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "checklist.h"

const char *check_state_name(enum check_state state)
{
	static const char *const names[] = { "ok", "warn", "fail", "skip" };

	return names[state];
}

void check_add(struct check_list *list, const char *name, enum check_state state,
	       const char *fmt, ...)
{
	struct check_entry *items = reallocarray(list->items, list->count + 1, sizeof(*items));
	char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	/* A failure is never lost: it still counts when its line cannot be kept. */
	list->failures += state == CHECK_FAIL;
	if (!items || !detail) {
		free(detail);
		list->items = items ? items : list->items;
		list->err = -ENOMEM;
		return;
	}
	list->items = items;
	list->items[list->count++] = (struct check_entry){ name, state, detail };
}

void check_list_free(struct check_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].detail);
	free(list->items);
	*list = (struct check_list){ 0 };
}
