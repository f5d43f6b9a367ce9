// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "unit.h"

static const char *const vfio[] = { "intel_iommu=on", "iommu=pt" };

typedef char *(*edit_fn)(const char *text, size_t len, const char *const *flags,
			 size_t nflags);

/* Checks one edit, and that applying it again changes nothing. */
static void check_edit(edit_fn edit, const char *in, const char *want)
{
	char *out = edit(in, strlen(in), vfio, 2);
	char *again = out ? edit(out, strlen(out), vfio, 2) : NULL;

	CHECK_STR(out, want);
	CHECK_STR(again, out);
	free(out);
	free(again);
}

static void grub(const char *in, const char *want)
{
	check_edit(vb_grub_default_add, in, want);
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
	grub("", "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	grub("GRUB_TIMEOUT=5\n",
	     "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	grub("GRUB_TIMEOUT=5",
	     "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	/* Commented out, or another variable: not ours. */
	grub("#GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n  # GRUB_CMDLINE_LINUX_DEFAULT=x\n"
	     "GRUB_CMDLINE_LINUX=\"quiet\"\nMY_GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
	     "#GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n  # GRUB_CMDLINE_LINUX_DEFAULT=x\n"
	     "GRUB_CMDLINE_LINUX=\"quiet\"\nMY_GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
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
	grub("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=quiet # the default\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\" # the default\n");
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
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=soft quiet intel_iommu=off\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet intel_iommu=on\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"intel-iommu=off quiet\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on quiet iommu=pt\"\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet iommu=soft  splash\"\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt quiet  splash intel_iommu=on\"\n");
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
	char *out = vb_grub_default_add(in, strlen(in), vfio, 2);

	CHECK(out && strlen(out) == strlen(in) && memcmp(out, in, strlen(in)) == 0);
	free(out);
	out = vb_grub_default_add(in, strlen(in), vfio, 0);
	CHECK_STR(out, in);
	free(out);
}

#define FRESH "GRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"\n"
#define APPENDED \
	"GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"\n"

static void check_grub_hard_values(void)
{
	char *out;

	/* Expansions and mixed quoting: a new line extends the old value. */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=$EXTRA\nGRUB_TIMEOUT=5\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=$EXTRA\n"
	     APPENDED
	     "GRUB_TIMEOUT=5\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash'",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"' splash'\n"
	     APPENDED);
	grub("GRUB_CMDLINE_LINUX_DEFAULT=quiet\\ splash\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=quiet\\ splash\n"
	     APPENDED);

	/* A broken file still gives a text, never a crash. */
	out = vb_grub_default_add("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet", 33, vfio, 2);

	CHECK(out != NULL);
	free(out);
	out = vb_grub_default_add("GRUB_CMDLINE_LINUX_DEFAULT=quiet\\", 33, vfio, 2);
	CHECK(out != NULL);
	free(out);

	/*
	 * A backslash that joins the last line to what follows: an empty line
	 * ends that statement before the new one, which would be swallowed.
	 */
	grub("GRUB_CMDLINE_LINUX_DEFAULT=\"$X x\"\\\n",
	     "GRUB_CMDLINE_LINUX_DEFAULT=\"$X x\"\\\n\n" APPENDED);
	grub("GRUB_TIMEOUT=5 \\\n", "GRUB_TIMEOUT=5 \\\n\n" FRESH);
	grub("GRUB_TIMEOUT=5 \\", "GRUB_TIMEOUT=5 \\\n\n" FRESH);
	/* A quote that never closes would take in whatever follows: left as it is. */
	grub("GRUB_TIMEOUT=\"5\n", "GRUB_TIMEOUT=\"5\n");
	grub("GRUB_CMDLINE_LINUX_DEFAULT=$X'\n", "GRUB_CMDLINE_LINUX_DEFAULT=$X'\n");
}

static void kernel(const char *in, const char *want)
{
	check_edit(vb_kernel_cmdline_add, in, want);
}

