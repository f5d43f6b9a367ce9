// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
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
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.disable=maybe vfio_boot.devices= "
					    "vfio_boot.devices=10de:2504,,zz vfio_boot.skip") == 0);
	CHECK(cfg.disabled); /* an unknown word disables: the escape hatch fails safe */
	CHECK(cfg.select.count == 1);
	CHECK(cfg.problems.count == 4);
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

/* One parameter as the kernel's next_arg() splits it: "name|value" ("name" without '='). */
static void param(const char *line, const char *want_first, size_t want_count)
{
	struct vb_cmdline_param p;
	size_t pos = 0, count = 0, len = strlen(line);
	char got[256] = "";

	while (vb_cmdline_next_param(line, len, &pos, &p)) {
		if (count++ == 0)
			snprintf(got, sizeof(got), "%.*s%s%.*s", (int)p.keylen, line + p.key,
				 p.has_value ? "|" : "", (int)p.valuelen, line + p.value);
	}
	CHECK_STR(got, want_first);
	CHECK(count == want_count);
}

static void check_cmdline_split(void)
{
	struct vb_config cfg;

	param("a=b c", "a|b", 2);
	param("\"vfio_boot.disable=1\"", "vfio_boot.disable|1", 1);
	param("\"vfio_boot.devices=10de:2504 01:00.0\" x", "vfio_boot.devices|10de:2504 01:00.0", 2);
	param("k=\"a b\" c", "k|a b", 2);
	param("k=\"a b", "k|a b", 1);            /* an open quote runs to the end */
	param("\"k", "k", 1);
	param("\"", "", 1);
	param("k=\"", "k|", 1);
	param("=x", "=x", 1);                    /* '=' in the first place names nothing */
	param("==x", "=|x", 1);
	param("a\"b c\"d e", "a\"b c\"d", 2);     /* quotes inside a word join, and stay */
	param("k=\"\"", "k|", 1);
	param("\t\n a=1\xa0" "b=2", "a|1", 2);       /* 0xa0 is a space to the kernel */
	param("--", "--", 1);
	param("", "", 0);

	/* After "--" every word is init's. */
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "quiet vfio_boot.devices=01:00.0 -- "
					    "vfio_boot.devices=02:00.0 vfio_boot.disable=1") == 0);
	CHECK(cfg.select.count == 1 && !cfg.disabled);
	vb_config_free(&cfg);
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "\"--\" vfio_boot.disable=1") == 0);
	CHECK(!cfg.disabled);
	vb_config_free(&cfg);
	/* "--=x" and "---" are words like any other. */
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "--=x --- vfio_boot.disable=1") == 0);
	CHECK(cfg.disabled);
	vb_config_free(&cfg);

	/* A quote that opens the whole parameter is the kernel's: the escape hatch works. */
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "quiet \"vfio_boot.disable=1\"") == 0);
	CHECK(cfg.disabled);
	vb_config_free(&cfg);
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "\"vfio-boot.devices=10de:2504@0000:01:00.0\"") == 0);
	CHECK(cfg.select.count == 1 && cfg.select.items[0].sel.kind == VB_SEL_ID_AT_ADDR);
	vb_config_free(&cfg);
	/* A quote left open swallows the rest: nothing after it is a parameter. */
	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "a=\"x vfio_boot.disable=1") == 0);
	CHECK(!cfg.disabled);
	vb_config_free(&cfg);

	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.modprobe_timeout=3") == 0);
	CHECK(cfg.modprobe_timeout == 3 && cfg.problems.count == 0);
	CHECK(vb_config_parse_cmdline(&cfg, "vfio_boot.modprobe_timeout=0 "
					    "vfio_boot.modprobe_timeout=601 "
					    "vfio_boot.modprobe_timeout=1s") == 0);
	CHECK(cfg.modprobe_timeout == 3 && cfg.problems.count == 3);
	CHECK(has_problem(&cfg, "vfio_boot.modprobe_timeout: '601' is not 1 to 600 seconds"));
	vb_config_free(&cfg);
}

/* cmdline -> disabled, and what disabled_by says ("" when not disabled). */
static void disable_is(const char *cmdline, bool disabled, const char *by)
{
	struct vb_config cfg;

	vb_config_init(&cfg);
	CHECK(vb_config_parse_cmdline(&cfg, cmdline) == 0);
	if (cfg.disabled != disabled)
		fprintf(stderr, "'%s': disabled is %d\n", cmdline, cfg.disabled);
	CHECK(cfg.disabled == disabled);
	CHECK_STR(cfg.disabled_by, by);
	CHECK(cfg.problems.count == 0);
	vb_config_free(&cfg);
}

