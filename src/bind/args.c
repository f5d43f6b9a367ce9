// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"

__attribute__((format(printf, 1, 2))) static int wrong(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vfio-boot-bind: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vfio-boot-bind --help' for more information.\n", stderr);
	return '?';
}

/* The option named name (len bytes): exactly, or the one it begins; NULL after saying why not. */
static const struct bind_option *long_option(const struct bind_args *a, const char *name,
					     size_t len)
{
	const struct bind_option *found = NULL;
	int matches = 0;

	for (const struct bind_option *o = a->options; o->name; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o;
		found = o;
		matches++;
	}
	if (matches == 1)
		return found;
	wrong(matches ? "option '--%s' is ambiguous" : "unrecognized option '--%s'", name);
	return NULL;
}

/* The value of o: after '=' (eq), the rest of a cluster, or the next word. */
static int take_value(struct bind_args *a, const struct bind_option *o, const char *eq,
		      const char **value)
{
	*value = NULL;
	if (!o->takes_value)
		return eq ? wrong("option '--%s' takes no value", o->name) : o->letter;
	if (eq)
		*value = eq + 1;
	else if (a->cluster)
		*value = a->cluster;
	else if (a->next < a->argc)
		*value = a->argv[a->next++];
	a->cluster = NULL;
	if (!*value || !**value)
		return wrong("option --%s needs a value", o->name);
	return o->letter;
}

int bind_next_option(struct bind_args *a, const char **value)
{
	const struct bind_option *o;
	const char *arg, *eq;

	*value = NULL;
	if (!a->cluster) {
		arg = a->next < a->argc ? a->argv[a->next] : NULL;
		if (!arg || arg[0] != '-' || !arg[1])
			return 0; /* an operand, or the end */
		a->next++;
		if (strcmp(arg, "--") == 0)
			return 0;
		if (arg[1] == '-') {
			eq = strchr(arg + 2, '=');
			o = long_option(a, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
			return o ? take_value(a, o, eq, value) : '?';
		}
		a->cluster = arg + 1;
	}
	for (o = a->options; o->name && !(o->short_form && o->letter == *a->cluster); o++)
		;
	if (!o->name) {
		char letter[2] = { *a->cluster, '\0' };

		a->cluster = NULL;
		return wrong("invalid option -- '%s'", letter);
	}
	if (!*++a->cluster)
		a->cluster = NULL;
	return take_value(a, o, NULL, value);
}
