// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "udiff.h"
#include "unit.h"

static void check_diff(const char *a, const char *b, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	CHECK(out && vb_udiff(out, "a/f", a, strlen(a), "b/f", b, strlen(b)) == 0);
	if (out)
		fclose(out);
	CHECK_STR(text, want);
	free(text);
}

int main(void)
{
	static const char ten[] = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";

	check_diff("", "", "--- a/f\n+++ b/f\n");
	check_diff(ten, ten, "--- a/f\n+++ b/f\n");
	check_diff("", "x\ny\n", "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	check_diff("x\n", "", "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n");
	check_diff("x", "x\n",
		   "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n");
	check_diff("1\n2\n3\n4\n5\n", "1\n2\n3\n3a\n4\n5\n",
		   "--- a/f\n+++ b/f\n@@ -1,5 +1,6 @@\n 1\n 2\n 3\n+3a\n 4\n 5\n");
	/* Changes 7 unchanged lines apart: two hunks; 6 apart: one. */
	check_diff(ten, "X\n2\n3\n4\n5\n6\n7\n8\nY\n10\n",
		   "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n"
		   "@@ -6,5 +6,5 @@\n 6\n 7\n 8\n-9\n+Y\n 10\n");
	check_diff(ten, "X\n2\n3\n4\n5\n6\n7\nY\n9\n10\n",
		   "--- a/f\n+++ b/f\n@@ -1,10 +1,10 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n 7\n"
		   "-8\n+Y\n 9\n 10\n");
	return unit_report("udiff");
}
