// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot check: is this machine ready for passthrough of the selection. */
#include "boot_path_checks.h"
#include "checklist.h"
#include "cli.h"
#include "host_checks.h"
#include "ids_checks.h"
#include "reply.h"
#include "selection_checks.h"
#include "softdep_checks.h"

int cmd_check(const struct cli *cli)
{
	struct check_list c = { 0 };
	struct vb_strv claimants = { 0 };
	struct machine m;
	int rc;

	if (cli->nargs) {
		cli_error("check takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (machine_load(cli, &m, MACHINE_CLAIMANTS | MACHINE_ROOT_BUS) < 0)
		return VB_EXIT_FAILED;
	check_cpu_and_flags(&c, &cli->root);
	check_iommu(&c, &cli->root);
	check_modules(&c, &m);
	check_host_devices(&c, &m);
	check_ids_options(&c, &cli->root);
	if (check_selection(&c, cli, &m, &claimants))
		check_softdeps(&c, cli, &m, &claimants);
	check_boot_path(&c, &cli->root);
	/* A fact that could not be read is no answer (said on stderr): check fails. */
	if (cli_host_read_error(cli) < 0) {
		c.read_errors++;
		c.failures++;
	}
	machine_free(&m);
	vb_strv_free(&claimants);
	if (c.err < 0) {
		cli_error("cannot keep the checks' results: %s", vb_strerror(c.err));
		check_list_free(&c);
		return VB_EXIT_FAILED;
	}
	if (cli->json)
		check_list_json(reply_json(), &c);
	else
		check_list_text(stdout, &c);
	rc = c.read_errors ? VB_EXIT_FAILED : c.failures ? VB_EXIT_NOT_READY : VB_EXIT_OK;
	check_list_free(&c);
	return rc;
}
