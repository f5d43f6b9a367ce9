// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot status: the configured selection against this boot. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "boot_images.h"
#include "image_verify.h"
#include "cli.h"
#include "initramfs_image.h"
#include "json.h"
#include "path.h"
#include "plan.h"
#include "session.h"
#include "statedir.h"
#include "status.h"
#include "text.h"

/* The boot's report: read, unreadable (why says so), or absent. */
struct boot_report {
	bool present;     /* run/vfio-boot/status.json exists */
	bool parsed;      /* and status holds it */
	struct vb_status status;
	char why[160];    /* why it could not be used */
};

static void read_report(const struct vb_root *root, struct boot_report *r)
{
	char *text = NULL;
	size_t len;
	int err = vb_root_read_file(root, "run/vfio-boot/status.json", VB_STATUS_MAX, &text,
				    &len, NULL);

	memset(r, 0, sizeof(*r));
	r->present = err != -ENOENT;
	if (err == -EFBIG)
		snprintf(r->why, sizeof(r->why), "%d bytes or larger", VB_STATUS_MAX);
	else if (err < 0)
		snprintf(r->why, sizeof(r->why), "%s", vb_strerror(err));
	else
		r->parsed = vb_status_parse(text, len, &r->status, r->why, sizeof(r->why)) == 0;
	free(text);
}

/* Why a function is not where it should be, from the boot's status.json. */
static void explain(const struct boot_report *r, const char *name, char *why, size_t size)
{
	const struct vb_status_device *d;

	if (!r->present) {
		snprintf(why, size, "vfio-boot-bind did not run in this boot "
				    "(no /run/vfio-boot/status.json)");
		return;
	}
	if (!r->parsed) {
		snprintf(why, size, "/run/vfio-boot/status.json cannot be used: %s", r->why);
		return;
	}
	if (r->status.disabled) {
		snprintf(why, size, "vfio-boot-bind was disabled in this boot "
				    "(vfio_boot.disable, or an unreadable command line)");
		return;
	}
	d = vb_status_device(&r->status, name);
	if (!d && r->status.devices_omitted)
		snprintf(why, size, "not in the boot report, which left %lu devices out",
			 r->status.devices_omitted);
	else if (!d)
		snprintf(why, size, "not in the boot report: the selection changed after boot?");
	else
		snprintf(why, size, "at boot: %s%s%s", d->result, d->reason[0] ? ": " : "",
			 d->reason);
}

/* One image of the running kernel, as a line or a JSON object. */
struct image_lines {
	const struct cli *cli;
	size_t shown;
};

static void show_image(void *ctx, const char *path, enum vb_image_state st, const char *line)
{
	static const char *const states[] = { "complete", "stale", "incomplete", "unreadable",
					      "missing" };
	struct image_lines *l = ctx;

	if (l->cli->json) {
		printf("%s\n    {\"path\": ", l->shown ? "," : "");
		vb_json_string_or_null(stdout, path);
		printf(", \"state\": \"%s\", \"detail\": ", states[st]);
		vb_json_string(stdout, line);
		putchar('}');
	} else {
		printf("image: %s\n", line);
	}
	l->shown++;
}

/*
 * The images the running kernel boots from, against the configuration:
 * one line each (a JSON array with --json). Returns how many of them would
 * not bind the configured devices at the next boot (image_verify.h's rule).
 */
static int status_images(const struct cli *cli)
{
	struct image_lines lines = { cli, 0 };
	char *conf = NULL, why[512];
	size_t len;
	int bad = 0;

	if (cli->json)
		fputs(",\n  \"images\": [", stdout);
	if (vb_root_read_file(&cli->root, VB_IMAGE_CONF, 1024 * 1024, &conf, &len, NULL) == 0)
		bad = vb_running_images(&cli->root, conf, len, show_image, &lines, why, sizeof(why));
	if (bad < 0 && bad != -ENODATA) {
		cli_error("%s", why);
		bad = 1;
	}
	free(conf);
	if (cli->json)
		fputs(lines.shown ? "\n  ]" : "]", stdout);
	return bad < 0 ? 0 : bad;
}

