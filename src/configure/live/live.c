// SPDX-License-Identifier: GPL-2.0-or-later
/* What vfio-boot bind and release share: the plan as the binder makes it, and the report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "drivers.h"
#include "hostdevs.h"
#include "live.h"
#include "reply.h"
#include "report.h"
#include "selection_args.h"
#include "version.h"

#define CMDLINE_MAX 65536

/*
 * vfio_boot.skip= and vfio_boot.disable from ROOT/proc/cmdline, as the binder
 * reads them; its vfio_boot.devices= too, without SEL only: like the saved
 * selection, it is the boot's, and a named run takes what it names.
 */
static int read_cmdline(const struct cli *cli, struct live_run *r)
{
	size_t named = r->cfg.select.count, len;
	char *text = NULL;
	int err = vb_root_read_file(&cli->root, "proc/cmdline", CMDLINE_MAX, &text, &len, NULL);

	if (err == 0) {
		err = vb_config_parse_cmdline(&r->cfg, text);
		free(text);
		if (r->named)
			r->cfg.select.count = named;
		return err;
	}
	if (err == -ENOENT || err == -ENOMEM)
		return err == -ENOMEM ? err : 0;
	/* Unreadable: vfio_boot.disable could be on it. */
	r->cfg.disabled = true;
	r->disabled_by = "a kernel command line that could not be read (vfio_boot.disable could be on it)";
	return 0;
}

/*
 * Named functions are bound and released as the boot would: the saved
 * driver= lines apply to each function no --driver names, the saved
 * reset_method= lines to each one no --reset-method names, the saved
 * preload= unless --preload is given. The saved file's malformed lines are
 * said, as for the saved selection.
 */
static int saved_device_rules(const struct cli *cli, struct live_run *r)
{
	struct vb_config saved;
	bool exists;
	int err;

	vb_config_init(&saved);
	err = cli_read_config(cli, &saved, &exists);
	if (err < 0) {
		vb_config_free(&saved);
		cli_error("cannot read /etc/vfio-boot.conf: %s", vb_strerror(err));
		return VB_EXIT_FAILED;
	}
	for (size_t i = 0; i < saved.problems.count; i++)
		cli_warning("%s", saved.problems.items[i]);
	r->saved = saved.devices;
	memset(&saved.devices, 0, sizeof(saved.devices));
	vb_config_free(&saved);
	vb_device_rules_fill(&r->cfg.devices, &r->saved);
	return 0;
}

static int read_selection(const struct cli *cli, struct live_run *r)
{
	bool exists;
	int err;

	if (r->named)
		return selection_from_args(cli, &r->cfg) < 0 ? VB_EXIT_USAGE :
								 saved_device_rules(cli, r);
	err = cli_read_config(cli, &r->cfg, &exists);
	if (err < 0) {
		cli_error("cannot read /etc/vfio-boot.conf: %s", vb_strerror(err));
		return VB_EXIT_FAILED;
	}
	for (size_t i = 0; i < r->cfg.problems.count; i++)
		cli_warning("%s", r->cfg.problems.items[i]);
	return 0;
}

int live_prepare(const struct cli *cli, const char *event, bool with_host, struct live_run *r)
{
	const struct vb_status_place place = { &cli->root, NULL };
	struct vb_host_facts host;
	int rc;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->lock_fd = -1;
	r->event = event;
	r->named = cli->nargs > 0;
	vb_config_init(&r->cfg);
	if (cli_refuse_without_root(cli) < 0)
		return VB_EXIT_NEED_ROOT;
	if (!cli->dry_run) {
		r->lock_fd = vb_status_lock(&place, cli->wait * 1000u);
		if (r->lock_fd < 0) {
			cli_error("cannot take the lock of run/vfio-boot/status.json: %s",
				  r->lock_fd == -ETIMEDOUT ? "another run kept it" :
							     vb_strerror(r->lock_fd));
			return r->lock_fd == -ETIMEDOUT ? VB_EXIT_BUSY : VB_EXIT_FAILED;
		}
	}
	vb_config_free(&r->cfg);
	rc = read_selection(cli, r);
	if (rc == 0 && read_cmdline(cli, r) < 0)
		rc = VB_EXIT_FAILED;
	if (rc == 0 && machine_load(cli, &r->m, MACHINE_CLAIMANTS | MACHINE_ROOT_BUS) < 0)
		rc = VB_EXIT_FAILED;
	if (rc)
		return rc;
	if (!r->m.have_sys) {
		cli_error("no PCI devices to act on: /sys/bus/pci/devices is missing");
		return VB_EXIT_NOT_READY;
	}
	host = vb_host_devices_facts(&r->m.host);
	if (vb_plan_build(&r->cfg, &r->m.snap, with_host ? &host : NULL, &r->plan) < 0)
		return VB_EXIT_FAILED;
	r->out = calloc(r->plan.count ? r->plan.count : 1, sizeof(*r->out));
	return r->out ? 0 : VB_EXIT_FAILED;
}

