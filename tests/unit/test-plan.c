// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "config.h"
#include "plan.h"
#include "unit.h"


/* A function: address, IDs, class, group, driver; boot_vga and root bus as sysfs says. */
#define FN(b, s, f, ven, dev, cls, grp, drv, bvga)                                          \
	{ .addr = { 0, 0x##b, 0x##s, f }, .name = "0000:" #b ":" #s "." #f, .vendor = ven,  \
	  .device = dev, .class = cls, .header_type = (cls >> 8) == 0x0604, .boot_vga = bvga, \
	  .iommu_group = grp, .driver = drv, .root_bus = (0x##b == 0) }

/* The example host (tests/fixture/host.spec): a passthrough card at 01:00 in
 * group 1 with its root port and a NIC already on vfio-pci, an identical card
 * at 02:00, an integrated boot GPU. */
static struct vb_pci_fn host[] = {
	FN(00, 01, 0, 0x8086, 0x1901, 0x060400, 1, "pcieport", -1),
	FN(00, 02, 0, 0x8086, 0x3e92, 0x030000, 2, "i915", 1),
	FN(01, 00, 0, 0x10de, 0x2504, 0x030000, 1, "nouveau", 0),
	FN(01, 00, 1, 0x10de, 0x228e, 0x040300, 1, "snd_hda_intel", -1),
	FN(02, 00, 0, 0x10de, 0x2504, 0x030000, 3, "nouveau", 0),
	FN(02, 00, 1, 0x10de, 0x228e, 0x040300, 3, "", -1),
	FN(03, 00, 0, 0x8086, 0x1533, 0x020000, 1, "vfio-pci", -1),
};

/* An Intel desktop board's chipset slot 00:1f, one IOMMU group. */
static struct vb_pci_fn intel[] = {
	FN(00, 1f, 0, 0x8086, 0xa305, 0x060100, 10, "", -1),
	FN(00, 1f, 3, 0x8086, 0xa348, 0x040300, 10, "snd_hda_intel", -1),
	FN(00, 1f, 4, 0x8086, 0xa323, 0x0c0500, 10, "i801_smbus", -1),
	FN(00, 1f, 5, 0x8086, 0xa324, 0x0c8000, 10, "intel-spi", -1),
	FN(00, 1f, 6, 0x8086, 0x15bc, 0x020000, 10, "e1000e", -1),
	FN(01, 00, 0, 0x10de, 0x2504, 0x030000, 11, "nouveau", 0),
};

/* An AMD 500-series board: the second GPU slot (04:00) behind the chipset
 * shares group 15 with the chipset's switch, NIC, USB and SATA. */
static struct vb_pci_fn amd[] = {
	FN(02, 00, 0, 0x1022, 0x57ad, 0x060400, 15, "pcieport", -1),
	FN(03, 04, 0, 0x1022, 0x57a3, 0x060400, 15, "pcieport", -1),
	FN(04, 00, 0, 0x10de, 0x1b81, 0x030000, 15, "nouveau", 0),
	FN(04, 00, 1, 0x10de, 0x10f0, 0x040300, 15, "snd_hda_intel", -1),
	FN(05, 00, 0, 0x8086, 0x1539, 0x020000, 15, "igb", -1),
	FN(06, 00, 1, 0x1022, 0x149c, 0x0c0330, 15, "xhci_hcd", -1),
	FN(06, 00, 3, 0x1022, 0x149c, 0x0c0330, 15, "xhci_hcd", -1),
	FN(07, 00, 0, 0x1022, 0x7901, 0x010601, 15, "ahci", -1),
};

/* A Navi card behind its switch bridges, VGA and audio in separate groups. */
static struct vb_pci_fn navi[] = {
	FN(0b, 00, 0, 0x1002, 0x1478, 0x060400, 20, "pcieport", -1),
	FN(0c, 00, 0, 0x1002, 0x1479, 0x060400, 20, "pcieport", -1),
	FN(0d, 00, 0, 0x1002, 0x73bf, 0x030000, 20, "amdgpu", 0),
	FN(0d, 00, 1, 0x1002, 0xab28, 0x040300, 21, "snd_hda_intel", -1),
};

/* Displays without boot_vga: a 3D controller, a VGA whose file cannot be
 * read, a display controller 0380, a function of unknown class (selected by
 * address: the operator's choice); a server whose only VGA is its BMC's. */
static struct vb_pci_fn displays[] = {
	FN(02, 00, 0, 0x1a03, 0x2000, 0x030000, 30, "ast", 1),
	FN(41, 00, 0, 0x10de, 0x20b5, 0x030200, 31, "nvidia", -1),
	FN(42, 00, 0, 0x10de, 0x2504, 0x030000, 32, "nouveau", -1),
	FN(42, 00, 1, 0x10de, 0x228e, 0x040300, 32, "snd_hda_intel", -1),
	FN(43, 00, 0, 0x10de, 0x1db6, 0x038000, 33, "", -1),
	FN(44, 00, 0, 0x10de, 0x2204, 0x000000, 34, "", -1),
};

/* A GPU group that also holds a SATA controller (at 02:00) and another that
 * holds an NVMe drive (at 06:00); a card whose USB-C controller holds /boot. */
static struct vb_pci_fn shared[] = {
	FN(01, 00, 0, 0x10de, 0x2504, 0x030000, 40, "nouveau", 0),
	FN(01, 00, 1, 0x10de, 0x228e, 0x040300, 40, "snd_hda_intel", -1),
	FN(02, 00, 0, 0x1b21, 0x0612, 0x010601, 40, "ahci", -1),
	FN(05, 00, 0, 0x1002, 0x73bf, 0x030000, 41, "amdgpu", 0),
	FN(05, 00, 1, 0x1002, 0xab28, 0x040300, 42, "snd_hda_intel", -1),
	FN(06, 00, 0, 0x144d, 0xa80a, 0x010802, 41, "nvme", -1),
	FN(08, 00, 0, 0x10de, 0x1e87, 0x030000, 43, "nouveau", 0),
	FN(08, 00, 1, 0x10de, 0x10f8, 0x040300, 43, "snd_hda_intel", -1),
	FN(08, 00, 2, 0x10de, 0x1ad8, 0x0c0330, 43, "xhci_hcd", -1),
	FN(08, 00, 3, 0x10de, 0x1ad9, 0x0c8000, 43, "nvidia-gpu", -1),
	FN(09, 00, 0, 0x8086, 0x1533, 0x020000, 44, "igb", -1),
};

static const struct vb_host_device shared_needs[] = {
	{ { 0, 0x06, 0, 0 }, VB_HOST_DISK, "/" },
	{ { 0, 0x08, 0, 2 }, VB_HOST_DISK, "/boot" },
	{ { 0, 0x09, 0, 0 }, VB_HOST_NETWORK, "eno1" },
};

struct expect {
	const char *name;
	enum vb_verdict verdict;
	enum vb_rule rule;
	const char *selected_by;
	const char *reason_part;
};

static const struct vb_snapshot *snap_now;

static void plan_on(const struct vb_snapshot *snap, const struct vb_host_facts *needs,
		    const char *conf, const char *cmdline, struct vb_plan *plan)
{
	struct vb_config cfg;

	snap_now = snap;
	vb_config_init(&cfg);
	CHECK(vb_config_parse_text(&cfg, "t.conf", conf, strlen(conf)) == 0);
	CHECK(vb_config_parse_cmdline(&cfg, cmdline) == 0);
	CHECK(cfg.problems.count == 0);
	CHECK(vb_plan_build(&cfg, snap, needs, plan) == 0);
	vb_config_free(&cfg);
}

static const struct vb_snapshot host_snap = { host, ARRAY_SIZE(host) };
static void plan_for(const char *conf, const char *cmdline, struct vb_plan *plan)
{
	plan_on(&host_snap, NULL, conf, cmdline, plan);
}

static void expect_plan(const char *label, const struct vb_plan *plan,
			const struct expect *want, size_t count)
{
	const struct vb_pci_fn *fns = snap_now->fns;

	if (plan->count != count)
		fprintf(stderr, "%s: %zu targets, want %zu\n", label, plan->count, count);
	CHECK(plan->count == count);
	for (size_t i = 0; i < count && i < plan->count; i++) {
		const struct vb_target *t = &plan->targets[i];
		if (strcmp(fns[t->fn].name, want[i].name) != 0 || t->verdict != want[i].verdict ||
		    t->rule != want[i].rule || strcmp(t->selected_by, want[i].selected_by) != 0 ||
		    !strstr(t->reason, want[i].reason_part))
			fprintf(stderr, "%s: target %zu is %s/%d/%d/%s/'%s'\n", label, i,
				fns[t->fn].name, t->verdict, t->rule, t->selected_by, t->reason);
		CHECK_STR(fns[t->fn].name, want[i].name);
		CHECK(t->verdict == want[i].verdict);
		CHECK(t->rule == want[i].rule);
		CHECK(t->companion == (strcmp(want[i].selected_by, "companion") == 0));
		CHECK_STR(t->selected_by, want[i].selected_by);
		CHECK(strstr(t->reason, want[i].reason_part) != NULL);
	}
}

#define BIND VB_VERDICT_BIND
#define REFUSE VB_VERDICT_REFUSE

static void check_by_id_takes_every_match(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", BIND, VB_RULE_NONE, "10de:2504", "" },
		{ "0000:01:00.1", BIND, VB_RULE_NONE, "companion", "same slot as 0000:01:00.0" },
		{ "0000:02:00.0", BIND, VB_RULE_NONE, "10de:2504", "" },
		{ "0000:02:00.1", BIND, VB_RULE_NONE, "companion", "same slot as 0000:02:00.0" },
	};

	/* The binder takes what the file says; configure refuses to write it (2 cards). */
	plan_for("10de:2504\n", "", &plan);
	expect_plan("by id", &plan, want, 4);
	CHECK(plan.unmatched == 0);
	CHECK(plan.nselectors == 1 && plan.selectors[0].matched == 2 &&
	      plan.selectors[0].cards == 2 && plan.selectors[0].refused == 0);
	CHECK(plan.selectors[0].card_fn[0] == 2 && plan.selectors[0].card_fn[1] == 4);
	CHECK(plan.selectors[0].example_fn == 2);
	vb_plan_free(&plan);

	/* Two functions of one card are one card. */
	plan_for("10de:2504@01:00.0\n10de:228e:0000:0000\n", "", &plan);
	CHECK(plan.nselectors == 2 && plan.selectors[0].cards == 1 && plan.selectors[1].cards == 2);
	vb_plan_free(&plan);
}

static void check_identical_cards_by_address(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:02:00.0", BIND, VB_RULE_NONE, "02:00.0", "" },
		{ "0000:02:00.1", BIND, VB_RULE_NONE, "companion", "same slot" },
	};

	plan_for("02:00.0\n", "", &plan);
	expect_plan("by address", &plan, want, 2);
	CHECK(plan.selectors[0].cards == 1);
	CHECK(plan.nsplits == 0);
	vb_plan_free(&plan);
}

static void check_subsystem_id(void)
{
	struct vb_plan plan;

	plan_for("10de:2504:0000:0000\ncompanions=none\n", "", &plan);
	CHECK(plan.count == 2 && plan.selectors[0].cards == 2);
	vb_plan_free(&plan);
}

static void check_id_guard(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", BIND, VB_RULE_NONE, "10de:2504@0000:01:00.0", "" },
		{ "0000:01:00.1", BIND, VB_RULE_NONE, "companion", "" },
		{ "0000:02:00.1", REFUSE, VB_RULE_ID_GUARD, "10de:2504@02:00.1",
		  "ID guard: expected 10de:2504 at 0000:02:00.1, found 10de:228e" },
	};
	const struct expect swapped[] = {
		{ "0000:01:00.0", REFUSE, VB_RULE_ID_GUARD, "10de:1e87@0000:01:00.0",
		  "ID guard: expected 10de:1e87 at 0000:01:00.0, found 10de:2504" },
		{ "0000:01:00.1", REFUSE, VB_RULE_ID_GUARD, "10de:228e@0000:01:00.1",
		  "card kept whole: 0000:01:00.0 stays with the host (ID guard: expected 10de:1e87" },
	};

	plan_for("10de:2504@0000:01:00.0\n10de:2504@02:00.1\n10de:2504@05:00.0\n", "", &plan);
	expect_plan("id guard", &plan, want, 3);
	CHECK(plan.unmatched == 1);
	CHECK(plan.notes.count == 1 &&
	      strstr(plan.notes.items[0], "t.conf:3: selector '10de:2504@05:00.0' matches no PCI device"));
	CHECK(plan.selectors[1].matched == 1 && plan.selectors[1].refused == 1);
	CHECK(plan.selectors[2].matched == 0);
	vb_plan_free(&plan);

	/* Another card at the address: nothing on it is taken, even a function whose guard holds. */
	plan_for("10de:1e87@0000:01:00.0\n10de:228e@0000:01:00.1\n", "", &plan);
	expect_plan("another card", &plan, swapped, 2);
	CHECK(plan.selectors[1].matched == 1 && plan.selectors[1].refused == 1);
	vb_plan_free(&plan);
}

