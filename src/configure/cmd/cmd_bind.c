// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot bind [SEL...]: binds now, on the running system, what the boot
 * binder binds at boot (the saved selection), or the functions SEL names
 * (not saved), under the same plan and safety rules.
 */
#include "cli.h"
#include "live.h"
#include "report.h"

/* True when a function the command named (not the saved selection) was refused. */
static bool named_refused(const struct live_run *r)
{
	for (size_t t = 0; r->named && t < r->plan.count; t++)
		if (r->out[t].result == VB_RESULT_REFUSED)
			return true;
	return false;
}

int cmd_bind(const struct cli *cli)
{
	struct vb_apply_env env = {
		.root = &cli->root, .modprobe = "modprobe",
		.modprobe_root = cli->root.host ? NULL : &cli->root,
		.modprobe_timeout = 10, .dry_run = cli->dry_run,
	};
	struct live_run r;
	size_t failed = 0;
	int rc;

	rc = live_prepare(cli, VB_EVENT_BIND, true, &r);
	if (rc == 0) {
		/* The saved driver=, reset_method= and preload= lines, as at boot. */
		env.rules = &r.cfg.devices;
		env.messages = &r.messages;
		if (!r.cfg.disabled)
			failed = vb_apply(&env, &r.m.snap, &r.plan, r.out);
		if (live_report(cli, &r) < 0)
			failed++;
		if (cli->json)
			live_json(cli, &r, NULL);
		rc = failed ? VB_EXIT_FAILED : named_refused(&r) ? VB_EXIT_USAGE : VB_EXIT_OK;
	}
	live_free(&r);
	return rc;
}
