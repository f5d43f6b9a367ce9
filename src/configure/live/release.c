// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot release's writes: from vfio-pci (or its variant) back to a host driver. */
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "root.h"
#include "run.h"
#include "sysfs.h"

static int write_attr(const struct vb_root *root, const char *name, const char *attr,
		      const char *text)
{
	char rel[VB_PCI_NAME_MAX + 64];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/%s", name, attr);
	return vb_root_write_attr(root, rel, text);
}

static void failed(struct vb_outcome *o, const char *what, int err)
{
	o->result = VB_RESULT_FAILED;
	snprintf(o->reason, sizeof(o->reason), "%s: %s", what, vb_strerror(err));
}

/*
 * No driver took fn after the probe: loads the module its modalias names
 * (in the tree, chrooted, unless the tree is the host), then probes again.
 */
static void load_native(const struct vb_root *root, const struct vb_pci_fn *fn,
			unsigned timeout_s, struct vb_outcome *o)
{
	const char *const argv[] = { "modprobe", "-q", fn->modalias, NULL };
	int rc;

	if (!fn->modalias || !fn->modalias[0])
		return;
	rc = vb_run(root->host ? NULL : root, argv, timeout_s * 1000u);
	if (rc != 0)
		return; /* no module for it: said by the driver link below */
	vb_root_write_attr(root, "sys/bus/pci/drivers_probe", fn->name);
	vb_sysfs_driver(root, fn->name, o->driver_after, sizeof(o->driver_after));
}

size_t live_release(const struct vb_root *root, const struct vb_snapshot *snap,
		    const struct vb_plan *plan, bool dry_run, unsigned timeout_s,
		    struct vb_outcome *out)
{
	size_t nfailed = 0;

	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_pci_fn *fn = &snap->fns[plan->targets[i].fn];

		out[i] = (struct vb_outcome){ .result = dry_run ? VB_RESULT_DRY_RUN :
								  VB_RESULT_RELEASED };
		snprintf(out[i].driver_after, sizeof(out[i].driver_after), "%s", fn->driver);
		if (dry_run)
			snprintf(out[i].reason, sizeof(out[i].reason),
				 "would clear driver_override, unbind %s, probe", fn->driver);
	}
	if (dry_run)
		return 0;
	/* The overrides first: once unbound, nothing must send it back. */
	for (size_t i = 0; i < plan->count; i++) {
		int err = write_attr(root, snap->fns[plan->targets[i].fn].name, "driver_override", "");

		if (err < 0)
			failed(&out[i], "cannot clear driver_override", err);
	}
	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_pci_fn *fn = &snap->fns[plan->targets[i].fn];
		char rel[VB_DRIVER_MAX + 64], what[VB_DRIVER_MAX + 32];
		int err;

		if (out[i].result == VB_RESULT_FAILED)
			continue;
		snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/unbind", fn->driver);
		err = vb_root_write_attr(root, rel, fn->name);
		if (err < 0) {
			snprintf(what, sizeof(what), "cannot unbind %s", fn->driver);
			failed(&out[i], what, err);
		}
	}
	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_pci_fn *fn = &snap->fns[plan->targets[i].fn];
		struct vb_outcome *o = &out[i];
		int err;

		if (o->result == VB_RESULT_FAILED)
			continue;
		err = vb_root_write_attr(root, "sys/bus/pci/drivers_probe", fn->name);
		if (err == 0)
			err = vb_sysfs_driver(root, fn->name, o->driver_after, sizeof(o->driver_after));
		if (err == 0 && !o->driver_after[0])
			load_native(root, fn, timeout_s, o);
		if (err < 0)
			failed(o, "cannot probe it again", err);
		else if (strcmp(o->driver_after, fn->driver) == 0)
			snprintf(o->reason, sizeof(o->reason), "%s still holds it after unbinding",
				 fn->driver);
		else if (o->driver_after[0])
			snprintf(o->reason, sizeof(o->reason), "now with %s", o->driver_after);
		else
			snprintf(o->reason, sizeof(o->reason), "no host driver took it");
		if (strcmp(o->driver_after, fn->driver) == 0)
			o->result = VB_RESULT_FAILED;
	}
	for (size_t i = 0; i < plan->count; i++)
		nfailed += out[i].result == VB_RESULT_FAILED;
	return nfailed;
}