static void check_boot_vga(void)
{
	struct vb_plan plan;
	const struct expect refused[] = {
		{ "0000:00:02.0", REFUSE, VB_RULE_BOOT_VGA, "8086:3e92",
		  "boot VGA device: it drives the host console (boot-vga=allow takes it)" },
	};
	const struct expect allowed[] = {
		{ "0000:00:02.0", BIND, VB_RULE_NONE, "8086:3e92", "" },
	};

	plan_for("8086:3e92\n", "", &plan);
	expect_plan("boot vga refused", &plan, refused, 1);
	CHECK(plan.selectors[0].refused == 1 && plan.selectors[0].example_fn == VB_NO_FN);
	vb_plan_free(&plan);
	plan_for("8086:3e92\nboot-vga=allow\n", "", &plan);
	expect_plan("boot vga allowed", &plan, allowed, 1);
	vb_plan_free(&plan);
}

/* Fail safe: only a readable "0" clears a VGA-class function; 0x0302 never is one. */
static void check_boot_vga_fail_safe(void)
{
	const struct vb_snapshot snap = { displays, ARRAY_SIZE(displays) };
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:02:00.0", REFUSE, VB_RULE_BOOT_VGA, "1a03:2000", "it drives the host console" },
		{ "0000:41:00.0", BIND, VB_RULE_NONE, "10de:20b5", "" },
		{ "0000:42:00.0", REFUSE, VB_RULE_BOOT_VGA, "42:00.0", "boot_vga cannot be read" },
		{ "0000:43:00.0", BIND, VB_RULE_NONE, "43:00.0", "" },
		{ "0000:44:00.0", BIND, VB_RULE_NONE, "44:00.0", "" },
	};

	displays[5].no_class = true;
	plan_on(&snap, NULL, "1a03:2000\n10de:20b5\n42:00.0\n43:00.0\n44:00.0\n", "", &plan);
	expect_plan("fail safe", &plan, want, ARRAY_SIZE(want));
	vb_plan_free(&plan);
	/* Allowed, the unknown ones go too. */
	plan_on(&snap, NULL, "42:00.0\nboot-vga=allow\n", "", &plan);
	CHECK(plan.count == 2 && vb_plan_count(&plan, BIND) == 2);
	vb_plan_free(&plan);
	displays[5].no_class = false;
}

