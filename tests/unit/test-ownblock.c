// SPDX-License-Identifier: GPL-2.0-or-later
/* configure's block in a file it shares: replaced whole, the admin's lines kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ownblock.h"
#include "unit.h"

#define B VB_BLOCK_BEGIN "\n"
#define E VB_BLOCK_END "\n"

static void set(const char *in, const char *body, const char *want)
{
	char *out = NULL, *got = NULL;
	size_t len = 0;

	CHECK(vb_ownblock_set(in, strlen(in), body, &out, &len) == 0);
	CHECK_STR(out, want);
	CHECK(out && strlen(out) == len);
	/* Its block reads back as the body (with its newline). */
	if (out && vb_ownblock_get(out, len, &got) == 0 && body[0])
		CHECK(strncmp(got, body, strlen(body)) == 0);
	free(got);
	free(out);
}

int main(void)
{
	char *out = NULL, *body = NULL;
	size_t len;

	set("", "softdep a pre: vfio-pci\n", B "softdep a pre: vfio-pci\n" E);
	set("options vfio-pci disable_vga=1\n", "x\n",
	    "options vfio-pci disable_vga=1\n" B "x\n" E);
	/* A last line without its newline gets one before the block. */
	set("options vfio-pci disable_vga=1", "x", "options vfio-pci disable_vga=1\n" B "x\n" E);
	/* Replaced where it is, the lines around it untouched. */
	set("a\n" B "old\nolder\n" E "b\n", "new\n", "a\n" B "new\n" E "b\n");
	/* An empty body takes the block out, markers and all. */
	set("a\n" B "old\n" E "b\n", "", "a\nb\n");
	set(B "old\n" E, "", "");
	set("a\n", "", "a\n");
	/* Markers with trailing blanks (an editor's) still count. */
	set("a\n" VB_BLOCK_BEGIN "  \nold\n" VB_BLOCK_END "\t\n", "new\n", "a\n" B "new\n" E);
	/* Out of order: refused, nothing guessed. */
	CHECK(vb_ownblock_set(B, strlen(B), "x\n", &out, &len) == -EINVAL);
	CHECK(vb_ownblock_set(E B, strlen(E B), "x\n", &out, &len) == -EINVAL);
	CHECK(vb_ownblock_set(B E B E, strlen(B E B E), "x\n", &out, &len) == -EINVAL);
	CHECK(vb_ownblock_get(B, strlen(B), &body) == -EINVAL);
	CHECK(vb_ownblock_get("a\n", 2, &body) == 0);
	CHECK_STR(body, "");
	free(body);
	/* A block added to a file of its own goes first: kmod reads a file's lines in order. */
	CHECK(vb_ownblock_set_first("softdep a pre: b\n", 17, "x\n", &out, &len) == 0);
	CHECK_STR(out, B "x\n" E "softdep a pre: b\n");
	free(out);
	CHECK(vb_ownblock_set_first("a\n" B "old\n" E, 2 + strlen(B "old\n" E), "new\n", &out,
				    &len) == 0);
	CHECK_STR(out, "a\n" B "new\n" E);
	free(out);
	return unit_report("ownblock");
}
