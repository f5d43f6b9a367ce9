// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "macro.h"
#include "pci.h"
#include "selector.h"
#include "unit.h"

static int parse(const char *text, struct vb_selector *sel, const char **why)
{
	*why = NULL;
	return vb_selector_parse(text, strlen(text), sel, why);
}

static void check_valid(void)
{
	struct vb_selector s;
	const char *why;

	CHECK(parse("10de:2504", &s, &why) == 0);
	CHECK(s.kind == VB_SEL_ID && s.vendor == 0x10de && s.device == 0x2504);
	CHECK_STR(s.text, "10de:2504");

	CHECK(parse("10DE:2504:1462:3975", &s, &why) == 0);
	CHECK(s.kind == VB_SEL_ID_SUBSYS && s.vendor == 0x10de && s.subvendor == 0x1462 &&
	      s.subdevice == 0x3975);

	CHECK(parse("0000:01:00.0", &s, &why) == 0);
	CHECK(s.kind == VB_SEL_ADDR && s.addr.domain == 0 && s.addr.bus == 1 &&
	      s.addr.slot == 0 && s.addr.func == 0);

	CHECK(parse("01:00.1", &s, &why) == 0);
	CHECK(s.kind == VB_SEL_ADDR && s.addr.domain == 0 && s.addr.bus == 1 && s.addr.func == 1);

	CHECK(parse("10000:e1:1f.7", &s, &why) == 0);
	CHECK(s.addr.domain == 0x10000 && s.addr.bus == 0xe1 && s.addr.slot == 0x1f &&
	      s.addr.func == 7);

	CHECK(parse("10de:2504@0000:01:00.0", &s, &why) == 0);
	CHECK(s.kind == VB_SEL_ID_AT_ADDR && s.vendor == 0x10de && s.addr.bus == 1);
	CHECK(parse("10de:2504@01:00.0", &s, &why) == 0);
}

static void check_invalid(void)
{
	static const char *const bad[] = {
		"",                        /* empty */
		"10de",                    /* missing field */
		"10de:",                   /* missing device */
		":2504",                   /* missing vendor */
		"10de:25x4",               /* non-hex */
		"10de:250",                /* short field */
		"10de:25040",              /* long field */
		"10de:2504:1462",          /* three fields */
		"10de:2504:1462:3975:1",   /* five fields */
		"10de:2504 ",              /* trailing junk */
		"10de:2504x",              /* trailing junk */
		"g0de:2504",               /* non-hex */
		"0000:01:20.0",            /* slot above 1f */
		"0000:01:00.8",            /* function above 7 */
		"0000:100:00.0",           /* bus above ff */
		"123456789:01:00.0",       /* domain too long */
		"01:00",                   /* no function */
		"01.00.0",                 /* wrong separators */
		"0000:01:00.0.1",          /* trailing field */
		"0000:01:00.0x",           /* trailing junk */
		"01:00.",                  /* cut short */
		"10de:2504@",              /* nothing after @ */
		"@01:00.0",                /* nothing before @ */
		"10de:2504:1462:3975@01:00.0", /* subsystem form before @ */
		"10de:2504@10de:2504",     /* ID after @ */
		"10de:2504@@01:00.0",      /* double @ */
		"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:00.0", /* overlong */
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vb_selector s;
		const char *why = NULL;
		int rc = parse(bad[i], &s, &why);
		if (rc == 0 || !why)
			fprintf(stderr, "accepted bad selector '%s'\n", bad[i]);
		CHECK(rc < 0 && why != NULL);
	}
}

static void check_equal_and_match(void)
{
	struct vb_selector a, b;
	struct vb_pci_fn fn = { .addr = { 0, 1, 0, 1 }, .vendor = 0x10de, .device = 0x228e,
				.subvendor = 0x1462, .subdevice = 0x3975 };
	const char *why;

	parse("01:00.0", &a, &why);
	parse("0000:01:00.0", &b, &why);
	CHECK(vb_selector_equal(&a, &b));
	parse("10de:2504", &a, &why);
	parse("10DE:2504", &b, &why);
	CHECK(vb_selector_equal(&a, &b));
	parse("10de:2504:0000:0000", &b, &why);
	CHECK(!vb_selector_equal(&a, &b));

	parse("10de:228e", &a, &why);
	CHECK(vb_selector_matches(&a, &fn));
	parse("10de:228e:1462:3975", &a, &why);
	CHECK(vb_selector_matches(&a, &fn));
	parse("10de:228e:1462:3976", &a, &why);
	CHECK(!vb_selector_matches(&a, &fn));
	parse("01:00.1", &a, &why);
	CHECK(vb_selector_matches(&a, &fn));
	parse("0001:01:00.1", &a, &why);
	CHECK(!vb_selector_matches(&a, &fn));
	parse("8086:1234@01:00.1", &a, &why);
	CHECK(vb_selector_matches(&a, &fn) && !vb_selector_id_matches(&a, &fn));
}

static void check_addr_format(void)
{
	struct vb_pci_addr addr = { 0x10000, 0xe1, 0x1f, 7 };
	char buf[VB_PCI_NAME_MAX];

	vb_pci_addr_format(&addr, buf, sizeof(buf));
	CHECK_STR(buf, "10000:e1:1f.7");
	addr = (struct vb_pci_addr){ 0, 1, 0, 0 };
	vb_pci_addr_format(&addr, buf, sizeof(buf));
	CHECK_STR(buf, "0000:01:00.0");
}

int main(void)
{
	check_valid();
	check_invalid();
	check_equal_and_match();
	check_addr_format();
	return unit_report("selector");
}
