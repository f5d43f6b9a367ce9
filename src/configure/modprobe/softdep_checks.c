// SPDX-License-Identifier: GPL-2.0-or-later
#include "softdep_checks.h"
#include "softdeps.h"

void check_softdeps(struct check_list *c, const struct cli *cli, const struct machine *m,
		    struct vb_strv *claimants)
{
	struct vb_softdep_report rep = { 0 };
	struct vb_strv ours = { 0 };
	char why[512] = "";
	int err;

	err = vb_softdeps_configured(&cli->root, &ours, why, sizeof(why));
	for (size_t i = 0; err == 0 && i < ours.count; i++)
		err = vb_strv_add_unique(claimants, ours.items[i]);
	if (err == 0)
		err = vb_softdeps_verify(&m->kmod, &cli->root, NULL, 0, claimants, &rep, why,
					 sizeof(why));
	if (err < 0)
		check_add(c, "softdeps", CHECK_FAIL, "%s", why[0] ? why : vb_strerror(err));
	else if (claimants->count == 0 || m->kmod.kernels.count == 0)
		check_add(c, "softdeps", CHECK_SKIP, "no module known to claim the selected functions");
	for (size_t i = 0; i < rep.escapes.count; i++)
		check_add(c, "softdeps",
			  vb_strv_contains(&ours, rep.escaped.items[i]) ? CHECK_FAIL : CHECK_WARN,
			  "%s (vfio-boot configure writes what wins)", rep.escapes.items[i]);
	for (size_t i = 0; i < rep.masked.count; i++)
		check_add(c, "softdeps", CHECK_WARN, "%s: run vfio-boot configure again",
			  rep.masked.items[i]);
	for (size_t i = 0; i < rep.kept.count; i++)
		check_add(c, "softdeps", CHECK_WARN, "%s", rep.kept.items[i]);
	for (size_t i = 0; i < rep.ok.count; i++)
		check_add(c, "softdeps", CHECK_OK, "%s", rep.ok.items[i]);
	vb_softdep_report_free(&rep);
	vb_strv_free(&ours);
}
