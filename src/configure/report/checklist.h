/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "json.h"

/*
 * The result of `vfio-boot check`: one entry per thing looked at, in the order
 * looked at, each with its state and one line of detail. The checks fill it;
 * the command renders it as text or JSON.
 */
enum check_state { CHECK_OK, CHECK_WARN, CHECK_FAIL, CHECK_SKIP };

struct check_entry {
	const char *name;      /* "iommu", "selection", ... (static) */
	enum check_state state;
	char *detail;
};

struct check_list {
	struct check_entry *items;
	size_t count;
	size_t failures;       /* entries in CHECK_FAIL */
	size_t read_errors;    /* of them, files that could not be read: check fails (exit 1) */
	int err;               /* -ENOMEM when an entry was lost */
};

/* "ok", "warn", "fail", "skip". */
const char *check_state_name(enum check_state state);

/* Appends an entry (detail formatted). An entry that cannot be kept sets list->err. */
void check_add(struct check_list *list, const char *name, enum check_state state,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void check_list_free(struct check_list *list);

/* The list as text: one line per entry, then "ready" or "not ready". */
void check_list_text(FILE *out, const struct check_list *list);

/* The list as the members of check's --json answer: "checks", "ready". */
void check_list_json(struct vb_json *w, const struct check_list *list);
