// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>

#include "options.h"

const char *vb_option_name(const struct option *longopts, int c)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c && !o->flag)
			return o->name;
	return NULL;
}

int vb_option_check_value(const char *prog, const struct option *longopts, int c,
			  const char *value)
{
	const char *name = vb_option_name(longopts, c);

	if (!value || value[0])
		return 0;
	if (name)
		fprintf(stderr, "%s: option --%s needs a value\n", prog, name);
	else
		fprintf(stderr, "%s: option -%c needs a value\n", prog, c);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return -EINVAL;
}