/*
 * vfio_boot.disable fails safe: every value but an explicit false disables
 * binding, including the values an operator types at a GRUB prompt that the
 * kernel's kstrtobool() reads as true, an empty value and unknown words.
 */
static void check_disable(void)
{
	static const char *const disabling[] = { "1", "Y", "y", "yes", "ON", "on", "True", "t",
						 "2", "-1", "e", "enable", "d", "D", "disable",
						 "maybe", "force", "0x0", "00", "nope", "o" };
	static const char *const explicit_false[] = { "0", "n", "N", "no", "No", "off", "OFF",
						      "Off", "f", "F", "false", "FALSE" };
	char cmdline[128], by[96];

	for (size_t i = 0; i < ARRAY_SIZE(disabling); i++) {
		snprintf(cmdline, sizeof(cmdline), "root=/dev/sda1 vfio_boot.disable=%s quiet",
			 disabling[i]);
		snprintf(by, sizeof(by), "vfio_boot.disable=%s", disabling[i]);
		disable_is(cmdline, true, by);
		CHECK(!vb_disable_value_is_false(disabling[i], strlen(disabling[i])));
	}
	for (size_t i = 0; i < ARRAY_SIZE(explicit_false); i++) {
		snprintf(cmdline, sizeof(cmdline), "root=/dev/sda1 vfio_boot.disable=%s quiet",
			 explicit_false[i]);
		disable_is(cmdline, false, "");
		CHECK(vb_disable_value_is_false(explicit_false[i], strlen(explicit_false[i])));
	}
	disable_is("vfio_boot.disable", true, "vfio_boot.disable");
	disable_is("quiet vfio_boot.disable= splash", true, "vfio_boot.disable= (an empty value)");
	disable_is("vfio_boot.disable=\"\"", true, "vfio_boot.disable= (an empty value)");
	disable_is("vfio-boot.disable=Y", true, "vfio_boot.disable=Y");
	disable_is("vfio_boot.disable=\"0\"", false, "");
	disable_is("\"vfio_boot.disable=off\"", false, "");
	disable_is("vfio_boot.disable=0n", true, "vfio_boot.disable=0n");
	/* Once disabled, a later explicit false does not undo it; the first one is named. */
	disable_is("vfio_boot.disable=1 vfio_boot.disable=0", true, "vfio_boot.disable=1");
	disable_is("vfio_boot.disable=0 vfio_boot.disable=ON", true, "vfio_boot.disable=ON");
	disable_is("vfio_boot.disable=Y vfio_boot.disable=2", true, "vfio_boot.disable=Y");
	disable_is("vfio_boot.disable=0 vfio_boot.disable=n", false, "");
	/* A long value is named cut, between characters. */
	disable_is("vfio_boot.disable=0123456789abcdef0123456789abcdef0123456789", true,
		   "vfio_boot.disable=0123456789abcdef0123456789abcdef...");
	disable_is("vfio_boot.disable=0123456789abcdef0123456789abcde\xc3\xa9", true,
		   "vfio_boot.disable=0123456789abcdef0123456789abcde...");
	/* Not the parameter: a longer name, or after "--" (init's). */
	disable_is("vfio_boot.disabled=1 xvfio_boot.disable=1", false, "");
	disable_is("-- vfio_boot.disable=1", false, "");
}

