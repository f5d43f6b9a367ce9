// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "unit.h"

static const char *const vfio_words[] = { "intel_iommu=on", "iommu=pt" };
static struct vb_strv vfio = { (char **)vfio_words, 2 };

#define COMMENT "# Added by vfio-boot configure; vfio-boot unconfigure takes it out.\n"
#define APPENDED COMMENT \
	"GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"\n"

/* One edit; applied again it changes nothing; undone, it gives undone (NULL: in). */
static void check_edit(bool grub_file, const char *in, const struct vb_strv *add,
		       const struct vb_strv *remove, const char *want, const char *undone)
{
	struct vb_edit record = { 0 }, again_record = { 0 };
	struct vb_cmdline_problem p;
	char *out = NULL, *again = NULL, *back = NULL;
	size_t len = 0, alen = 0, blen = 0;

	if (grub_file) {
		CHECK(vb_grub_edit(in, strlen(in), add, remove, &record, &out, &len, &p) == 0);
		if (out)
			CHECK(vb_grub_edit(out, len, add, remove, &again_record, &again, &alen, &p) == 0);
		if (out)
			CHECK(vb_grub_undo(out, len, &record, &back, &blen, &p) == 0);
	} else {
		CHECK(vb_kernel_cmdline_edit(in, strlen(in), add, remove, &record, &out, &len) == 0);
		if (out)
			CHECK(vb_kernel_cmdline_edit(out, len, add, remove, &again_record, &again,
						     &alen) == 0);
		if (out)
			CHECK(vb_kernel_cmdline_undo(out, len, &record, &back, &blen) == 0);
	}
	CHECK_STR(out, want);
	CHECK_STR(again, out);
	CHECK(again_record.added.count == 0 && again_record.replaced_new.count == 0);
	CHECK_STR(back, undone ? undone : in);
	CHECK(!out || strlen(out) == len);
	free(out);
	free(again);
	free(back);
	vb_edit_free(&record);
	vb_edit_free(&again_record);
}

static void grub(const char *in, const char *want)
{
	check_edit(true, in, &vfio, NULL, want, NULL);
}

static void grub_undone(const char *in, const char *want, const char *undone)
{
	check_edit(true, in, &vfio, NULL, want, undone);
}

static void check_grub_debian_file(void)
{
	static const char head[] =
		"# If you change this file, run 'update-grub' afterwards to update\n"
		"# /boot/grub/grub.cfg.\n"
		"\n"
		"GRUB_DEFAULT=0\n"
		"GRUB_TIMEOUT=5\n"
		"GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n";
	static const char tail[] =
		"GRUB_CMDLINE_LINUX=\"\"\n"
		"\n"
		"# Uncomment to disable graphical terminal (grub-pc only)\n"
		"#GRUB_TERMINAL=console\n"
		"#GRUB_CMDLINE_LINUX_DEFAULT=\"nothing here\"\n";
	char in[1024], want[1024];

	snprintf(in, sizeof(in), "%sGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n%s", head, tail);
	snprintf(want, sizeof(want),
		 "%sGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n%s", head, tail);
	grub(in, want);
	grub(want, want);
}

static void check_grub_missing(void)
{
	grub_undone("", APPENDED, "");
	grub("GRUB_TIMEOUT=5\n", "GRUB_TIMEOUT=5\n" APPENDED);
	grub_undone("GRUB_TIMEOUT=5", "GRUB_TIMEOUT=5\n" APPENDED, "GRUB_TIMEOUT=5\n");
	/* Commented out, or another variable: not ours. */
	grub("#GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n  # GRUB_CMDLINE_LINUX_DEFAULT=x\n"
	     "GRUB_CMDLINE_LINUX=\"quiet\"\nMY_GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
	     "#GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n  # GRUB_CMDLINE_LINUX_DEFAULT=x\n"
	     "GRUB_CMDLINE_LINUX=\"quiet\"\nMY_GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n" APPENDED);
}