/* The HD audio of the boot GPU, by ID: never half a card. */
static void check_card_never_split_by_boot_vga(void)
{
	struct vb_pci_fn card[] = {
		FN(01, 00, 0, 0x10de, 0x2504, 0x030000, 1, "nouveau", 1),
		FN(01, 00, 1, 0x10de, 0x228e, 0x040300, 1, "snd_hda_intel", -1),
	};
	const struct vb_snapshot snap = { card, ARRAY_SIZE(card) };
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", REFUSE, VB_RULE_BOOT_VGA, "10de:2504", "boot VGA device" },
		{ "0000:01:00.1", REFUSE, VB_RULE_BOOT_VGA, "10de:228e",
		  "card kept whole: 0000:01:00.0 stays with the host (boot VGA device" },
	};
	const struct expect alone[] = {
		{ "0000:01:00.1", REFUSE, VB_RULE_BOOT_VGA, "10de:228e",
		  "card kept whole: 0000:01:00.0 stays with the host (boot VGA device" },
	};

	plan_on(&snap, NULL, "10de:2504\n10de:228e\n", "", &plan);
	expect_plan("boot vga card", &plan, want, 2);
	CHECK(plan.selectors[1].refused == plan.selectors[1].matched);
	CHECK(plan.nsplits == 0);
	vb_plan_free(&plan);
	/* Without companions the GPU is not even a target: the card still stays whole. */
	plan_on(&snap, NULL, "10de:228e\ncompanions=none\n", "", &plan);
	expect_plan("boot vga card, audio alone", &plan, alone, 1);
	vb_plan_free(&plan);
	/* A skip is per function: it never keeps the rest of a card. */
	plan_on(&snap, NULL, "01:00.0\nboot-vga=allow\n", "vfio_boot.skip=01:00.1", &plan);
	CHECK(plan.count == 2 && plan.targets[0].verdict == BIND &&
	      plan.targets[1].rule == VB_RULE_SKIP);
	CHECK(plan.nsplits == 1 && plan.splits[0].group == 1 && plan.splits[0].nleft == 1);
	vb_plan_free(&plan);
}