static void check_text_limits(void)
{
	size_t len = VB_CONFIG_FILE_MAX;
	char *text = malloc(len + 1), why[128];

	CHECK(vb_config_text_check("10de:2504\n", 10, why, sizeof(why)) == 0);
	memset(text, '#', len);
	for (size_t i = 100; i < len; i += 100)
		text[i] = '\n';
	CHECK(vb_config_text_check(text, len - 1, why, sizeof(why)) == 0);
	CHECK(vb_config_text_check(text, len, why, sizeof(why)) == -EFBIG);
	CHECK_STR(why, "it would be 65536 bytes; the limit is 65535");
	text[100] = '#';
	text[200] = '#';
	text[300] = '\0';
	CHECK(vb_config_text_check(text, 1000, why, sizeof(why)) == -EFBIG);
	CHECK_STR(why, "it would hold a NUL byte");
	text[300] = '#';
	for (size_t i = 301; i < 1030; i++)
		text[i] = '#';
	text[1030] = '\n';
	CHECK(vb_config_text_check(text, 1031, why, sizeof(why)) == -EFBIG);
	CHECK_STR(why, "its line 1 would be 1030 bytes; the limit is 1024");
	free(text);
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

static struct vb_pci_fn fn_at(uint8_t bus, uint16_t vendor, uint16_t device)
{
	struct vb_pci_fn fn = { .addr = { 0, bus, 0, 0 }, .vendor = vendor, .device = device };

	vb_pci_addr_format(&fn.addr, fn.name, sizeof(fn.name));
	return fn;
}

static void check_device_rules(void)
{
	struct vb_pci_fn gpu = fn_at(1, 0x10de, 0x2342), nic = fn_at(2, 0x15b3, 0x101e),
			 other = fn_at(3, 0x1002, 0x67df);
	struct vb_config cfg;

	parse_text(&cfg, "10de:2342@0000:01:00.0\n"
			 "driver=nvgrace_gpu_vfio_pci@10de:2342@0000:01:00.0  # found in 6.8\n"
			 "driver = mlx5_vfio_pci@15b3:101e\n"
			 "reset_method=device_specific,bus@1002:67df\n"
			 "preload=vendor-reset\npreload=vendor-reset,foo_bar\n");
	CHECK(cfg.problems.count == 0);
	CHECK(cfg.select.count == 1);
	CHECK_STR(vb_device_rules_driver(&cfg.devices, &gpu), "nvgrace_gpu_vfio_pci");
	CHECK_STR(vb_device_rules_driver(&cfg.devices, &nic), "mlx5_vfio_pci");
	CHECK(vb_device_rules_driver(&cfg.devices, &other) == NULL);
	CHECK_STR(vb_device_rules_reset(&cfg.devices, &other), "device_specific bus");
	CHECK(vb_device_rules_reset(&cfg.devices, &gpu) == NULL);
	CHECK(cfg.devices.preload.count == 2);
	CHECK_STR(cfg.devices.preload.items[0], "vendor-reset");
	CHECK_STR(cfg.devices.preload.items[1], "foo_bar");
	/* The guard: another ID at the address takes no variant. */
	gpu.device = 0x2343;
	CHECK(vb_device_rules_driver(&cfg.devices, &gpu) == NULL);
	gpu.device = 0x2342;
	vb_config_free(&cfg);

	/* driver=vfio-pci forces the generic driver: for all, or per selector. */
	parse_text(&cfg, "driver=nvgrace_gpu_vfio_pci@01:00.0\ndriver=vfio-pci\n");
	CHECK(cfg.problems.count == 0 && cfg.devices.generic);
	CHECK(vb_device_rules_driver(&cfg.devices, &gpu) == NULL);
	vb_config_free(&cfg);
	parse_text(&cfg, "driver=nvgrace_gpu_vfio_pci@10de:2342\ndriver=vfio_pci@01:00.0\n");
	CHECK(cfg.problems.count == 0 && !cfg.devices.generic);
	CHECK(vb_device_rules_driver(&cfg.devices, &gpu) == NULL);
	vb_config_free(&cfg);

	/* Malformed lines are named and skipped. */
	parse_text(&cfg, "driver=nvgrace_gpu_vfio_pci\ndriver=bad/name@01:00.0\n"
			 "driver=x@zz\nreset_method=bus\nreset_method=Bus@01:00.0\n"
			 "reset_method=bus,bus@01:00.0\nreset_method=flr,@01:00.0\n"
			 "preload=a,,b\nreset_method=bus@01:00.0\nreset_method=flr@0000:01:00.0\n"
			 "reset_method=a,b,c,d,e,f,g,h,i@01:00.0\n");
	CHECK(has_problem(&cfg, "test.conf:1: driver=nvgrace_gpu_vfio_pci: only vfio-pci goes without @SELECTOR"));
	CHECK(has_problem(&cfg, "test.conf:2: driver=bad/name@01:00.0: it takes MODULE[@SELECTOR]"));
	CHECK(has_problem(&cfg, "test.conf:3: driver=x@zz: ") && !has_problem(&cfg, "test.conf:3: driver=x@zz: it takes"));
	CHECK(has_problem(&cfg, "test.conf:4: reset_method=bus: it takes METHOD[,METHOD...]@SELECTOR"));
	CHECK(has_problem(&cfg, "test.conf:5: reset_method=Bus@01:00.0: not a method name"));
	CHECK(has_problem(&cfg, "test.conf:6: reset_method=bus,bus@01:00.0: a method is named twice"));
	CHECK(has_problem(&cfg, "test.conf:7: reset_method=flr,@01:00.0: not a method name"));
	CHECK(has_problem(&cfg, "test.conf:8: preload=a,,b: it takes MODULE[,MODULE...]"));
	CHECK(has_problem(&cfg, "test.conf:10: a second reset_method= for '0000:01:00.0' (first at test.conf:9)"));
	CHECK(has_problem(&cfg, "test.conf:11: reset_method=a,b,c,d,e,f,g,h,i@01:00.0: too many methods"));
	CHECK(cfg.problems.count == 10);
	CHECK(cfg.devices.count == 1);
	CHECK(cfg.devices.preload.count == 0);
	vb_config_free(&cfg);
}

/* own and saved from their texts, own's rules completed with saved's. */
static void filled(struct vb_config *own, const char *own_text, struct vb_config *saved,
		   const char *saved_text)
{
	parse_text(own, own_text);
	parse_text(saved, saved_text);
	vb_device_rules_fill(&own->devices, &saved->devices);
}

/* Frees own before saved, its fallback. */
static void free_filled(struct vb_config *own, struct vb_config *saved)
{
	vb_config_free(own);
	vb_config_free(saved);
}

/* A command's rules completed with the saved ones, function by function. */
static void check_device_rules_fill(void)
{
	static const char saved_text[] = "driver=nvgrace_gpu_vfio_pci@01:00.0\n"
					 "driver=mlx5_vfio_pci@02:00.0\n"
					 "reset_method=bus@01:00.0\nreset_method=flr@02:00.0\n"
					 "preload=vendor-reset\n";
	struct vb_pci_fn one = fn_at(1, 0x10de, 0x2504), two = fn_at(2, 0x10de, 0x2504),
			 three = fn_at(3, 0x10de, 0x2504);
	struct vb_config own, saved;

	/* Nothing given: every saved line. */
	filled(&own, "", &saved, saved_text);
	CHECK_STR(vb_device_rules_driver(&own.devices, &one), "nvgrace_gpu_vfio_pci");
	CHECK_STR(vb_device_rules_reset(&own.devices, &two), "flr");
	CHECK(vb_device_rules_driver(&own.devices, &three) == NULL);
	CHECK(own.devices.preload.count == 1);
	free_filled(&own, &saved);

	/* The command's lines win for what they name; the rest keeps the saved ones. */
	filled(&own, "driver=vfio-pci@01:00.0\nreset_method=pm@02:00.0\npreload=other\n", &saved, saved_text);
	CHECK(vb_device_rules_driver(&own.devices, &one) == NULL);
	CHECK_STR(vb_device_rules_driver(&own.devices, &two), "mlx5_vfio_pci");
	CHECK_STR(vb_device_rules_reset(&own.devices, &one), "bus");
	CHECK_STR(vb_device_rules_reset(&own.devices, &two), "pm");
	CHECK(own.devices.preload.count == 1);
	CHECK_STR(own.devices.preload.items[0], "other");
	free_filled(&own, &saved);

	/* driver=vfio-pci for all, given: no saved variant anywhere; saved for all: the same. */
	filled(&own, "driver=vfio-pci\n", &saved, saved_text);
	CHECK(vb_device_rules_driver(&own.devices, &one) == NULL);
	CHECK_STR(vb_device_rules_reset(&own.devices, &one), "bus");
	CHECK_STR(own.devices.preload.items[0], "vendor-reset");
	free_filled(&own, &saved);
	filled(&own, "driver=mlx5_vfio_pci@01:00.0\n", &saved, "driver=vfio-pci\n");
	CHECK_STR(vb_device_rules_driver(&own.devices, &one), "mlx5_vfio_pci");
	CHECK(vb_device_rules_driver(&own.devices, &two) == NULL);
	free_filled(&own, &saved);
}

int main(void)
{
	check_device_rules();
	check_device_rules_fill();
	check_file();
	check_file_limits();
	check_cmdline();
	check_cmdline_split();
	check_disable();
	check_text_limits();
	check_policy_names();
	return unit_report("config");
}
