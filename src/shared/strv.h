/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A string vector: a growing list of owned strings (diagnostics a pure step hands back, names). */
struct vb_strv {
	char **items;
	size_t count;
};

/* Appends a formatted message. Returns 0, or -ENOMEM (the message is lost). */
int vb_strv_add(struct vb_strv *msgs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends s unless the list holds it already. Returns 0, or -ENOMEM. */
int vb_strv_add_unique(struct vb_strv *msgs, const char *s);

/* True when the list holds s. */
bool vb_strv_contains(const struct vb_strv *msgs, const char *s);

/* Sorts the list bytewise. */
void vb_strv_sort(struct vb_strv *msgs);

/* Frees every message and empties the list. */
void vb_strv_free(struct vb_strv *msgs);