/* Chipset functions never come along: the Intel board's onboard audio. */
static void check_chipset_slot(void)
{
	const struct vb_snapshot snap = { intel, ARRAY_SIZE(intel) };
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:00:1f.0", REFUSE, VB_RULE_BRIDGE, "companion", "PCI bridge" },
		{ "0000:00:1f.3", BIND, VB_RULE_NONE, "8086:a348", "" },
		{ "0000:00:1f.4", REFUSE, VB_RULE_KEPT, "companion",
		  "kept for the host: chipset SMBus controller (on the root bus), select it by "
		  "address to pass it through" },
		{ "0000:00:1f.5", REFUSE, VB_RULE_KEPT, "companion", "chipset serial bus controller" },
		{ "0000:00:1f.6", REFUSE, VB_RULE_KEPT, "companion", "chipset network controller" },
	};

	plan_on(&snap, NULL, "8086:a348\n", "", &plan);
	expect_plan("intel chipset", &plan, want, ARRAY_SIZE(want));
	CHECK(plan.nsplits == 1 && plan.splits[0].nleft == 3);
	vb_plan_free(&plan);
	/* Without the sysfs path, bus 00 is the root bus. */
	for (size_t i = 0; i < 5; i++)
		intel[i].root_bus = -1;
	plan_on(&snap, NULL, "8086:a348\n", "", &plan);
	expect_plan("intel chipset, root bus unknown", &plan, want, ARRAY_SIZE(want));
	vb_plan_free(&plan);
	/* Selected by address, a chipset NIC is the operator's choice. */
	plan_on(&snap, NULL, "00:1f.6\ncompanions=none\n", "", &plan);
	CHECK(plan.count == 1 && plan.targets[0].verdict == BIND);
	vb_plan_free(&plan);
	for (size_t i = 0; i < 5; i++)
		intel[i].root_bus = 1;
}

