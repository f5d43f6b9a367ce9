// SPDX-License-Identifier: GPL-2.0-or-later
/* What configure saves (selection/saved_selection.c) and its marks read back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "config.h"
#include "plan.h"
#include "saved_selection.h"
#include "selection_file.h"
#include "unit.h"


#define FN(b, s, f, ven, dev, cls, grp, drv)                                                \
	{ .addr = { 0, 0x##b, 0x##s, f }, .name = "0000:" #b ":" #s "." #f, .vendor = ven,  \
	  .device = dev, .class = cls, .header_type = (cls >> 8) == 0x0604, .boot_vga = 0,   \
	  .iommu_group = grp, .driver = drv, .root_bus = (0x##b == 0) }

/* Two identical cards; a card sharing its IOMMU group with an accelerator. */
static struct vb_pci_fn fns[] = {
	FN(01, 00, 0, 0x10de, 0x2504, 0x030000, 1, "nouveau"),
	FN(01, 00, 1, 0x10de, 0x228e, 0x040300, 1, "snd_hda_intel"),
	FN(02, 00, 0, 0x10de, 0x2504, 0x030000, 2, "nouveau"),
	FN(02, 00, 1, 0x10de, 0x228e, 0x040300, 2, "snd_hda_intel"),
	FN(05, 00, 0, 0x1002, 0x73bf, 0x030000, 5, "amdgpu"),
	FN(05, 00, 1, 0x1002, 0xab28, 0x040300, 5, "snd_hda_intel"),
	FN(06, 00, 0, 0x1e52, 0x0100, 0x120000, 5, ""),
};
static const struct vb_snapshot snap = { fns, ARRAY_SIZE(fns) };

/*
 * Saves args (as configure takes them) with the policy line; on the
 * hardware unless offline. Returns what vb_saved_selection_text returned;
 * *text, *notes and *refusals are the caller's to free.
 */
static int save(const char *args, bool offline, bool all_matching, char **text,
		struct vb_strv *notes, struct vb_strv *refusals)
{
	struct vb_config given;
	struct vb_plan plan = { 0 };
	struct vb_saved_input in = { &given, offline ? NULL : &snap, &plan, all_matching };
	const char *comma = strchr(args, '\n');
	int err;

	vb_config_init(&given);
	CHECK(vb_config_add_selectors(&given, &given.select, "argument", args,
				      comma ? (size_t)(comma - args) : strlen(args)) == 0);
	if (comma)
		CHECK(vb_config_parse_text(&given, "policy", comma + 1, strlen(comma + 1)) == 0);
	CHECK(given.problems.count == 0);
	if (!offline)
		CHECK(vb_plan_build(&given, &snap, NULL, &plan) == 0);
	memset(notes, 0, sizeof(*notes));
	memset(refusals, 0, sizeof(*refusals));
	err = vb_saved_selection_text(&in, text, notes, refusals);
	vb_plan_free(&plan);
	vb_config_free(&given);
	return err;
}

/* The selector lines of a saved text, joined by spaces, and its companions= value. */
static void lines_of(const char *text, char *lines, size_t size, char *companions, size_t csize)
{
	struct vb_config cfg;

	lines[0] = companions[0] = '\0';
	vb_config_init(&cfg);
	CHECK(vb_config_parse_text(&cfg, "saved", text, strlen(text)) == 0);
	CHECK(cfg.problems.count == 0);
	for (size_t i = 0; i < cfg.select.count; i++)
		snprintf(lines + strlen(lines), size - strlen(lines), "%s%s", i ? " " : "",
			 cfg.select.items[i].sel.text);
	snprintf(companions, csize, "%s", vb_companions_name(cfg.companions));
	vb_config_free(&cfg);
}

static void saves(const char *args, bool offline, bool all_matching, const char *want_lines,
		  const char *want_companions)
{
	struct vb_strv notes, refusals;
	char *text = NULL, lines[512], companions[16];

	CHECK(save(args, offline, all_matching, &text, &notes, &refusals) == 0);
	CHECK(refusals.count == 0);
	if (text) {
		lines_of(text, lines, sizeof(lines), companions, sizeof(companions));
		CHECK_STR(lines, want_lines);
		CHECK_STR(companions, want_companions);
	}
	free(text);
	vb_strv_free(&notes);
	vb_strv_free(&refusals);
}

static void refuses(const char *args, bool offline, const char *want)
{
	struct vb_strv notes, refusals;
	char *text = NULL;

	CHECK(save(args, offline, false, &text, &notes, &refusals) == -EINVAL);
	CHECK(text == NULL);
	CHECK(refusals.count >= 1);
	if (refusals.count)
		CHECK_STR(refusals.items[0], want);
	vb_strv_free(&notes);
	vb_strv_free(&refusals);
}

