/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * The binder's command line, read as getopt_long reads one (--name VALUE,
 * --name=VALUE, a unique prefix of a name, -x VALUE, -xVALUE, -nq, "--" ends
 * the options), in a fraction of its size: the binder lives in every
 * initramfs, under 96 KiB.
 */
struct bind_option {
	const char *name; /* the long name */
	char letter;      /* what bind_next_option returns for it */
	bool short_form;  /* -LETTER works too */
	bool takes_value;
};

struct bind_args {
	int argc;
	char **argv;
	int next;              /* index of the next word; the first operand at the end */
	const char *cluster;   /* the rest of a word of short options ("-nq"), or NULL */
	const struct bind_option *options; /* ends with a NULL name */
};

/*
 * The next option's letter, its value in *value (NULL when it takes none);
 * 0 at the end of the options; '?' after printing what is wrong with it
 * (unknown, ambiguous, a value missing, empty or not allowed) and the
 * --help hint on stderr.
 */
int bind_next_option(struct bind_args *a, const char **value);
