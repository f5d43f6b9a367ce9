// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "unit.h"

static void parse_text(struct vb_config *cfg, const char *text)
{
	vb_config_init(cfg);
	CHECK(vb_config_parse_text(cfg, "test.conf", text, strlen(text)) == 0);
}

static bool has_problem(const struct vb_config *cfg, const char *needle)
{
	for (size_t i = 0; i < cfg->problems.count; i++)
		if (strstr(cfg->problems.items[i], needle))
			return true;
	fprintf(stderr, "no problem mentions '%s'\n", needle);
	return false;
}

static void check_file(void)
{
	struct vb_config cfg;

	parse_text(&cfg, "# GPU\n\n10de:2504\n  10de:228e   # its audio\n"
			 "01:00.0\n10de:2504@0000:02:00.0\ncompanions = group\nboot-vga=allow\n");
	CHECK(cfg.select.count == 4);
	CHECK(cfg.problems.count == 0);
	CHECK(cfg.companions == VB_COMPANIONS_GROUP);
	CHECK(cfg.boot_vga == VB_BOOT_VGA_ALLOW);
	CHECK_STR(cfg.select.items[1].sel.text, "10de:228e");
	CHECK_STR(cfg.select.items[1].origin, "test.conf:4");
	vb_config_free(&cfg);

	/* Defaults, no trailing newline, CRLF. */
	parse_text(&cfg, "10de:2504\r\n10de:228e");
	CHECK(cfg.select.count == 2 && cfg.problems.count == 0);
	CHECK(cfg.companions == VB_COMPANIONS_SLOT && cfg.boot_vga == VB_BOOT_VGA_REFUSE);
	vb_config_free(&cfg);

	parse_text(&cfg, "");
	CHECK(cfg.select.count == 0 && cfg.problems.count == 0);
	vb_config_free(&cfg);

	/* One bad line does not spoil the rest, and is named with its line. */
	parse_text(&cfg, "10de:2504\nnot-a-selector\n10de:25g4\ncompanions=all\n"
			 "boot-vga=\nfoo=bar\n10de:2504\n0000:01:00.0\n01:00.0\n10de:228e\n");
	CHECK(cfg.select.count == 3);
	CHECK(cfg.problems.count == 7);
	CHECK(has_problem(&cfg, "test.conf:2: invalid selector 'not-a-selector'"));
	CHECK(has_problem(&cfg, "test.conf:3: invalid selector '10de:25g4'"));
	CHECK(has_problem(&cfg, "test.conf:4: companions must be slot, group or none, not 'all'"));
	CHECK(has_problem(&cfg, "test.conf:5: boot-vga must be refuse or allow"));
	CHECK(has_problem(&cfg, "test.conf:6: unknown option 'foo'"));
	CHECK(has_problem(&cfg, "test.conf:7: duplicate selector '10de:2504' (first at test.conf:1)"));
	CHECK(has_problem(&cfg, "test.conf:9: duplicate selector '01:00.0' (first at test.conf:8)"));
	vb_config_free(&cfg);

	/* One selector per line (or a comma list): a line of words is one bad selector. */
	parse_text(&cfg, "this is not a selector\n 10de:2504 , 10de:228e \n10de:2504 10de:228e\n");
	CHECK(cfg.select.count == 2);
	CHECK(cfg.problems.count == 2);
	CHECK(has_problem(&cfg, "test.conf:1: invalid selector 'this is not a selector'"));
	CHECK(has_problem(&cfg, "test.conf:3: invalid selector '10de:2504 10de:228e'"));
	CHECK(cfg.companions == VB_COMPANIONS_SLOT);
	vb_config_free(&cfg);
}

static void check_file_limits(void)
{
	struct vb_config cfg;
	size_t len = VB_CONFIG_LINE_MAX + 10;
	char *text = malloc(len + 32);

	memset(text, 'a', len);
	strcpy(text + len, "\n10de:2504\n");
	parse_text(&cfg, text);
	CHECK(cfg.select.count == 1);
	CHECK(has_problem(&cfg, "test.conf:1: line longer than"));
	vb_config_free(&cfg);

	/* An overlong selector on a normal-length line. */
	memset(text, 'b', 200);
	text[200] = '\0';
	parse_text(&cfg, text);
	CHECK(cfg.select.count == 0);
	CHECK(has_problem(&cfg, "selector too long"));
	vb_config_free(&cfg);
	free(text);

	vb_config_init(&cfg);
	CHECK(vb_config_parse_text(&cfg, "nul.conf", "10de:2504\n10\0de:1\n", 17) == 0);
	CHECK(cfg.select.count == 1);
	CHECK(has_problem(&cfg, "nul.conf:2: line contains a NUL byte"));
	vb_config_free(&cfg);
}

static void check_cmdline(void)
{
	struct vb_config cfg;

	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "BOOT_IMAGE=/vmlinuz root=UUID=x ro quiet "
					    "vfio_boot.devices=10de:2504,01:00.0 "
					    "vfio-boot.devices=\"1002:73bf\" "
					    "vfio_boot.skip=0000:02:00.0 foo.vfio_boot.devices=1:2\n") == 0);
	CHECK(cfg.select.count == 3);
	CHECK(cfg.skip.count == 1);
	CHECK(!cfg.disabled);
	CHECK(cfg.problems.count == 0);
	CHECK_STR(cfg.select.items[2].sel.text, "1002:73bf");
	CHECK_STR(cfg.select.items[0].origin, "vfio_boot.devices");
	vb_config_free(&cfg);

	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.disable=1") == 0);
	CHECK(cfg.disabled);
	vb_config_free(&cfg);
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.disable") == 0);
	CHECK(cfg.disabled);
	vb_config_free(&cfg);
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.disable=1 vfio_boot.disable=0") == 0);
	CHECK(!cfg.disabled);
	vb_config_free(&cfg);

	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.disable=maybe vfio_boot.devices= "
					    "vfio_boot.devices=10de:2504,,zz vfio_boot.skip") == 0);
	CHECK(!cfg.disabled);
	CHECK(cfg.select.count == 1);
	CHECK(has_problem(&cfg, "vfio_boot.disable: 'maybe' is not 1 or 0"));
	CHECK(has_problem(&cfg, "vfio_boot.devices: empty selector list"));
	CHECK(has_problem(&cfg, "vfio_boot.devices: invalid selector '': empty selector"));
	CHECK(has_problem(&cfg, "vfio_boot.devices: invalid selector 'zz'"));
	CHECK(has_problem(&cfg, "vfio_boot.skip: empty selector list"));
	vb_config_free(&cfg);

	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "") == 0);
	CHECK(vb_config_parse_cmdline(&cfg, "   \n") == 0);
	CHECK(cfg.select.count == 0 && cfg.problems.count == 0);
	vb_config_free(&cfg);
}

static void check_policy_names(void)
{
	enum vb_companions c;
	enum vb_boot_vga_policy p;

	CHECK(vb_companions_parse("none", &c) == 0 && c == VB_COMPANIONS_NONE);
	CHECK(vb_companions_parse("Slot", &c) < 0);
	CHECK_STR(vb_companions_name(VB_COMPANIONS_GROUP), "group");
	CHECK(vb_boot_vga_parse("allow", &p) == 0 && p == VB_BOOT_VGA_ALLOW);
	CHECK(vb_boot_vga_parse("", &p) < 0);
	CHECK_STR(vb_boot_vga_name(VB_BOOT_VGA_REFUSE), "refuse");
}

int main(void)
{
	check_file();
	check_file_limits();
	check_cmdline();
	check_policy_names();
	return unit_report("config");
}
