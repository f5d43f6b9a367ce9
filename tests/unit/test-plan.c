// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "unit.h"

/* A host with one passthrough card (01:00.x), an identical card at 02:00.x,
 * an integrated boot GPU, a root port in group 1 and an unrelated NIC. */
static struct vb_pci_fn host[] = {
	{ .addr = { 0, 0, 1, 0 }, .name = "0000:00:01.0", .vendor = 0x8086, .device = 0x1901,
	  .class = 0x060400, .header_type = 1, .boot_vga = -1, .iommu_group = 1,
	  .driver = "pcieport" },
	{ .addr = { 0, 0, 2, 0 }, .name = "0000:00:02.0", .vendor = 0x8086, .device = 0x3e92,
	  .class = 0x030000, .header_type = 0, .boot_vga = 1, .iommu_group = 2,
	  .driver = "i915" },
	{ .addr = { 0, 1, 0, 0 }, .name = "0000:01:00.0", .vendor = 0x10de, .device = 0x2504,
	  .subvendor = 0x1462, .subdevice = 0x3975, .class = 0x030000, .header_type = 0,
	  .boot_vga = 0, .iommu_group = 1, .driver = "nouveau" },
	{ .addr = { 0, 1, 0, 1 }, .name = "0000:01:00.1", .vendor = 0x10de, .device = 0x228e,
	  .class = 0x040300, .header_type = 0, .boot_vga = -1, .iommu_group = 1,
	  .driver = "snd_hda_intel" },
	{ .addr = { 0, 2, 0, 0 }, .name = "0000:02:00.0", .vendor = 0x10de, .device = 0x2504,
	  .subvendor = 0x1462, .subdevice = 0x3976, .class = 0x030000, .header_type = 0,
	  .boot_vga = 0, .iommu_group = 3, .driver = "nouveau" },
	{ .addr = { 0, 2, 0, 1 }, .name = "0000:02:00.1", .vendor = 0x10de, .device = 0x228e,
	  .class = 0x040300, .header_type = 0, .boot_vga = -1, .iommu_group = 3, .driver = "" },
	{ .addr = { 0, 3, 0, 0 }, .name = "0000:03:00.0", .vendor = 0x8086, .device = 0x1533,
	  .class = 0x020000, .header_type = 0, .boot_vga = -1, .iommu_group = 1,
	  .driver = "vfio-pci" },
};
static const struct vb_snapshot snap = { host, sizeof(host) / sizeof(host[0]) };

struct expect {
	const char *name;
	enum vb_verdict verdict;
	const char *selected_by;
	const char *reason_part;
};

static void plan_for(const char *conf, const char *cmdline, struct vb_plan *plan)
{
	struct vb_config cfg;

	vb_config_init(&cfg);
	CHECK(vb_config_parse_text(&cfg, "t.conf", conf, strlen(conf)) == 0);
	CHECK(vb_config_parse_cmdline(&cfg, cmdline) == 0);
	CHECK(vb_plan_build(&cfg, &snap, plan) == 0);
	vb_config_free(&cfg);
}

static void expect_plan(const char *label, const struct vb_plan *plan,
			const struct expect *want, size_t count)
{
	if (plan->count != count)
		fprintf(stderr, "%s: %zu targets, want %zu\n", label, plan->count, count);
	CHECK(plan->count == count);
	for (size_t i = 0; i < count && i < plan->count; i++) {
		const struct vb_target *t = &plan->targets[i];
		if (strcmp(host[t->fn].name, want[i].name) != 0 || t->verdict != want[i].verdict ||
		    strcmp(t->selected_by, want[i].selected_by) != 0 ||
		    !strstr(t->reason, want[i].reason_part))
			fprintf(stderr, "%s: target %zu is %s/%d/%s/'%s'\n", label, i,
				host[t->fn].name, t->verdict, t->selected_by, t->reason);
		CHECK_STR(host[t->fn].name, want[i].name);
		CHECK(t->verdict == want[i].verdict);
		CHECK_STR(t->selected_by, want[i].selected_by);
		CHECK(strstr(t->reason, want[i].reason_part) != NULL);
	}
}

static void check_by_id_takes_every_match(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", VB_VERDICT_BIND, "10de:2504", "" },
		{ "0000:01:00.1", VB_VERDICT_BIND, "companion", "same slot as 0000:01:00.0" },
		{ "0000:02:00.0", VB_VERDICT_BIND, "10de:2504", "" },
		{ "0000:02:00.1", VB_VERDICT_BIND, "companion", "same slot as 0000:02:00.0" },
	};

	plan_for("10de:2504\n", "", &plan);
	expect_plan("by id", &plan, want, 4);
	CHECK(plan.unmatched == 0);
	vb_plan_free(&plan);
}

static void check_identical_cards_by_address(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:02:00.0", VB_VERDICT_BIND, "02:00.0", "" },
		{ "0000:02:00.1", VB_VERDICT_BIND, "companion", "same slot" },
	};

	plan_for("02:00.0\n", "", &plan);
	expect_plan("by address", &plan, want, 2);
	vb_plan_free(&plan);
}

static void check_subsystem_id(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:02:00.0", VB_VERDICT_BIND, "10de:2504:1462:3976", "" },
	};

	plan_for("10de:2504:1462:3976\ncompanions=none\n", "", &plan);
	expect_plan("subsystem", &plan, want, 1);
	vb_plan_free(&plan);
}

