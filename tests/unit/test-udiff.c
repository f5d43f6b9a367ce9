// SPDX-License-Identifier: GPL-2.0-or-later
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "run.h"
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

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fwrite(text, 1, len, f) == len);
	if (f)
		fclose(f);
}

/* The diff from a to b, applied to a by patch(1) itself, gives b. */
static void check_patch_applies(const char *dir, const char *a, const char *b)
{
	char pa[PATH_MAX], pd[PATH_MAX], po[PATH_MAX], *diff = NULL, got[4096];
	const char *argv[] = { "patch", "-s", "-f", "-o", po, pa, pd, NULL };
	size_t len = 0, n = 0;
	FILE *out = open_memstream(&diff, &len), *f;

	snprintf(pa, sizeof(pa), "%s/a", dir);
	snprintf(pd, sizeof(pd), "%s/diff", dir);
	snprintf(po, sizeof(po), "%s/out", dir);
	CHECK(out && vb_udiff(out, "a/f", a, strlen(a), "b/f", b, strlen(b)) == 0);
	if (out)
		fclose(out);
	write_file(pa, a, strlen(a));
	write_file(pd, diff, len);
	unlink(po);
	/* patch refuses a diff with no hunk: there is nothing to apply then. */
	if (strstr(diff, "@@") && vb_run(NULL, argv, 10000) == 0 && (f = fopen(po, "r"))) {
		n = fread(got, 1, sizeof(got) - 1, f);
		fclose(f);
	} else {
		CHECK(strstr(diff, "@@") == NULL);
		n = strlen(a) < sizeof(got) ? strlen(a) : 0;
		memcpy(got, a, n);
	}
	got[n] = '\0';
	CHECK_STR(got, b);
	free(diff);
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
	{
		static const char *const pairs[][2] = {
			{ "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "X\n2\n3\n4\n5\n6\n7\n8\nY\n10\n" },
			{ "", "x\ny\n" },
			{ "x\n", "" },
			{ "x", "x\n" },
			{ "a\nb", "a\nc" },
			{ "a\nb\n", "a\nb" },
			{ "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"\n" },
			{ "same\n", "same\n" },
		};
		char dir[] = "/tmp/vfio-boot-test-udiff.XXXXXX";

		CHECK(mkdtemp(dir) != NULL);
		for (size_t i = 0; i < ARRAY_SIZE(pairs); i++)
			check_patch_applies(dir, pairs[i][0], pairs[i][1]);
		CHECK(vb_run(NULL, (const char *[]){ "rm", "-rf", dir, NULL }, VB_RUN_NO_LIMIT) == 0);
	}
	return unit_report("udiff");
}