/* The class rule on a card slot: only what cards carry comes along. */
static void check_class_rule(void)
{
	struct vb_pci_fn card[] = {
		FN(05, 00, 0, 0x10de, 0x1e87, 0x030000, 5, "nouveau", 0),
		FN(05, 00, 1, 0x10de, 0x10f8, 0x040300, 5, "snd_hda_intel", -1),
		FN(05, 00, 2, 0x10de, 0x1ad8, 0x0c0330, 5, "xhci_hcd", -1),
		FN(05, 00, 3, 0x10de, 0x1ad9, 0x0c8000, 5, "nvidia-gpu", -1),
		FN(05, 00, 4, 0x10de, 0x0001, 0x040100, 5, "", -1),
		FN(05, 00, 5, 0x10de, 0x0002, 0x120000, 5, "", -1),
		FN(05, 00, 6, 0x8086, 0x1533, 0x020000, 5, "igb", -1),
		FN(05, 00, 7, 0x10de, 0x0003, 0x0c0500, 5, "", -1),
	};
	const struct vb_snapshot snap = { card, ARRAY_SIZE(card) };
	const char *const kept[] = { "network controller", "SMBus controller" };
	struct vb_plan plan;

	plan_on(&snap, NULL, "05:00.0\n", "", &plan);
	CHECK(plan.count == 8);
	for (size_t t = 1; t < 6 && t < plan.count; t++)
		CHECK(plan.targets[t].verdict == BIND && plan.targets[t].companion);
	for (size_t t = 6; t < 8 && t < plan.count; t++) {
		CHECK(plan.targets[t].rule == VB_RULE_KEPT);
		CHECK(strstr(plan.targets[t].reason, kept[t - 6]) != NULL);
		CHECK(strstr(plan.targets[t].reason, "select it by address to pass it through"));
	}
	vb_plan_free(&plan);
	/* Unknown class: never a companion. */
	card[1].no_class = true;
	plan_on(&snap, NULL, "05:00.0\n", "", &plan);
	CHECK(plan.count == 8 && plan.targets[1].rule == VB_RULE_KEPT &&
	      strstr(plan.targets[1].reason, "function of unknown class"));
	vb_plan_free(&plan);
}