static void check_id_guard(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", VB_VERDICT_BIND, "10de:2504@0000:01:00.0", "" },
		{ "0000:01:00.1", VB_VERDICT_BIND, "companion", "" },
		{ "0000:02:00.1", VB_VERDICT_REFUSE, "10de:2504@02:00.1",
		  "ID guard: expected 10de:2504 at 0000:02:00.1, found 10de:228e" },
	};

	plan_for("10de:2504@0000:01:00.0\n10de:2504@02:00.1\n10de:2504@05:00.0\n", "", &plan);
	expect_plan("id guard", &plan, want, 3);
	CHECK(plan.unmatched == 1);
	CHECK(plan.notes.count == 1 &&
	      strstr(plan.notes.items[0], "t.conf:3: selector '10de:2504@05:00.0' matches no PCI device"));
	vb_plan_free(&plan);
}

static void check_boot_vga(void)
{
	struct vb_plan plan;
	const struct expect refused[] = {
		{ "0000:00:02.0", VB_VERDICT_REFUSE, "8086:3e92", "boot VGA device" },
	};
	const struct expect allowed[] = {
		{ "0000:00:02.0", VB_VERDICT_BIND, "8086:3e92", "" },
	};

	plan_for("8086:3e92\n", "", &plan);
	expect_plan("boot vga refused", &plan, refused, 1);
	vb_plan_free(&plan);
	plan_for("8086:3e92\nboot-vga=allow\n", "", &plan);
	expect_plan("boot vga allowed", &plan, allowed, 1);
	vb_plan_free(&plan);
}

static void check_group_companions_skip_bridges(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:00:01.0", VB_VERDICT_REFUSE, "companion", "PCI bridge" },
		{ "0000:01:00.0", VB_VERDICT_BIND, "01:00.0", "" },
		{ "0000:01:00.1", VB_VERDICT_BIND, "companion", "same IOMMU group as 0000:01:00.0" },
		{ "0000:03:00.0", VB_VERDICT_ALREADY, "companion",
		  "same IOMMU group as 0000:01:00.0; already bound to vfio-pci" },
	};

	plan_for("01:00.0\ncompanions=group\n", "", &plan);
	expect_plan("group", &plan, want, 4);
	vb_plan_free(&plan);
}

static void check_bridge_selected(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:00:01.0", VB_VERDICT_REFUSE, "00:01.0", "PCI bridge" },
	};

	plan_for("00:01.0\n", "", &plan);
	expect_plan("bridge", &plan, want, 1);
	vb_plan_free(&plan);
}

static void check_cmdline_skip_and_disable(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", VB_VERDICT_BIND, "10de:2504", "" },
		{ "0000:01:00.1", VB_VERDICT_REFUSE, "10de:228e", "skipped by vfio_boot.skip=01:00.1" },
		{ "0000:02:00.0", VB_VERDICT_REFUSE, "10de:2504", "skipped by vfio_boot.skip=02:00.0" },
		{ "0000:02:00.1", VB_VERDICT_BIND, "10de:228e", "" },
	};

	plan_for("10de:2504\n", "vfio_boot.devices=10de:228e vfio_boot.skip=02:00.0,01:00.1",
		 &plan);
	expect_plan("skip", &plan, want, 4);
	vb_plan_free(&plan);

	plan_for("10de:2504\n", "quiet vfio_boot.disable=1", &plan);
	CHECK(plan.count == 0 && plan.notes.count == 0);
	vb_plan_free(&plan);
}

static void check_nothing_selected_and_unmatched(void)
{
	struct vb_plan plan;

	plan_for("", "", &plan);
	CHECK(plan.count == 0 && plan.unmatched == 0);
	vb_plan_free(&plan);
	plan_for("1234:5678\n09:00.0\n", "", &plan);
	CHECK(plan.count == 0 && plan.unmatched == 2);
	vb_plan_free(&plan);
}

static void check_first_selector_wins(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", VB_VERDICT_BIND, "01:00.0", "" },
		{ "0000:01:00.1", VB_VERDICT_BIND, "10de:228e", "" },
		{ "0000:02:00.1", VB_VERDICT_BIND, "10de:228e", "" },
	};

	plan_for("01:00.0\n10de:228e\n10de:2504@01:00.0\ncompanions=none\n", "", &plan);
	expect_plan("first wins", &plan, want, 3);
	CHECK(plan.unmatched == 0);
	CHECK(vb_plan_count(&plan, VB_VERDICT_BIND) == 3);
	vb_plan_free(&plan);
}

static void check_candidates(void)
{
	const char *const confs[] = { "01:00.0\n", "10de:228e\ncompanions=none\n",
				      "01:00.0\ncompanions=group\n", "" };
	const char *const want[] = { "0011000", "0001010", "1111111", "0000000" };

	for (size_t c = 0; c < 4; c++) {
		struct vb_config cfg;
		bool marked[7];
		char got[8] = "";

		vb_config_init(&cfg);
		vb_config_parse_text(&cfg, "t.conf", confs[c], strlen(confs[c]));
		vb_plan_candidates(&cfg, &snap, marked);
		for (size_t i = 0; i < 7; i++)
			got[i] = marked[i] ? '1' : '0';
		CHECK_STR(got, want[c]);
		vb_config_free(&cfg);
	}
}

int main(void)
{
	check_candidates();
	check_by_id_takes_every_match();
	check_identical_cards_by_address();
	check_subsystem_id();
	check_id_guard();
	check_boot_vga();
	check_group_companions_skip_bridges();
	check_bridge_selected();
	check_cmdline_skip_and_disable();
	check_nothing_selected_and_unmatched();
	check_first_selector_wins();
	return unit_report("plan");
}
