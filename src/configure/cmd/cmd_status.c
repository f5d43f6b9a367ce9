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
#include "plan.h"
#include "reply.h"
#include "session.h"
#include "statedir.h"
#include "status.h"
#include "status_result.h"
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

/* Why a function is not where it should be, from status.json (the boot's, and later runs'). */
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
	else /* the last run that moved it: the boot, a hotplug, a live bind or release */
		snprintf(why, size, "%s%s: %s%s%s",
			 d->event && strcmp(d->event, "boot") != 0 ? "last " : "at ",
			 d->event ? d->event : "boot", d->result, d->reason[0] ? ": " : "",
			 d->reason);
}

/* Where the images' verdicts go: the result, or the first error keeping one. */
struct image_sink {
	struct status_result *r;
	int err;
};

static void add_image(void *ctx, const char *path, enum vb_image_state st, const char *line)
{
	struct image_sink *s = ctx;

	if (s->err == 0)
		s->err = status_result_add_image(s->r, path, st, line);
}

/*
 * The images the running kernel boots from, against the configuration, into
 * r (image_verify.h's rule). Returns how many of them would not bind the
 * configured devices at the next boot, or -ENOMEM.
 */
static int status_images(const struct cli *cli, struct status_result *r)
{
	struct image_sink sink = { r, 0 };
	char *conf = NULL, why[512];
	size_t len;
	int bad = 0;

	if (vb_root_read_file(&cli->root, VB_IMAGE_CONF, 1024 * 1024, &conf, &len, NULL) == 0)
		bad = vb_running_images(&cli->root, conf, len, add_image, &sink, why, sizeof(why));
	if (bad < 0 && bad != -ENODATA) {
		cli_error("%s", why);
		bad = 1;
	}
	free(conf);
	if (sink.err < 0)
		return sink.err;
	return bad < 0 ? 0 : bad;
}

/*
 * The driver a taken function should be on: the one the binder gave it at
 * this boot (a variant's, from the boot report), else vfio-pci; and the reset
 * methods it wrote.
 */
static void expected_driver(const struct boot_report *report, const char *name,
			    struct status_function *f)
{
	const struct vb_status_device *d = report->parsed ? vb_status_device(&report->status, name) :
							    NULL;

	snprintf(f->expect, sizeof(f->expect), "%s", d && d->driver && *d->driver ? d->driver :
				"vfio-pci");
	if (d && d->reset_method)
		snprintf(f->reset_method, sizeof(f->reset_method), "%s", d->reset_method);
}

/* Each function of the plan against this boot, into r. Returns how many are not as expected. */
static size_t status_functions(const struct vb_plan *plan, const struct machine *m,
			       const struct boot_report *report, struct status_result *r)
{
	size_t differ = 0;

	for (size_t t = 0; t < plan->count; t++) {
		const struct vb_target *tg = &plan->targets[t];
		const struct vb_pci_fn *fn = &m->snap.fns[tg->fn];
		struct status_function *f = &r->functions[r->nfunctions++];

		*f = (struct status_function){ .vendor = fn->vendor, .device = fn->device,
					       .take = tg->verdict != VB_VERDICT_REFUSE };
		snprintf(f->address, sizeof(f->address), "%s", fn->name);
		snprintf(f->driver, sizeof(f->driver), "%s", fn->driver);
		expected_driver(report, fn->name, f);
		f->as_expected = f->take ? strcmp(fn->driver, f->expect) == 0 :
					   strcmp(fn->driver, "vfio-pci") != 0;
		if (!f->as_expected && r->disabled)
			snprintf(f->why, sizeof(f->why), "binding disabled on this boot (%s)",
				 r->disabled_by);
		else if (!f->as_expected)
			explain(report, fn->name, f->why, sizeof(f->why));
		else if (!f->take)
			snprintf(f->why, sizeof(f->why), "refused: %s", tg->reason);
		differ += !f->as_expected;
	}
	return differ;
}

/*
 * A configure or unconfigure that died is finished or rolled back first (as
 * root), and what it left in the state directory cleaned. Returns 0 or an
 * exit status.
 */
static int recover(const struct cli *cli)
{
	struct session session;
	int rc;

	if (!vb_state_dir_exists(&cli->root))
		return 0;
	rc = session_begin(&session, cli, geteuid() == 0);
	if (rc == 0)
		session_end(&session);
	return rc;
}

/* Fills r. Returns 0 or an exit status (after saying why). */
static int fill(const struct cli *cli, struct status_result *r)
{
	struct boot_report report;
	struct vb_config cfg;
	struct vb_plan plan;
	struct machine m;
	char *cmdline;
	int rc = VB_EXIT_FAILED, bad, err;
	size_t differ;

	err = cli_read_config(cli, &cfg, &r->configured);
	if (err < 0) {
		cli_error("cannot read /etc/vfio-boot.conf: %s", vb_strerror(err));
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
	if (machine_load(cli, &m, MACHINE_ROOT_BUS) < 0) {
		vb_config_free(&cfg);
		return VB_EXIT_FAILED;
	}
	/* With vfio_boot.disable=1 the table still shows what is configured. */
	r->disabled = cfg.disabled;
	vb_text_printable(r->disabled_by, sizeof(r->disabled_by), cfg.disabled_by);
	r->selects = cfg.select.count != 0;
	cfg.disabled = false;
	if (vb_plan_build(&cfg, &m.snap, NULL, &plan) < 0) {
		machine_free(&m);
		vb_config_free(&cfg);
		return VB_EXIT_FAILED;
	}
	read_report(&cli->root, &report);
	r->functions = calloc(plan.count ? plan.count : 1, sizeof(*r->functions));
	if (r->functions) {
		differ = status_functions(&plan, &m, &report, r);
		r->notes = plan.notes;
		plan.notes = (struct vb_strv){ 0 };
		bad = status_images(cli, r);
		r->as_expected = differ == 0 && bad == 0;
		rc = bad < 0 ? VB_EXIT_FAILED : 0;
	}
	if (rc != 0)
		cli_error("cannot keep the status: %s", vb_strerror(-ENOMEM));
	if (report.parsed)
		vb_status_free(&report.status);
	vb_plan_free(&plan);
	machine_free(&m);
	vb_config_free(&cfg);
	return rc;
}

int cmd_status(const struct cli *cli)
{
	struct status_result result = { 0 };
	int rc;

	if (cli->nargs) {
		cli_error("status takes no arguments");
		return VB_EXIT_USAGE;
	}
	rc = recover(cli);
	if (rc == 0)
		rc = fill(cli, &result);
	if (rc == 0 && cli->json)
		status_result_json(reply_json(), &result);
	else if (rc == 0)
		status_result_text(stdout, &result);
	if (rc == 0)
		rc = result.as_expected ? VB_EXIT_OK : VB_EXIT_NOT_READY;
	status_result_free(&result);
	return rc;
}