static void check_grub_quoting(void)
{
	grub("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash'\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT='quiet splash intel_iommu=on iommu=pt'\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=''\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT='intel_iommu=on iommu=pt'\n");
	/* Unquoted values get double quotes once they hold several words. */
	/* (Taken out again, the quotes stay: the words are what count.) */
	grub_undone("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	grub_undone("GRUB_CMDLINE_LINUX_DEFAULT=\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n");
	grub_undone("GRUB_CMDLINE_LINUX_DEFAULT=quiet # the default\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\" # the default\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" # the default\n");
	grub("  export GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
	     "  export GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");
	grub("\tGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
	     "\tGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");
	/* White space inside the quotes is kept; the flags go after the last word. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\" quiet  splash \"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\" quiet  splash intel_iommu=on iommu=pt \"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n  splash\"\nGRUB_TIMEOUT=5\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\n  splash intel_iommu=on iommu=pt\"\n"
	     "GRUB_TIMEOUT=5\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"acpi_osi=\\\"Windows 2015\\\" $EXTRA\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"acpi_osi=\\\"Windows 2015\\\" $EXTRA intel_iommu=on "
	     "iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT='acpi_osi=\"Windows 2015\" quiet'\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT='acpi_osi=\"Windows 2015\" quiet intel_iommu=on "
	     "iommu=pt'\n");
}

static void check_grub_last_assignment(void)
{
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"splash intel_iommu=on iommu=pt\"\n");
	/* A quote in a comment does not hide the next line. */
	grub("# don't edit\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\" # isn't it\n"
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n",
	     "# don't edit\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\" # isn't it\n"
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"b intel_iommu=on iommu=pt\"\n");
	/* A line inside another variable's quotes is not an assignment. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\nX=\"\nGRUB_CMDLINE_LINUX_DEFAULT=b\n\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"a intel_iommu=on iommu=pt\"\nX=\"\n"
	     "GRUB_CMDLINE_LINUX_DEFAULT=b\n\"\n");
}

static void check_grub_existing_flags(void)
{
	static const char done[] = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n";

	grub(done, done);
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet intel_iommu=on\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet intel_iommu=on\"\n");
	/* iommu= is a list too: "pt" joins the admin's settings ("soft" stays). */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=soft quiet intel_iommu=off\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt,soft quiet intel_iommu=on\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=force,nopt quiet\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=force,pt quiet intel_iommu=on\"\n");
	/* intel_iommu= is a list: its "off" becomes "on" where it is, as the admin spelled it. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"intel-iommu=off quiet\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"intel-iommu=on quiet iommu=pt\"\n");
	/* Taken out again, the words come back together, where the first was. */
	{
		static const char *const words[] = { "console=ttyS1" };
		const struct vb_strv one = { (char **)words, 1 };

		check_edit(true, "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty0 quiet console=ttyS0  splash\"\n",
			   &one, NULL, "GRUB_CMDLINE_LINUX_DEFAULT=\"console=ttyS1 quiet  splash\"\n",
			   "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty0 console=ttyS0 quiet  splash\"\n");
	}
	/* Each iommu= word is read in turn: pt on already, nothing to add. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet iommu=soft  splash\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet iommu=soft  splash intel_iommu=on\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu quiet\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet intel_iommu=on\"\n");
	/* Exact duplicates the user wrote are left alone. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt intel_iommu=on iommu=pt\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt intel_iommu=on iommu=pt\"\n");
	/* Other keys that only start the same are different keys. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"amd_iommu=on iommu.strict=1\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"amd_iommu=on iommu.strict=1 intel_iommu=on "
	     "iommu=pt\"\n");
}

static void check_grub_unchanged_bytes(void)
{
	static const char in[] = "A=1\r\n  GRUB_CMDLINE_LINUX_DEFAULT='intel_iommu=on iommu=pt'"
				 "  # x\n\n\tB=\"2\"";
	struct vb_strv none = { 0 };
	struct vb_cmdline_problem p;
	struct vb_edit record = { 0 };
	char *out = NULL;
	size_t len;

	CHECK(vb_grub_edit(in, strlen(in), &vfio, NULL, &record, &out, &len, &p) == 0);
	CHECK(out && len == strlen(in) && memcmp(out, in, len) == 0);
	free(out);
	CHECK(vb_grub_edit(in, strlen(in), &none, NULL, &record, &out, &len, &p) == 0);
	CHECK_STR(out, in);
	free(out);
	vb_edit_free(&record);
}

static void check_grub_hard_values(void)
{
	/* Expansions and mixed quoting: a line at the end extends the value. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=$EXTRA\nGRUB_TIMEOUT=5\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=$EXTRA\nGRUB_TIMEOUT=5\n" APPENDED);
	grub_undone("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash'",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash'\n" APPENDED,
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash'\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=quiet\\ splash\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=quiet\\ splash\n" APPENDED);
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /etc/flags)\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /etc/flags)\"\n" APPENDED);
	/* Our own line is edited where it is, on the next run. */
	grub("X=1\n" APPENDED, "X=1\n" APPENDED);
	/*
	 * A backslash that joins the last line to what follows: an empty line
	 * ends that statement before the new one, which would be swallowed.
	 */
	grub_undone("GRUB_CMDLINE_LINUX_DEFAULT=$X\\\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=$X\\\n\n" APPENDED,
		    "GRUB_CMDLINE_LINUX_DEFAULT=$X\\\n\n");
	grub_undone("GRUB_TIMEOUT=5 \\\n", "GRUB_TIMEOUT=5 \\\n\n" APPENDED,
		    "GRUB_TIMEOUT=5 \\\n\n");
	grub_undone("GRUB_TIMEOUT=5 \\", "GRUB_TIMEOUT=5 \\\n\n" APPENDED, "GRUB_TIMEOUT=5 \\\n\n");
}

static void check_grub_effective(void)
{
	/* The last of two on one line is the one in effect. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" GRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\" GRUB_CMDLINE_LINUX_DEFAULT=\"splash "
	     "intel_iommu=on iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"; GRUB_CMDLINE_LINUX_DEFAULT=\"splash\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"; GRUB_CMDLINE_LINUX_DEFAULT=\"splash "
	     "intel_iommu=on iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT "
	     "splash\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT "
	     "splash intel_iommu=on iommu=pt\"\n");
	/* For another command's environment only: not in effect. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"b\" true\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"b\" true\n" APPENDED);
	/* One that may or may not run after it: the line at the end settles it. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\nif [ -e /x ]; then\n"
	     "  GRUB_CMDLINE_LINUX_DEFAULT=\"b\"\nfi\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\nif [ -e /x ]; then\n"
	     "  GRUB_CMDLINE_LINUX_DEFAULT=\"b\"\nfi\n" APPENDED);
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n[ -e /x ] && GRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n[ -e /x ] && GRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n"
	     APPENDED);
	grub("f() {\n  GRUB_CMDLINE_LINUX_DEFAULT=b\n}\n", "f() {\n  GRUB_CMDLINE_LINUX_DEFAULT=b\n}\n" APPENDED);
	/* A conditional one before the one in effect does not matter. */
	grub("if true; then GRUB_CMDLINE_LINUX_DEFAULT=b; fi\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n",
	     "if true; then GRUB_CMDLINE_LINUX_DEFAULT=b; fi\n"
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"a intel_iommu=on iommu=pt\"\n");
	grub_undone("case $x in\n a) GRUB_CMDLINE_LINUX_DEFAULT=b ;;\nesac\nGRUB_CMDLINE_LINUX_DEFAULT=a\n",
		    "case $x in\n a) GRUB_CMDLINE_LINUX_DEFAULT=b ;;\nesac\n"
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"a intel_iommu=on iommu=pt\"\n",
		    "case $x in\n a) GRUB_CMDLINE_LINUX_DEFAULT=b ;;\nesac\n"
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n");
	/* Not an assignment at all. */
	grub_undone("echo GRUB_CMDLINE_LINUX_DEFAULT=b\nGRUB_CMDLINE_LINUX_DEFAULT=a\n",
		    "echo GRUB_CMDLINE_LINUX_DEFAULT=b\n"
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"a intel_iommu=on iommu=pt\"\n",
		    "echo GRUB_CMDLINE_LINUX_DEFAULT=b\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n");
}

static void refused(const char *in, unsigned line, const char *what)
{
	struct vb_cmdline_problem p;
	struct vb_edit record = { 0 };
	char *out = NULL;
	size_t len;

	CHECK(vb_grub_edit(in, strlen(in), &vfio, NULL, &record, &out, &len, &p) == -EINVAL);
	CHECK(out == NULL);
	CHECK(p.line == line);
	CHECK(strstr(p.what, what) != NULL);
	CHECK(vb_grub_undo(in, strlen(in), &record, &out, &len, &p) == -EINVAL);
	vb_edit_free(&record);
}

static void check_grub_refused(void)
{
	refused("A=1\ncat <<EOF\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nEOF\n", 2, "here-document");
	refused("A=$(cat <<EOF\nx\nEOF\n)\n", 1, "here-document");
	refused("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\nB=2\n", 2, "quote (\") that is never closed");
	refused("GRUB_CMDLINE_LINUX_DEFAULT='quiet", 1, "quote (') that is never closed");
	refused("A=1\n\nB=$(true\n", 3, "never closed");
	refused("A=`true\n", 1, "never closed");
	/* A compound command never closed, or closed without opening: where to add is not known. */
	refused("A=1\nif true; then\n  B=2\n", 2, "never closed");
	refused("GRUB_TIMEOUT=5\nx(\nGRUB_CMDLINE_LINUX_DEFAULT=q\n", 2, "never closed");
	refused("A=1\nfi\n", 2, "without its opening");
	refused("A=1\nB=2 |\n\n", 2, "nothing follows");
	refused("A=1 &&", 1, "nothing follows");
	/* bash's function syntax is understood. */
	grub_undone("function f {\n  GRUB_CMDLINE_LINUX_DEFAULT=b\n}\nGRUB_CMDLINE_LINUX_DEFAULT=\"a\"\n",
		    "function f {\n  GRUB_CMDLINE_LINUX_DEFAULT=b\n}\n"
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"a intel_iommu=on iommu=pt\"\n", NULL);
	/* Inside quotes, << is only text. */
	grub_undone("X=\"a <<b\"\nGRUB_CMDLINE_LINUX_DEFAULT=q\n",
		    "X=\"a <<b\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"q intel_iommu=on iommu=pt\"\n",
		    "X=\"a <<b\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"q\"\n");
}

static void check_grub_reconfigure(void)
{
	static const char *const amd_words[] = { "iommu=pt" }, *const ours_words[] = {
		"intel_iommu=on", "iommu=pt"
	};
	struct vb_strv amd = { (char **)amd_words, 1 }, ours = { (char **)ours_words, 2 };

	/* --cpu amd after --cpu intel: configure's own intel_iommu=on goes. */
	check_edit(true, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n", &amd, &ours,
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt intel_iommu=on\"\n");
	check_edit(false, "root=/dev/sda1 intel_iommu=on iommu=pt\n", &amd, &ours,
		   "root=/dev/sda1 iommu=pt\n", "root=/dev/sda1 iommu=pt intel_iommu=on\n");
	check_edit(false, "intel_iommu=on root=/dev/sda1\n", &amd, &ours, "root=/dev/sda1 iommu=pt\n",
		   "root=/dev/sda1 intel_iommu=on\n");
}

static void check_grub_undo_changed_file(void)
{
	static const char before[] = "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";
	static const char later[] = "GRUB_TIMEOUT=10\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet "
				    "intel_iommu=on splash iommu=pt\"\n";
	struct vb_edit record = { 0 };
	struct vb_cmdline_problem p;
	char *out = NULL, *back = NULL;
	size_t len, blen;

	CHECK(vb_grub_edit(before, strlen(before), &vfio, NULL, &record, &out, &len, &p) == 0);
	CHECK_STR(out, "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");
	/* The admin's later edits stay; only the flags go. */
	CHECK(vb_grub_undo(later, strlen(later), &record, &back, &blen, &p) == 0);
	CHECK_STR(back, "GRUB_TIMEOUT=10\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n");
	free(back);
	/* A file it can no longer read that way: refused. */
	CHECK(vb_grub_undo("cat <<E\nE\n", 10, &record, &back, &blen, &p) == -EINVAL);
	CHECK(p.line == 1);
	free(out);
	vb_edit_free(&record);
}

static void kernel(const char *in, const char *want)
{
	check_edit(false, in, &vfio, NULL, want, NULL);
}

static void check_kernel_cmdline(void)
{
	char *made;

	kernel("root=UUID=1234 ro quiet\n", "root=UUID=1234 ro quiet intel_iommu=on iommu=pt\n");
	kernel("root=UUID=1234 ro quiet", "root=UUID=1234 ro quiet intel_iommu=on iommu=pt");
	check_edit(false, "", &vfio, NULL, "intel_iommu=on iommu=pt\n", "\n");
	kernel("\n", "intel_iommu=on iommu=pt\n");
	kernel("quiet intel_iommu=on iommu=pt\n", "quiet intel_iommu=on iommu=pt\n");
	kernel("iommu=soft quiet  \n", "iommu=pt,soft quiet intel_iommu=on  \n");
	kernel("foo=\"a b\" quiet\n", "foo=\"a b\" quiet intel_iommu=on iommu=pt\n");
	kernel("quiet\nsplash\n", "quiet\nsplash intel_iommu=on iommu=pt\n");
	check_edit(false, "iommu=soft a iommu=off b iommu=pt c\n", &vfio, NULL,
		   "iommu=soft a iommu=off b iommu=pt c intel_iommu=on\n", NULL);
	check_edit(false, "quiet iommu=soft -- iommu=soft\n", &vfio, NULL,
		   "quiet iommu=pt,soft intel_iommu=on -- iommu=soft\n", NULL);
	/* A quote left open swallows what follows it: the flags go before that word. */
	kernel("quiet a=\"x y\n", "quiet intel_iommu=on iommu=pt a=\"x y\n");
	/* Quoted whole, the kernel reads the parameter as if unquoted. */
	kernel("\"iommu=pt\" \"intel_iommu=on\"\n", "\"iommu=pt\" \"intel_iommu=on\"\n");
	/* 0xa0 separates words for the kernel. */
	kernel("quiet\xa0iommu=pt\n", "quiet\xa0iommu=pt intel_iommu=on\n");
	/* Words after "--" are init's: the flags go before it, and those after do not count. */
	kernel("root=/dev/sda1 quiet -- single\n",
	       "root=/dev/sda1 quiet intel_iommu=on iommu=pt -- single\n");
	kernel("root=/dev/sda1 -- iommu=pt\n", "root=/dev/sda1 intel_iommu=on iommu=pt -- iommu=pt\n");
	kernel("-- x\n", "intel_iommu=on iommu=pt -- x\n");

	made = vb_kernel_cmdline_from_running("BOOT_IMAGE=/vmlinuz-6.1 root=UUID=12 ro "
					      "initrd=\\initrd.img quiet\n");
	CHECK_STR(made, "root=UUID=12 ro quiet\n");
	free(made);
}

static int has(const char *cmdline, const char *flag)
{
	const char *flags[] = { flag };

	return vb_cmdline_has_all(cmdline, flags, 1);
}

static void check_has_all(void)
{
	static const char proc[] = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 "
				   "root=UUID=1234 ro quiet intel_iommu=on iommu=pt\n";

	CHECK(vb_cmdline_has_all(proc, vfio_words, 2) == 1);
	CHECK(vb_cmdline_has_all(proc, vfio_words, 0) == 1);
	CHECK(vb_cmdline_has_all("root=/dev/sda1 intel_iommu=on\n", vfio_words, 2) == 0);
	CHECK(vb_cmdline_has_all("", vfio_words, 2) == 0);
	CHECK(has("iommu=pt", "iommu=pt"));
	CHECK(has("iommu=ptx", "iommu=pt")); /* the kernel compares "pt" as a prefix */
	CHECK(!has("xiommu=pt", "iommu=pt"));
	CHECK(!has("iommu=PT", "iommu=pt"));
	CHECK(!has("iommu", "iommu=pt"));
	CHECK(has("quiet\tsplash", "splash"));
	/* The last value of a key is the one in effect. */
	CHECK(has("console=ttyS0 console=tty0", "console=tty0"));
	CHECK(!has("console=tty0 console=ttyS0", "console=tty0"));
	/* iommu= words add up: "soft" after "pt" leaves passthrough on, "nopt" does not. */
	CHECK(has("iommu=pt iommu=soft", "iommu=pt"));
	CHECK(!has("iommu=pt iommu=nopt", "iommu=pt"));
	/* As the kernel reads it: '-' is '_' in names, quotes group and go. */
	CHECK(has("intel-iommu=on", "intel_iommu=on"));
	CHECK(has("vfio_pci.ids=10de:2504", "vfio-pci.ids=10de:2504"));
	CHECK(!has("foo=a-b", "foo=a_b"));
	CHECK(has("acpi_osi=\"Windows 2015\" quiet", "quiet"));
	CHECK(!has("acpi_osi=\"Windows quiet\"", "quiet"));
	CHECK(has("\"iommu=pt\"", "iommu=pt"));
	/* Everything after "--" is for init. */
	CHECK(!has("quiet -- iommu=pt", "iommu=pt"));
}


/* An edit of /etc/kernel/cmdline: what it gives, what it dropped (NULL-ended), and its undo. */
static void check_dropped(const char *in, const char *want, const char *const *dropped,
			  const char *undone)
{
	struct vb_edit record = { 0 };
	char *out = NULL, *back = NULL;
	size_t len = 0, blen = 0, n = 0;

	CHECK(vb_kernel_cmdline_edit(in, strlen(in), &vfio, NULL, &record, &out, &len) == 0);
	CHECK_STR(out, want);
	while (dropped[n])
		n++;
	CHECK(record.dropped.count == n);
	for (size_t i = 0; i < n && i < record.dropped.count; i++)
		CHECK_STR(record.dropped.items[i], dropped[i]);
	if (out)
		CHECK(vb_kernel_cmdline_undo(out, len, &record, &back, &blen) == 0);
	CHECK_STR(back, undone);
	free(out);
	free(back);
	vb_edit_free(&record);
}

static void check_guides_leftovers(void)
{
	static const char *const none[] = { NULL };
	struct vb_edit record = { 0 };
	struct vb_cmdline_problem p;
	struct vb_strv words = { 0 };
	char *out = NULL, *back = NULL;
	size_t len = 0, blen = 0;

	/* Every spelling is taken out, each word as written; undone, each comes back. */
	check_dropped("root=/dev/sda1 vfio-pci.ids=10de:2504,10de:228e quiet\n",
		      "root=/dev/sda1 quiet intel_iommu=on iommu=pt\n",
		      (const char *const[]){ "vfio-pci.ids=10de:2504,10de:228e", NULL },
		      "root=/dev/sda1 quiet vfio-pci.ids=10de:2504,10de:228e\n");
	check_dropped("vfio_pci.ids=10de:2504 ro\n", "ro intel_iommu=on iommu=pt\n",
		      (const char *const[]){ "vfio_pci.ids=10de:2504", NULL },
		      "ro vfio_pci.ids=10de:2504\n");
	check_dropped("ro \"vfio-pci.ids=1:2\" vfio-pci.ids=\"3:4,5:6\" vfio_pci.ids=7:8 quiet\n",
		      "ro quiet intel_iommu=on iommu=pt\n",
		      (const char *const[]){ "\"vfio-pci.ids=1:2\"", "vfio-pci.ids=\"3:4,5:6\"",
					     "vfio_pci.ids=7:8", NULL },
		      "ro quiet \"vfio-pci.ids=1:2\" vfio-pci.ids=\"3:4,5:6\" vfio_pci.ids=7:8\n");
	/* A bare one, and one that is all the line holds. */
	check_dropped("vfio-pci.ids\n", "intel_iommu=on iommu=pt\n",
		      (const char *const[]){ "vfio-pci.ids", NULL }, "vfio-pci.ids\n");
	/* After "--" a word is init's; other vfio-pci options and look-alikes stay. */
	check_dropped("ro vfio-pci.disable_vga=1 xvfio-pci.ids=1 -- vfio-pci.ids=1\n",
		      "ro vfio-pci.disable_vga=1 xvfio-pci.ids=1 intel_iommu=on iommu=pt -- "
		      "vfio-pci.ids=1\n", none,
		      "ro vfio-pci.disable_vga=1 xvfio-pci.ids=1 -- vfio-pci.ids=1\n");
	/* Put back by the admin since: not twice. */
	CHECK(vb_kernel_cmdline_edit("a vfio-pci.ids=1:2 b\n", 21, &vfio, NULL, &record, &out,
				     &len) == 0);
	CHECK(vb_kernel_cmdline_undo("a b vfio-pci.ids=1:2 intel_iommu=on iommu=pt\n", 45, &record,
				     &back, &blen) == 0);
	CHECK_STR(back, "a b vfio-pci.ids=1:2\n");
	free(out);
	free(back);
	vb_edit_free(&record);
	/* In /etc/default/grub: the edited line loses it too, and a second edit changes nothing. */
	grub_undone("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet vfio-pci.ids=10de:2504 splash\"\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash intel_iommu=on iommu=pt\"\n",
		    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash vfio-pci.ids=10de:2504\"\n");
	CHECK(vb_grub_edit("GRUB_CMDLINE_LINUX_DEFAULT='vfio_pci.ids=1:2'\n", 46, &vfio, NULL,
			   &record, &out, &len, &p) == 0);
	CHECK_STR(out, "GRUB_CMDLINE_LINUX_DEFAULT='intel_iommu=on iommu=pt'\n");
	CHECK(record.dropped.count == 1 && strcmp(record.dropped.items[0], "vfio_pci.ids=1:2") == 0);
	free(out);
	vb_edit_free(&record);
	/* Asked for by the caller: kept. */
	{
		static const char *const ids_words[] = { "vfio-pci.ids=1:2" };
		struct vb_strv ids = { (char **)ids_words, 1 };

		CHECK(vb_kernel_cmdline_edit("vfio_pci.ids=1:2 a\n", 19, &ids, NULL, &record, &out,
					     &len) == 0);
		CHECK_STR(out, "vfio_pci.ids=1:2 a\n");
		CHECK(record.dropped.count == 0);
		free(out);
		vb_edit_free(&record);
	}
	/* What grubby's and kernelstub's entries hold. */
	CHECK(vb_cmdline_leftovers("ro vfio-pci.ids=1:2 \"vfio_pci.ids=3:4\" -- vfio-pci.ids=5",
				   &words) == 0);
	CHECK(words.count == 2);
	if (words.count == 2) {
		CHECK_STR(words.items[0], "vfio-pci.ids=1:2");
		CHECK_STR(words.items[1], "\"vfio_pci.ids=3:4\"");
	}
	vb_strv_free(&words);
}

static void check_intel_iommu_options(void)
{
	static const char *const own_words[] = { "intel_iommu=on", "iommu=pt" };
	static const char *const amd_words[] = { "iommu=pt" };
	struct vb_strv own = { (char **)own_words, 2 }, amd = { (char **)amd_words, 1 };
	struct vb_strv ours = { 0 };
	struct vb_edit record = { 0 };
	char *out = NULL, *merged;
	size_t len;

	/* on is merged into the admin's list; undone, the list is as it was. */
	kernel("ro intel_iommu=igfx_off\n", "ro intel_iommu=on,igfx_off iommu=pt\n");
	kernel("ro intel_iommu=sm_on\n", "ro intel_iommu=on,sm_on iommu=pt\n");
	kernel("ro intel_iommu=sm_on,igfx_off\n", "ro intel_iommu=on,sm_on,igfx_off iommu=pt\n");
	kernel("ro intel-iommu=igfx_off\n", "ro intel-iommu=on,igfx_off iommu=pt\n");
	kernel("ro intel_iommu=\"igfx_off\"\n", "ro intel_iommu=\"on,igfx_off\" iommu=pt\n");
	kernel("ro \"intel_iommu=igfx_off\"\n", "ro \"intel_iommu=on,igfx_off\" iommu=pt\n");
	kernel("ro intel_iommu\n", "ro intel_iommu=on iommu=pt\n");
	kernel("ro intel_iommu= x\n", "ro intel_iommu=on x iommu=pt\n");
	/* Already on: nothing changes. */
	kernel("ro intel_iommu=on,igfx_off\n", "ro intel_iommu=on,igfx_off iommu=pt\n");
	kernel("ro intel_iommu=igfx_off,on\n", "ro intel_iommu=igfx_off,on iommu=pt\n");
	/* A second intel_iommu= word: the kernel reads each; all are kept. */
	kernel("ro intel_iommu=igfx_off intel_iommu=igfx_off\n",
	       "ro intel_iommu=igfx_off intel_iommu=on,igfx_off iommu=pt\n");
	kernel("intel_iommu=sm_on ro intel_iommu=igfx_off\n",
	       "intel_iommu=sm_on ro intel_iommu=on,igfx_off iommu=pt\n");
	/* configure's own on there already, with the admin's word before or after it. */
	kernel("ro intel_iommu=on intel_iommu=igfx_off\n",
	       "ro intel_iommu=on intel_iommu=igfx_off iommu=pt\n");
	kernel("ro intel_iommu=igfx_off intel_iommu=on\n",
	       "ro intel_iommu=igfx_off intel_iommu=on iommu=pt\n");
	/* An "off" after the last "on" becomes "on" where it is. */
	kernel("ro intel_iommu=off,igfx_off\n", "ro intel_iommu=on,igfx_off iommu=pt\n");
	kernel("ro intel_iommu=on intel_iommu=igfx_off,off\n",
	       "ro intel_iommu=on intel_iommu=igfx_off,on iommu=pt\n");
	kernel("ro intel_iommu=off,on,off\n", "ro intel_iommu=off,on,on iommu=pt\n");
	kernel("intel_iommu=off,igfx_off ro intel_iommu=sm_on\n",
	       "intel_iommu=on,igfx_off ro intel_iommu=sm_on iommu=pt\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=igfx_off\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on,igfx_off iommu=pt\"\n");

	/* The record: the admin's word replaced by the merged one; configure's flag is on. */
	CHECK(vb_kernel_cmdline_edit("ro intel_iommu=igfx_off\n", 24, &vfio, NULL, &record, &out,
				     &len) == 0);
	CHECK(record.replaced_old.count == 1 && record.added.count == 1);
	if (record.replaced_old.count == 1) {
		CHECK_STR(record.replaced_old.items[0], "intel_iommu=igfx_off");
		CHECK_STR(record.replaced_new.items[0], "intel_iommu=on,igfx_off");
	}
	CHECK(vb_edit_ours(&record, &ours) == 0);
	CHECK(vb_strv_contains(&ours, "intel_iommu=on") && vb_strv_contains(&ours, "iommu=pt") &&
	      ours.count == 2);
	vb_edit_free(&record);
	/* Configured again: the admin's option stays. */
	check_edit(false, out, &own, &ours, out, NULL);
	/* --cpu amd since: configure's merged word stays until unconfigure takes it back. */
	check_edit(false, out, &amd, &ours, out, NULL);
	free(out);
	/* Undone after the admin changed the line: only the on configure added goes. */
	CHECK(vb_kernel_cmdline_edit("ro intel_iommu=igfx_off\n", 24, &vfio, NULL, &record, &out,
				     &len) == 0);
	free(out);
	CHECK(vb_kernel_cmdline_undo("ro intel_iommu=on,igfx_off iommu=pt splash\n", 43, &record,
				     &out, &len) == 0);
	CHECK_STR(out, "ro intel_iommu=igfx_off splash\n");
	free(out);
	vb_edit_free(&record);
	vb_strv_free(&ours);

	/* The kernel's reading of it. */
	CHECK(has("intel_iommu=on,igfx_off", "intel_iommu=on"));
	CHECK(has("intel_iommu=sm_on intel-iommu=on", "intel_iommu=on"));
	CHECK(has("intel_iommu=on intel_iommu=igfx_off", "intel_iommu=on"));
	CHECK(!has("intel_iommu=igfx_off", "intel_iommu=on"));
	CHECK(!has("intel_iommu=on,off", "intel_iommu=on"));
	CHECK(!has("intel_iommu=on intel_iommu=off", "intel_iommu=on"));
	CHECK(!has("intel_iommu=sm_on", "intel_iommu=on"));
	CHECK(!has("intel_iommu -- intel_iommu=on", "intel_iommu=on"));
	/* What grubby gets to put in an entry's word, and what stands for configure's flag. */
	merged = vb_cmdline_merged("intel_iommu=igfx_off", "intel_iommu=on");
	CHECK_STR(merged, "intel_iommu=on,igfx_off");
	free(merged);
	merged = vb_cmdline_merged("intel_iommu=off", "intel_iommu=on");
	CHECK_STR(merged, "intel_iommu=on");
	free(merged);
	merged = vb_cmdline_merged("iommu=soft", "iommu=pt");
	CHECK_STR(merged, "iommu=pt,soft");
	free(merged);
	CHECK_STR(vb_cmdline_own_flag("intel_iommu=on,igfx_off"), "intel_iommu=on");
	CHECK_STR(vb_cmdline_own_flag("intel_iommu=igfx_off"), "intel_iommu=igfx_off");
	CHECK_STR(vb_cmdline_own_flag("iommu=pt"), "iommu=pt");
}

/* video= and initcall_blacklist= join the admin's words: the kernel reads every one. */
static void check_repeatable_flags(void)
{
	static const char *const fb_words[] = { "initcall_blacklist=sysfb_init", "video=efifb:off" };
	static const struct vb_strv fb = { (char **)fb_words, 2 };

	check_edit(false, "root=/dev/sda1 video=HDMI-A-1:1920x1080@60 initcall_blacklist=foo\n", &fb,
		   NULL,
		   "root=/dev/sda1 video=HDMI-A-1:1920x1080@60 initcall_blacklist=foo "
		   "initcall_blacklist=sysfb_init video=efifb:off\n",
		   NULL);
	/* There already: nothing added, and nothing of the admin's taken back. */
	check_edit(false, "video=efifb:off quiet\n", &fb, NULL,
		   "video=efifb:off quiet initcall_blacklist=sysfb_init\n", NULL);
	CHECK(has("video=efifb:off video=vesafb:off", "video=efifb:off"));
	CHECK(has("video=efifb:off video=vesafb:off", "video=vesafb:off"));
	CHECK(!has("video=efifb:on", "video=efifb:off"));
	CHECK(!has("quiet -- video=efifb:off", "video=efifb:off"));
}

int main(void)
{
	check_repeatable_flags();
	check_grub_debian_file();
	check_grub_missing();
	check_grub_quoting();
	check_grub_last_assignment();
	check_grub_existing_flags();
	check_grub_unchanged_bytes();
	check_grub_hard_values();
	check_grub_effective();
	check_grub_refused();
	check_grub_reconfigure();
	check_grub_undo_changed_file();
	check_kernel_cmdline();
	check_has_all();
	check_guides_leftovers();
	check_intel_iommu_options();
	return unit_report("kcmdline");
}
