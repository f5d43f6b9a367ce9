/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

/* Writes s as a JSON string literal, or null when s is NULL. */
void vb_json_string(FILE *out, const char *s);

/* Writes s as a JSON string, or null when s is NULL or empty. */
void vb_json_string_or_null(FILE *out, const char *s);
