// SPDX-License-Identifier: GPL-2.0-or-later
/* configure --vfs N@ADDRESS: no more VFs than the physical function offers. */
#include <errno.h>

#include "sriov.h"
#include "vfs_checks.h"

int vb_check_vfs(const struct cli *cli, const struct machine *m, const struct vb_config *cfg)
{
	int bad = 0;

	for (size_t i = 0; i < cfg->vfs.count; i++) {
		const struct vb_vfs_entry *e = &cfg->vfs.items[i];
		const struct vb_pci_fn *pf = vb_snapshot_find(&m->snap, &e->pf.addr);
		unsigned total, num;
		int err;

		bad++;
		if (!pf) {
			cli_error("%s: no PCI function at %s", e->text, e->pf.text);
			continue;
		}
		if (e->pf.kind == VB_SEL_ID_AT_ADDR && !vb_selector_id_matches(&e->pf, pf)) {
			cli_error("%s: ID guard: %s is %04x:%04x", e->text, pf->name, pf->vendor,
				  pf->device);
			continue;
		}
		err = vb_sriov_counts(&cli->root, pf->name, &total, &num);
		if (err == -ENOENT) {
			cli_error("%s: %s [%04x:%04x] has no SR-IOV (no sriov_totalvfs)", e->text,
				  pf->name, pf->vendor, pf->device);
			continue;
		}
		if (err < 0) {
			cli_error("%s: cannot read the SR-IOV counts of %s: %s", e->text, pf->name,
				  vb_strerror(err));
			continue;
		}
		if (e->count > total) {
			cli_error("%s: %s offers %u VFs (sriov_totalvfs), not %u", e->text, pf->name,
				  total, e->count);
			continue;
		}
		if (num && num != e->count)
			cli_note("%s: %s has %u VFs now; the binder leaves VFs that are there as "
				 "they are (set sriov_numvfs to 0 first, or reboot)",
				 e->text, pf->name, num);
		bad--;
	}
	return bad ? -EINVAL : 0;
}