/* companions=group: whole or not at all, naming the blocker. */
static void check_group_whole_or_nothing(void)
{
	const struct vb_snapshot snap = { amd, ARRAY_SIZE(amd) };
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:02:00.0", REFUSE, VB_RULE_BRIDGE, "companion", "PCI bridge" },
		{ "0000:03:04.0", REFUSE, VB_RULE_BRIDGE, "companion", "PCI bridge" },
		{ "0000:04:00.0", BIND, VB_RULE_NONE, "10de:1b81", "" },
		{ "0000:04:00.1", BIND, VB_RULE_NONE, "companion", "same slot as 0000:04:00.0" },
		{ "0000:05:00.0", REFUSE, VB_RULE_KEPT, "companion",
		  "kept for the host: network controller" },
		{ "0000:06:00.1", REFUSE, VB_RULE_KEPT, "companion",
		  "kept for the host: IOMMU group 15 cannot be taken whole, 0000:05:00.0 "
		  "(network controller) must stay" },
		{ "0000:06:00.3", REFUSE, VB_RULE_KEPT, "companion", "0000:05:00.0" },
		{ "0000:07:00.0", REFUSE, VB_RULE_KEPT, "companion", "kept for the host: SATA controller" },
	};

	plan_on(&snap, NULL, "10de:1b81\ncompanions=group\n", "", &plan);
	expect_plan("amd group", &plan, want, ARRAY_SIZE(want));
	CHECK(plan.nsplits == 1 && plan.splits[0].group == 15 && plan.splits[0].nleft == 4 &&
	      plan.splits[0].taken_fn == 2);
	vb_plan_free(&plan);
	/* The default slot rule: the same split, the chipset untouched. */
	plan_on(&snap, NULL, "10de:1b81\n", "", &plan);
	CHECK(plan.count == 2 && plan.nsplits == 1 && plan.splits[0].nleft == 4);
	vb_plan_free(&plan);
}

static void check_group_companions(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:00:01.0", REFUSE, VB_RULE_BRIDGE, "companion", "PCI bridge" },
		{ "0000:01:00.0", BIND, VB_RULE_NONE, "01:00.0", "" },
		{ "0000:01:00.1", BIND, VB_RULE_NONE, "companion", "same slot as 0000:01:00.0" },
		{ "0000:03:00.0", REFUSE, VB_RULE_KEPT, "companion",
		  "kept for the host: network controller" },
	};
	const struct expect navi_want[] = {
		{ "0000:0b:00.0", REFUSE, VB_RULE_BRIDGE, "companion", "PCI bridge" },
		{ "0000:0c:00.0", REFUSE, VB_RULE_BRIDGE, "companion", "PCI bridge" },
		{ "0000:0d:00.0", BIND, VB_RULE_NONE, "1002:73bf", "" },
		{ "0000:0d:00.1", BIND, VB_RULE_NONE, "companion", "same slot as 0000:0d:00.0" },
	};
	const struct vb_snapshot navi_snap = { navi, ARRAY_SIZE(navi) };

	/* A NIC in the card's group (on vfio-pci already) is still never implicit. */
	plan_for("01:00.0\ncompanions=group\n", "", &plan);
	expect_plan("group", &plan, want, ARRAY_SIZE(want));
	CHECK(plan.nsplits == 1 && plan.splits[0].nleft == 1 && plan.splits[0].left[0] == 6);
	vb_plan_free(&plan);
	/* Navi: the audio in its own group comes by the slot rule; bridges aside. */
	plan_on(&navi_snap, NULL, "1002:73bf\ncompanions=group\n", "", &plan);
	expect_plan("navi group", &plan, navi_want, ARRAY_SIZE(navi_want));
	CHECK(plan.nsplits == 0);
	vb_plan_free(&plan);
	plan_on(&navi_snap, NULL, "1002:73bf\n", "", &plan);
	CHECK(plan.count == 2 && vb_plan_count(&plan, BIND) == 2 && plan.nsplits == 0);
	vb_plan_free(&plan);
}

/* A card in the group of the boot GPU's card: the split cannot be mended. */
static void check_group_with_boot_gpu(void)
{
	struct vb_pci_fn two[] = {
		FN(01, 00, 0, 0x10de, 0x2504, 0x030000, 1, "nouveau", 1),
		FN(01, 00, 1, 0x10de, 0x228e, 0x040300, 1, "snd_hda_intel", -1),
		FN(02, 00, 0, 0x10de, 0x1e87, 0x030000, 1, "nouveau", 0),
		FN(02, 00, 1, 0x10de, 0x10f8, 0x040300, 1, "", -1),
	};
	const struct vb_snapshot snap = { two, ARRAY_SIZE(two) };
	struct vb_plan plan;

	plan_on(&snap, NULL, "10de:1e87\n", "", &plan);
	CHECK(vb_plan_count(&plan, BIND) == 2);
	CHECK(plan.nsplits == 1 && plan.splits[0].nleft == 2 && plan.splits[0].kept_fn == 0);
	CHECK(plan.nsplits == 1 && strstr(plan.splits[0].kept_reason, "boot VGA device"));
	vb_plan_free(&plan);
	/* A split that adding functions mends names none kept. */
	plan_on(&host_snap, NULL, "01:00.0\ncompanions=none\n", "", &plan);
	CHECK(plan.nsplits == 1 && plan.splits[0].kept_fn == VB_NO_FN);
	vb_plan_free(&plan);
}