int cmd_status(const struct cli *cli)
{
	struct vb_config cfg;
	struct vb_plan plan;
	struct machine m;
	struct boot_report report;
	char *cmdline;
	bool exists, disabled;
	int differ = 0;

	if (cli->nargs) {
		cli_error("status takes no arguments");
		return VB_EXIT_USAGE;
	}
	/*
	 * A configure or unconfigure that died is finished or rolled back first
	 * (as root), and what it left in the state directory cleaned.
	 */
	if (vb_state_dir_exists(&cli->root)) {
		struct session session;
		int saved = -1, rc;

		/* With --json, everything it says (and its commands) goes to stderr. */
		fflush(stdout);
		if (cli->json && (saved = dup(STDOUT_FILENO)) >= 0)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		rc = session_begin(&session, cli, geteuid() == 0);
		if (rc == 0)
			session_end(&session);
		fflush(stdout);
		if (saved >= 0) {
			dup2(saved, STDOUT_FILENO);
			close(saved);
		}
		if (rc != 0)
			return rc;
	}
	if (cli_read_config(cli, &cfg, &exists) < 0) {
		cli_error("cannot read /etc/vfio-boot.conf");
		return VB_EXIT_FAILED;
	}
	cmdline = vb_host_cmdline(&cli->root);
	if (cmdline)
		vb_config_parse_cmdline(&cfg, cmdline);
	free(cmdline);
	if (cli_host_read_error(cli) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_FAILED;
	}
	if (machine_load(cli, &m, false) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_FAILED;
	}
	/* With vfio_boot.disable=1 the table still shows what is configured. */
	disabled = cfg.disabled;
	cfg.disabled = false;
	if (vb_plan_build(&cfg, &m.snap, NULL, &plan) < 0) {
		machine_free(&m);
		vb_config_free(&cfg);
		return VB_EXIT_FAILED;
	}
	read_report(&cli->root, &report);

	if (cli->json)
		printf("{\n  \"configured\": %s,\n  \"disabled\": %s,\n  \"functions\": [",
		       exists ? "true" : "false", disabled ? "true" : "false");
	else if (!exists && cfg.select.count == 0)
		puts("nothing configured (no /etc/vfio-boot.conf)");
	if (!cli->json && disabled)
		puts("binding was disabled on this boot: vfio_boot.disable=1 is on the kernel "
		     "command line, so vfio-boot-bind left every device to its host driver");
	if (!cli->json && (exists || cfg.select.count))
		printf("%-14s %-11s %-10s %-14s %s\n", "ADDRESS", "ID", "EXPECTED", "ACTUAL", "WHY");
	for (size_t t = 0; t < plan.count; t++) {
		const struct vb_target *tg = &plan.targets[t];
		const struct vb_pci_fn *fn = &m.snap.fns[tg->fn];
		bool take = tg->verdict != VB_VERDICT_REFUSE;
		bool on_vfio = strcmp(fn->driver, "vfio-pci") == 0;
		bool as_expected = take == on_vfio;
		const char *expected = take ? "vfio-pci" : "host";
		char why[400] = "";

		if (!as_expected && disabled)
			snprintf(why, sizeof(why), "binding disabled on this boot (vfio_boot.disable=1)");
		else if (!as_expected)
			explain(&report, fn->name, why, sizeof(why));
		else if (!take)
			snprintf(why, sizeof(why), "refused: %s", tg->reason);
		differ += !as_expected;
		if (cli->json) {
			printf("%s\n    {\"address\": ", t ? "," : "");
			vb_json_string(stdout, fn->name);
			printf(", \"vendor\": \"%04x\", \"device\": \"%04x\", \"expected\": \"%s\", "
			       "\"actual\": ",
			       fn->vendor, fn->device, expected);
			vb_json_string_or_null(stdout, fn->driver);
			printf(", \"as_expected\": %s, \"why\": ", as_expected ? "true" : "false");
			vb_json_string_or_null(stdout, why);
			putchar('}');
		} else {
			char id[16];
			snprintf(id, sizeof(id), "%04x:%04x", fn->vendor, fn->device);
			char line[sizeof(why) * 2];

			vb_text_printable(line, sizeof(line), why); /* it quotes the report */
			printf("%-14s %-11s %-10s %-14s %s\n", fn->name, id, expected,
			       fn->driver[0] ? fn->driver : "none", line);
		}
	}
	for (size_t i = 0; !cli->json && i < plan.notes.count; i++)
		printf("note: %s\n", plan.notes.items[i]);
	if (cli->json)
		printf("%s]", plan.count ? "\n  " : "");
	differ += status_images(cli);
	if (cli->json)
		printf(",\n  \"as_expected\": %s\n}\n", differ ? "false" : "true");
	if (report.parsed)
		vb_status_free(&report.status);
	vb_plan_free(&plan);
	machine_free(&m);
	vb_config_free(&cfg);
	return differ ? VB_EXIT_NOT_READY : VB_EXIT_OK;
}
