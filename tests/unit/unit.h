/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A minimal test harness: CHECK records a failure and goes on. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (cond) {                                                      \
			unit_passed++;                                           \
		} else {                                                         \
			unit_failed++;                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                          \
		}                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                          \
	do {                                                                     \
		const char *a_ = (a), *b_ = (b);                                 \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                           \
			unit_passed++;                                           \
		} else {                                                         \
			unit_failed++;                                           \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__, \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");         \
		}                                                                \
	} while (0)

/* A number below n from the xorshift generator at *state: generated tests stay reproducible. */
static inline unsigned unit_rand(unsigned long long *state, unsigned n)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned)(*state % n);
}

/* Writes text to dir/rel, created or truncated; a failure counts as one. */
static inline void unit_put(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The first 255 bytes of the file at path (a static buffer), or "(absent)". */
static inline const char *unit_file_text(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "(absent)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline int unit_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
