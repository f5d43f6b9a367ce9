// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checklist.h"
#include "text.h"

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

void check_list_text(FILE *out, const struct check_list *c)
{
	for (size_t i = 0; i < c->count; i++) {
		const struct check_entry *e = &c->items[i];
		/* Room for every byte as \xNN: a detail is shown whole (it may be a command). */
		size_t size = strlen(e->detail) * 4 + 1;
		char line[512], *whole = size > sizeof(line) ? malloc(size) : NULL;

		/* it quotes config lines */
		vb_text_printable(whole ? whole : line, whole ? size : sizeof(line), e->detail);
		fprintf(out, "%-5s %-16s %s\n", check_state_name(e->state), e->name,
			whole ? whole : line);
		free(whole);
	}
	fprintf(out, "%s\n", c->failures ? "not ready" : "ready");
}

void check_list_json(struct vb_json *w, const struct check_list *c)
{
	vb_json_key(w, "checks");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < c->count; i++) {
		vb_json_begin_object(w, VB_JSON_INLINE);
		vb_json_field_string(w, "name", c->items[i].name);
		vb_json_field_string(w, "state", check_state_name(c->items[i].state));
		vb_json_field_string(w, "detail", c->items[i].detail);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
	vb_json_field_bool(w, "ready", c->failures == 0);
}
