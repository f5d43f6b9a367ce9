/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

/*
 * Writes a unified diff (3 lines of context, as `diff -u`) turning text a into
 * text b, under the headers "--- LABEL_A" and "+++ LABEL_B", which are written
 * even when the texts are equal. Small edits get a minimal diff; when the
 * changed middle is huge it is shown as removed and added whole.
 * Returns 0, -ENOMEM, or -EIO when out failed.
 */
int vb_udiff(FILE *out, const char *label_a, const char *a, size_t alen, const char *label_b,
	     const char *b, size_t blen);