/* The host's disk and network, their groups and their cards. */
static void check_host_devices(void)
{
	const struct vb_snapshot snap = { shared, ARRAY_SIZE(shared) };
	const struct vb_host_facts needs = { shared_needs, ARRAY_SIZE(shared_needs) };
	struct vb_plan plan;
	const struct expect sata[] = {
		{ "0000:01:00.0", BIND, VB_RULE_NONE, "01:00.0", "" },
		{ "0000:01:00.1", BIND, VB_RULE_NONE, "companion", "same slot" },
		{ "0000:02:00.0", REFUSE, VB_RULE_KEPT, "companion", "SATA controller" },
	};
	const struct expect nvme_group[] = {
		{ "0000:05:00.0", REFUSE, VB_RULE_HOST_DISK, "05:00.0",
		  "host disk: IOMMU group 41 also holds 0000:06:00.0, which holds the root "
		  "filesystem (/)" },
		{ "0000:05:00.1", REFUSE, VB_RULE_HOST_DISK, "companion",
		  "card kept whole: 0000:05:00.0 stays with the host (host disk: IOMMU group 41" },
	};
	const struct expect usb_boot[] = {
		{ "0000:08:00.0", REFUSE, VB_RULE_HOST_DISK, "10de:1e87",
		  "host disk: IOMMU group 43 also holds 0000:08:00.2, which holds /boot" },
		{ "0000:08:00.1", REFUSE, VB_RULE_HOST_DISK, "companion", "0000:08:00.2" },
		{ "0000:08:00.2", REFUSE, VB_RULE_HOST_DISK, "companion",
		  "host disk: it holds /boot" },
		{ "0000:08:00.3", REFUSE, VB_RULE_HOST_DISK, "companion", "0000:08:00.2" },
	};

	/* A GPU group with SATA: the group split is configure's to refuse. */
	plan_on(&snap, &needs, "01:00.0\ncompanions=group\n", "", &plan);
	expect_plan("sata group", &plan, sata, ARRAY_SIZE(sata));
	CHECK(plan.nsplits == 1 && plan.splits[0].group == 40);
	vb_plan_free(&plan);
	/* A GPU in the group of the root filesystem's NVMe, audio in its own group. */
	plan_on(&snap, &needs, "05:00.0\n", "", &plan);
	expect_plan("nvme group", &plan, nvme_group, ARRAY_SIZE(nvme_group));
	CHECK(plan.nsplits == 0);
	vb_plan_free(&plan);
	/* The binder at boot knows nothing of the host. */
	plan_on(&snap, NULL, "05:00.0\n", "", &plan);
	CHECK(vb_plan_count(&plan, BIND) == 2 && plan.nsplits == 1);
	vb_plan_free(&plan);
	/* /boot on a USB stick in the card's USB-C port. */
	plan_on(&snap, &needs, "10de:1e87\n", "", &plan);
	expect_plan("usb boot", &plan, usb_boot, ARRAY_SIZE(usb_boot));
	vb_plan_free(&plan);
	/* The NIC of the default route, by address. */
	plan_on(&snap, &needs, "09:00.0\n", "", &plan);
	CHECK(plan.count == 1 && plan.targets[0].rule == VB_RULE_HOST_NETWORK &&
	      strstr(plan.targets[0].reason, "host network: it carries the default route (eno1)"));
	CHECK(plan.selectors[0].refused == 1);
	vb_plan_free(&plan);
}

static void check_bridge_selected(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:00:01.0", REFUSE, VB_RULE_BRIDGE, "00:01.0", "PCI bridge" },
	};

	plan_for("00:01.0\n", "", &plan);
	expect_plan("bridge", &plan, want, 1);
	vb_plan_free(&plan);
}

