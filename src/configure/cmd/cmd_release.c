// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-boot release [SEL...]: gives the functions on vfio-pci that SEL names
 * (all those of the saved selection, without SEL) back to the host, a card
 * or group together; refused while a process holds their group open.
 */
#include <stdlib.h>

#include "cli.h"
#include "live.h"
#include "report.h"

/* Says who holds the groups. Returns VB_EXIT_IN_USE. */
static int refuse_held(const struct live_holders *h)
{
	for (size_t i = 0; i < h->count && i < LIVE_HOLDERS_MAX; i++)
		cli_error("/dev/vfio/%ld is open by %s (pid %ld)", h->items[i].group,
			  h->items[i].comm, (long)h->items[i].pid);
	cli_error("release refused: a process (a VM?) uses the group; nothing changed "
		  "(stop it, then release again)");
	return VB_EXIT_IN_USE;
}

static int release(const struct cli *cli, struct live_run *r, struct live_holders *h)
{
	long *groups = calloc(r->plan.count ? r->plan.count : 1, sizeof(*groups));
	size_t failed;
	int err;

	if (!groups || live_keep_on_vfio(&cli->root, r) < 0) {
		free(groups);
		return VB_EXIT_FAILED;
	}
	if (r->plan.count == 0) {
		free(groups);
		cli_print("nothing to release: no function %s is on vfio-pci\n",
			  r->named ? "named" : "of the saved selection");
		return VB_EXIT_OK;
	}
	err = live_find_holders(&cli->root, groups, live_groups(r, groups), h);
	free(groups);
	if (err < 0) {
		cli_error("cannot read /proc to see who holds the groups open: %s", vb_strerror(err));
		return VB_EXIT_FAILED;
	}
	if (h->count)
		return refuse_held(h);
	failed = live_release(&cli->root, &r->m.snap, &r->plan, cli->dry_run, 10, r->out);
	if (live_report(cli, r) < 0)
		failed++;
	if (!cli->dry_run)
		cli_note("the saved selection is unchanged: the next boot binds %s again "
			 "(vfio-boot unconfigure, or configure without them, changes that)",
			 r->named ? "what it names" : "them");
	return failed ? VB_EXIT_FAILED : VB_EXIT_OK;
}

int cmd_release(const struct cli *cli)
{
	struct live_holders holders = { 0 };
	struct live_run r;
	int rc = live_prepare(cli, VB_EVENT_RELEASE, false, &r);

	if (rc == 0) {
		rc = release(cli, &r, &holders);
		if (cli->json)
			live_json(cli, &r, &holders);
	}
	live_holders_free(&holders);
	live_free(&r);
	return rc;
}