static void check_kernel_cmdline(void)
{
	kernel("root=UUID=1234 ro quiet\n", "root=UUID=1234 ro quiet intel_iommu=on iommu=pt\n");
	kernel("root=UUID=1234 ro quiet", "root=UUID=1234 ro quiet intel_iommu=on iommu=pt");
	kernel("", "intel_iommu=on iommu=pt\n");
	kernel("\n", "intel_iommu=on iommu=pt\n");
	kernel("quiet intel_iommu=on iommu=pt\n", "quiet intel_iommu=on iommu=pt\n");
	kernel("iommu=soft quiet  \n", "iommu=pt quiet intel_iommu=on  \n");
	kernel("foo=\"a b\" quiet\n", "foo=\"a b\" quiet intel_iommu=on iommu=pt\n");
	kernel("quiet\nsplash\n", "quiet\nsplash intel_iommu=on iommu=pt\n");
	kernel("iommu=soft a iommu=off b iommu=pt c\n", "iommu=pt a b c intel_iommu=on\n");
	/* After "--" the words are init's: flags go before it, words there are not ours. */
	kernel("quiet -- single\n", "quiet intel_iommu=on iommu=pt -- single\n");
	kernel("-- iommu=pt\n", "intel_iommu=on iommu=pt -- iommu=pt\n");
	kernel("quiet iommu=soft -- iommu=soft\n", "quiet iommu=pt intel_iommu=on -- iommu=soft\n");
	/* A quote left open swallows what follows it: the flags go before that word. */
	kernel("quiet a=\"x y\n", "quiet intel_iommu=on iommu=pt a=\"x y\n");
	/* Quoted whole, the kernel reads the parameter as if unquoted. */
	kernel("\"iommu=pt\" \"intel_iommu=on\"\n", "\"iommu=pt\" \"intel_iommu=on\"\n");
	/* 0xa0 separates words for the kernel. */
	kernel("quiet\xa0iommu=pt\n", "quiet\xa0iommu=pt intel_iommu=on\n");
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

	CHECK(vb_cmdline_has_all(proc, vfio, 2) == 1);
	CHECK(vb_cmdline_has_all(proc, vfio, 0) == 1);
	CHECK(vb_cmdline_has_all("root=/dev/sda1 intel_iommu=on\n", vfio, 2) == 0);
	CHECK(vb_cmdline_has_all("", vfio, 2) == 0);
	CHECK(has("iommu=pt", "iommu=pt"));
	CHECK(!has("iommu=ptx", "iommu=pt"));
	CHECK(!has("xiommu=pt", "iommu=pt"));
	CHECK(!has("iommu=PT", "iommu=pt"));
	CHECK(!has("iommu", "iommu=pt"));
	CHECK(has("quiet\tsplash", "splash"));
	/* The last value of a key is the one in effect. */
	CHECK(has("iommu=soft iommu=pt", "iommu=pt"));
	CHECK(!has("iommu=pt iommu=soft", "iommu=pt"));
	/* As the kernel reads it: '-' is '_' in names, quotes group and go. */
	CHECK(has("intel-iommu=on", "intel_iommu=on"));
	CHECK(has("vfio_pci.ids=10de:2504", "vfio-pci.ids=10de:2504"));
	CHECK(!has("foo=a-b", "foo=a_b"));
	CHECK(has("acpi_osi=\"Windows 2015\" quiet", "quiet"));
	CHECK(!has("acpi_osi=\"Windows quiet\"", "quiet"));
	CHECK(has("\"iommu=pt\"", "iommu=pt"));
	/* Everything after "--" is for init. */
	CHECK(!has("quiet -- iommu=pt", "iommu=pt"));
	CHECK(!has("quiet \"--\" iommu=pt", "iommu=pt"));
	CHECK(has("quiet --- iommu=pt", "iommu=pt"));
	CHECK(!has("a=\"x iommu=pt", "iommu=pt"));
}

int main(void)
{
	check_grub_debian_file();
	check_grub_missing();
	check_grub_quoting();
	check_grub_last_assignment();
	check_grub_existing_flags();
	check_grub_unchanged_bytes();
	check_grub_hard_values();
	check_kernel_cmdline();
	check_has_all();
	return unit_report("kcmdline");
}