static void check_cmdline_skip_and_disable(void)
{
	struct vb_plan plan;
	const struct expect want[] = {
		{ "0000:01:00.0", BIND, VB_RULE_NONE, "10de:2504", "" },
		{ "0000:01:00.1", REFUSE, VB_RULE_SKIP, "10de:228e", "skipped by vfio_boot.skip=01:00.1" },
		{ "0000:02:00.0", REFUSE, VB_RULE_SKIP, "10de:2504", "skipped by vfio_boot.skip=02:00.0" },
		{ "0000:02:00.1", BIND, VB_RULE_NONE, "10de:228e", "" },
	};

	plan_for("10de:2504\n", "vfio_boot.devices=10de:228e vfio_boot.skip=02:00.0,01:00.1",
		 &plan);
	expect_plan("skip", &plan, want, 4);
	vb_plan_free(&plan);

	plan_for("10de:2504\n", "quiet vfio_boot.disable=1", &plan);
	CHECK(plan.count == 0 && plan.notes.count == 0 && plan.nselectors == 0);
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
		{ "0000:01:00.0", BIND, VB_RULE_NONE, "01:00.0", "" },
		{ "0000:01:00.1", BIND, VB_RULE_NONE, "10de:228e", "" },
		{ "0000:02:00.1", BIND, VB_RULE_NONE, "10de:228e", "" },
	};

	plan_for("01:00.0\n10de:228e\n10de:2504@01:00.0\ncompanions=none\n", "", &plan);
	expect_plan("first wins", &plan, want, 3);
	CHECK(plan.unmatched == 0);
	CHECK(vb_plan_count(&plan, BIND) == 3);
	CHECK(vb_plan_target_of(&plan, 3) == &plan.targets[1]);
	CHECK(vb_plan_target_of(&plan, 4) == NULL);
	vb_plan_free(&plan);
}

static void check_candidates(void)
{
	/* Slot mates are always read: a safety rule on one keeps the card. */
	const char *const confs[] = { "01:00.0\n", "10de:228e\ncompanions=none\n",
				      "01:00.0\ncompanions=group\n", "" };
	const char *const want[] = { "0011000", "0011110", "1111111", "0000000" };

	for (size_t c = 0; c < 4; c++) {
		struct vb_config cfg;
		bool marked[7];
		char got[8] = "";

		vb_config_init(&cfg);
		vb_config_parse_text(&cfg, "t.conf", confs[c], strlen(confs[c]));
		vb_plan_candidates(&cfg, &host_snap, marked);
		for (size_t i = 0; i < 7; i++)
			got[i] = marked[i] ? '1' : '0';
		CHECK_STR(got, want[c]);
		vb_config_free(&cfg);
	}
}

static void check_words(void)
{
	const struct vb_host_device root = { { 0 }, VB_HOST_DISK, "/" };
	const struct vb_host_device efi = { { 0 }, VB_HOST_DISK, "/boot/efi" };
	const struct vb_host_device net = { { 0 }, VB_HOST_NETWORK, "br0" };
	char buf[96];

	CHECK_STR(vb_host_device_words(&root, buf, sizeof(buf)), "holds the root filesystem (/)");
	CHECK_STR(vb_host_device_words(&efi, buf, sizeof(buf)), "holds /boot/efi");
	CHECK_STR(vb_host_device_words(&net, buf, sizeof(buf)), "carries the default route (br0)");
	CHECK_STR(vb_rule_name(VB_RULE_BOOT_VGA), "boot VGA");
	CHECK(vb_rule_is_safety(VB_RULE_HOST_NETWORK) && !vb_rule_is_safety(VB_RULE_KEPT));
	CHECK(vb_pci_is_card_class(0x030200) && vb_pci_is_card_class(0x040100) &&
	      vb_pci_is_card_class(0x0c0330) && vb_pci_is_card_class(0x0c8000) &&
	      vb_pci_is_card_class(0x120000));
	CHECK(!vb_pci_is_card_class(0x010802) && !vb_pci_is_card_class(0x020000) &&
	      !vb_pci_is_card_class(0x0c0500) && !vb_pci_is_card_class(0x080000) &&
	      !vb_pci_is_card_class(0x040000) && !vb_pci_is_card_class(0x000000));
}

int main(void)
{
	check_candidates();
	check_by_id_takes_every_match();
	check_identical_cards_by_address();
	check_subsystem_id();
	check_id_guard();
	check_boot_vga();
	check_boot_vga_fail_safe();
	check_card_never_split_by_boot_vga();
	check_chipset_slot();
	check_class_rule();
	check_group_whole_or_nothing();
	check_group_companions();
	check_group_with_boot_gpu();
	check_host_devices();
	check_bridge_selected();
	check_cmdline_skip_and_disable();
	check_nothing_selected_and_unmatched();
	check_first_selector_wins();
	check_words();
	return unit_report("plan");
}
