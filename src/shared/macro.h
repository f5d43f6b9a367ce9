/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The number of elements of an array (not of a pointer: that fails to build). */
#define ARRAY_SIZE(a) \
	(sizeof(a) / sizeof((a)[0]) + \
	 0 * sizeof(struct { int not_an_array : __builtin_types_compatible_p(__typeof__(a), \
									   __typeof__(&(a)[0])) ? -1 : 1; }))
