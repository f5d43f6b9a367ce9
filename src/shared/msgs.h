/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A growing list of owned message strings: diagnostics a pure step hands back. */
struct vb_msgs {
	char **items;
	size_t count;
};

/* Appends a formatted message. Returns 0, or -ENOMEM (the message is lost). */
int vb_msgs_add(struct vb_msgs *msgs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends s unless the list holds it already. Returns 0, or -ENOMEM. */
int vb_msgs_add_unique(struct vb_msgs *msgs, const char *s);

/* True when the list holds s. */
bool vb_msgs_contains(const struct vb_msgs *msgs, const char *s);

/* Sorts the list bytewise. */
void vb_msgs_sort(struct vb_msgs *msgs);

/* Frees every message and empties the list. */
void vb_msgs_free(struct vb_msgs *msgs);
