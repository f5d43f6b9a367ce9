/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* A growing list of owned message strings: diagnostics a pure step hands back. */
struct vb_msgs {
	char **items;
	size_t count;
};

/* Appends a formatted message. Returns 0, or -ENOMEM (the message is lost). */
int vb_msgs_add(struct vb_msgs *msgs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Frees every message and empties the list. */
void vb_msgs_free(struct vb_msgs *msgs);
