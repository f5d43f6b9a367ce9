/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <getopt.h>

/* The long name of option c in longopts ("wait"), or NULL when it has none. */
const char *vb_option_name(const struct option *longopts, int c);

/*
 * The rule both programs apply to every option that takes a value: an empty
 * value ("--status=", "-r ''") is refused. Call it for each option getopt_long
 * returns, with its optarg. Prints "PROG: option --NAME needs a value" and
 * the --help hint on stderr and returns -EINVAL; else returns 0.
 */
int vb_option_check_value(const char *prog, const struct option *longopts, int c,
			  const char *value);