static void check_guarded(void)
{
	/* Whatever form was typed, each function a selector took, guarded; companions implicit. */
	saves("10de:2504@01:00.0,10de:228e@01:00.1", false, false,
	      "10de:2504@0000:01:00.0 10de:228e@0000:01:00.1", "slot");
	saves("01:00.0", false, false, "10de:2504@0000:01:00.0", "slot");
	saves("0000:02:00.0,10de:2504@02:00.0", false, false, "10de:2504@0000:02:00.0", "slot");
	saves("1002:73bf", false, false, "1002:73bf@0000:05:00.0", "slot");
	saves("1002:73bf:0000:0000\ncompanions=none\n", false, false, "1002:73bf@0000:05:00.0",
	      "none");
	/* The same function by two forms: one line. */
	saves("1002:73bf,05:00.0,1002:73bf@0000:05:00.0", false, false, "1002:73bf@0000:05:00.0",
	      "slot");
}

static void check_group_listed(void)
{
	/* What the group brought along is listed, and no later member comes: companions=slot. */
	saves("1002:73bf\ncompanions=group\n", false, false,
	      "1002:73bf@0000:05:00.0 1e52:0100@0000:06:00.0", "slot");
	/* A line that stands for functions not seen here keeps the policy. */
	saves("1002:73bf,10de:1e87@07:00.0\ncompanions=group\n", false, false,
	      "1002:73bf@0000:05:00.0 10de:1e87@0000:07:00.0", "group");
}

static void check_all_matching(void)
{
	struct vb_strv notes, refusals;
	char *text = NULL;
	struct vb_config cfg;
	bool open[3] = { true, true, true };

	CHECK(save("10de:2504,05:00.0", false, true, &text, &notes, &refusals) == 0);
	CHECK(notes.count == 1);
	if (notes.count)
		CHECK_STR(notes.items[0], "10de:2504 is saved as it is (--all-matching): at every "
					  "boot vfio-pci gets every card with this ID, now and later");
	CHECK(text && strstr(text, "\n" VB_SELECTION_OPEN_MARK "\n10de:2504\n1002:73bf@0000:05:00.0\n"));
	/* check reads the mark back: only the bare ID is flagged. */
	vb_config_init(&cfg);
	CHECK(text && vb_config_parse_text(&cfg, "saved", text, strlen(text)) == 0);
	CHECK(cfg.select.count == 2);
	vb_selection_find_open(text, strlen(text), &cfg, open);
	CHECK(open[0] && !open[1]);
	vb_config_free(&cfg);
	free(text);
	vb_strv_free(&notes);
	vb_strv_free(&refusals);

	/* Without sys/: bare with --all-matching; an ID@address in its one spelling. */
	saves("10de:2504,10de:2504@1:0.0\ncompanions=group\n", true, true,
	      "10de:2504 10de:2504@0000:01:00.0", "group");
}

static void check_mark_read_back(void)
{
	const char *text = "10de:2504\n" VB_SELECTION_OPEN_MARK "\n  10de:228e , 01:00.0 # x\r\n"
			   "# --all-matching: every card with this ID, now and later, or not\n"
			   "1002:73bf\n" VB_SELECTION_OPEN_MARK "\n\n1002:ab28\n";
	struct vb_config cfg;
	bool open[5];

	vb_config_init(&cfg);
	CHECK(vb_config_parse_text(&cfg, "t", text, strlen(text)) == 0);
	CHECK(cfg.select.count == 5);
	vb_selection_find_open(text, strlen(text), &cfg, open);
	/* Only the line right below the mark; a blank line ends it. */
	CHECK(!open[0] && open[1] && open[2] && !open[3] && !open[4]);
	vb_config_free(&cfg);
}

static void check_refused(void)
{
	refuses("10de:2504@01:00.0,1234:5678", false,
		"1234:5678 matches no PCI device, so it cannot be saved guarded (ID@address): "
		"name the card as 1234:5678@ADDRESS, or pass --all-matching to take every card "
		"with this ID, now and later");
	refuses("09:00.0", false,
		"09:00.0: no device there to read its ID from, so it cannot be saved guarded: "
		"write it as VENDOR:DEVICE@0000:09:00.0, the IDs of the card that goes there");
	refuses("10de:2504", true,
		"10de:2504 names no card that can be seen without sys/, so it cannot be saved "
		"guarded (ID@address): name the card as 10de:2504@ADDRESS, or pass --all-matching "
		"to take every card with this ID, now and later");
	refuses("01:00.0", true,
		"01:00.0: without sys/ the ID there cannot be read, so it cannot be saved guarded: "
		"write it as VENDOR:DEVICE@0000:01:00.0, the IDs of the card that goes there");
}

int main(void)
{
	check_guarded();
	check_group_listed();
	check_all_matching();
	check_mark_read_back();
	check_refused();
	return unit_report("saved-selection");
}