static void print_line(int level, const char *line, void *ctx)
{
	(void)ctx;
	if (level <= LOG_WARNING)
		cli_warning("%s", line);
	else
		cli_print("%s\n", line);
}

int live_report(const struct cli *cli, struct live_run *r)
{
	struct timespec now;
	long elapsed_us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed_us = (now.tv_sec - r->start.tv_sec) * 1000000L +
		     (now.tv_nsec - r->start.tv_nsec) / 1000;
	const struct vb_status_place place = { &cli->root, NULL };
	const struct vb_report report = {
		.cfg = &r->cfg, .snap = &r->m.snap, .plan = &r->plan, .outcomes = r->out,
		.messages = &r->messages, .elapsed_us = cli->dry_run ? -1 : elapsed_us,
		.disabled_by = r->disabled_by, .version = VB_VERSION, .event = r->event,
	};
	struct vb_json_value earlier;
	bool have_earlier;
	char why[128];
	int err = 0;

	if (!cli->json)
		vb_report_lines(&report, print_line, NULL);
	if (cli->dry_run || r->plan.count == 0)
		return 0;
	have_earlier = vb_status_read(&place, &earlier, why, sizeof(why)) == 0;
	err = vb_report_replace(&place, &report, have_earlier ? &earlier : NULL);
	if (have_earlier)
		vb_json_free(&earlier);
	if (err < 0)
		cli_error("cannot write run/vfio-boot/status.json: %s", vb_strerror(err));
	return err;
}

void live_free(struct live_run *r)
{
	vb_status_unlock(r->lock_fd);
	free(r->out);
	vb_plan_free(&r->plan);
	machine_free(&r->m);
	vb_config_free(&r->cfg);
	vb_device_rules_free(&r->saved);
	vb_strv_free(&r->messages);
	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
}

int live_keep_on_vfio(const struct vb_root *root, struct live_run *r)
{
	bool *keep = calloc(r->plan.count ? r->plan.count : 1, sizeof(*keep));
	struct vb_plan sub;
	int err;

	if (!keep)
		return -ENOMEM;
	for (size_t t = 0; t < r->plan.count; t++)
		keep[t] = vb_on_vfio_driver(root, &r->cfg.devices, &r->m.snap.fns[r->plan.targets[t].fn]);
	err = vb_plan_subset(&r->plan, keep, &sub);
	free(keep);
	if (err < 0)
		return err;
	vb_plan_free(&r->plan);
	r->plan = sub;
	return 0;
}

size_t live_groups(const struct live_run *r, long *groups)
{
	size_t n = 0;

	for (size_t t = 0; t < r->plan.count; t++) {
		long g = r->m.snap.fns[r->plan.targets[t].fn].iommu_group;
		size_t i = 0;

		while (i < n && groups[i] != g)
			i++;
		if (g >= 0 && i == n)
			groups[n++] = g;
	}
	return n;
}

void live_json(const struct cli *cli, const struct live_run *r, const struct live_holders *holders)
{
	struct vb_json *w = reply_json();

	if (!w)
		return;
	vb_json_field_bool(w, "dry_run", cli->dry_run);
	vb_json_key(w, "devices");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t t = 0; t < r->plan.count; t++) {
		const struct vb_target *tg = &r->plan.targets[t];
		const struct vb_pci_fn *fn = &r->m.snap.fns[tg->fn];

		vb_json_begin_object(w, VB_JSON_INLINE);
		reply_function(w, fn->name, fn->vendor, fn->device);
		vb_json_field_string(w, "selected_by", tg->selected_by);
		vb_json_key(w, "driver_before");
		vb_json_string_or_null(w, fn->driver[0] ? fn->driver : NULL);
		vb_json_key(w, "driver_after");
		vb_json_string_or_null(w, r->out[t].driver_after[0] ? r->out[t].driver_after : NULL);
		vb_json_field_string(w, "result", vb_result_name(r->out[t].result));
		vb_json_field_string(w, "reason", r->out[t].reason);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
	if (!holders)
		return;
	vb_json_key(w, "holders");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t i = 0; i < holders->count; i++) {
		vb_json_begin_object(w, VB_JSON_INLINE);
		vb_json_field_number(w, "pid", holders->items[i].pid);
		vb_json_field_string(w, "comm", holders->items[i].comm);
		vb_json_field_number(w, "group", holders->items[i].group);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
}
