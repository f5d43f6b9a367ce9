// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "root.h"
#include "run.h"
#include "sysfs.h"
#include "text.h"

static const char *const result_names[] = {
	[VB_RESULT_BOUND] = "bound",
	[VB_RESULT_ALREADY_BOUND] = "already-bound",
	[VB_RESULT_REFUSED] = "refused",
	[VB_RESULT_FAILED] = "failed",
	[VB_RESULT_DRY_RUN] = "dry-run",
	[VB_RESULT_RELEASED] = "released",
};

const char *vb_result_name(enum vb_result result)
{
	return result_names[result];
}

static void fail(struct vb_outcome *o, const char *what, int err)
{
	o->result = VB_RESULT_FAILED;
	snprintf(o->reason, sizeof(o->reason), "%s: %s", what, vb_strerror(err));
}

static int write_device_attr(const struct vb_root *root, const char *name, const char *attr,
			     const char *text)
{
	char rel[VB_PCI_NAME_MAX + 64];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/%s", name, attr);
	return vb_root_write_attr(root, rel, text);
}

/* Runs "MODPROBE vfio-pci" for at most timeout seconds. Returns 0, or a short reason in why. */
static int load_vfio_pci(const struct vb_apply_env *env, char *why, size_t size)
{
	const char *const argv[] = { env->modprobe, "vfio-pci", NULL };
	const char *modprobe = env->modprobe;
	unsigned timeout = env->modprobe_timeout;
	/* The binder's modprobe is the running system's: its --root is a test seam for sysfs. */
	int rc = vb_run(env->modprobe_root, argv, timeout * 1000u);

	if (rc == -ETIMEDOUT)
		vb_text_format(why, size, "%s vfio-pci did not finish in %u s", modprobe, timeout);
	else if (rc < 0)
		vb_text_format(why, size, "cannot start %s: %s", modprobe, vb_strerror(rc));
	else if (rc > 0)
		vb_text_format(why, size, "%s vfio-pci exited with status %d", modprobe, rc);
	return rc == 0 ? 0 : -1;
}

static void decide_without_writing(const struct vb_snapshot *snap, const struct vb_target *t,
				   struct vb_outcome *o)
{
	const struct vb_pci_fn *fn = &snap->fns[t->fn];

	snprintf(o->driver_after, sizeof(o->driver_after), "%s", fn->driver);
	snprintf(o->reason, sizeof(o->reason), "%s", t->reason);
	switch (t->verdict) {
	case VB_VERDICT_REFUSE:
		o->result = VB_RESULT_REFUSED;
		break;
	case VB_VERDICT_ALREADY:
		o->result = VB_RESULT_ALREADY_BOUND;
		break;
	case VB_VERDICT_BIND:
		o->result = VB_RESULT_DRY_RUN;
		if (fn->driver[0])
			snprintf(o->reason, sizeof(o->reason), "would unbind %s, bind vfio-pci",
				 fn->driver);
		else
			snprintf(o->reason, sizeof(o->reason), "would bind vfio-pci");
		break;
	}
}

/*
 * The report must say where every device is now. Loading vfio-pci can take
 * more than the plan did (vfio-pci.ids= or "options vfio-pci ids="), so the
 * driver of each refused or kept device is read again.
 */
static void note_late_binds(const struct vb_apply_env *env, const struct vb_snapshot *snap,
			    const struct vb_plan *plan, struct vb_outcome *out)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_pci_fn *fn = &snap->fns[plan->targets[i].fn];
		struct vb_outcome *o = &out[i];

		if (o->result != VB_RESULT_REFUSED && o->result != VB_RESULT_ALREADY_BOUND)
			continue;
		if (vb_sysfs_driver(env->root, fn->name, o->driver_after,
				    sizeof(o->driver_after)) < 0)
			continue;
		if (o->result == VB_RESULT_REFUSED && strcmp(o->driver_after, "vfio-pci") == 0 &&
		    strcmp(fn->driver, "vfio-pci") != 0)
			vb_reason_append(o->reason, "yet vfio-pci took it (vfio-pci ids= option?)");
	}
}

size_t vb_apply(const struct vb_apply_env *env, const struct vb_snapshot *snap,
		const struct vb_plan *plan, struct vb_outcome *out)
{
	char load_failure[VB_REASON_MAX] = "";
	bool need_probe = false;
	size_t failed = 0;

	for (size_t i = 0; i < plan->count; i++)
		decide_without_writing(snap, &plan->targets[i], &out[i]);
	if (env->dry_run)
		return 0;

	/* The override first: from here on no other driver can take the device. */
	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_target *t = &plan->targets[i];
		int err;

		if (t->verdict == VB_VERDICT_REFUSE)
			continue;
		err = write_device_attr(env->root, snap->fns[t->fn].name, "driver_override",
					"vfio-pci");
		if (err < 0) {
			fail(&out[i], "cannot write driver_override", err);
			continue;
		}
		if (t->verdict == VB_VERDICT_ALREADY)
			continue;
		if (snap->fns[t->fn].driver[0]) {
			err = write_device_attr(env->root, snap->fns[t->fn].name, "driver/unbind",
						snap->fns[t->fn].name);
			if (err < 0) {
				fail(&out[i], "cannot unbind the current driver", err);
				continue;
			}
		}
		need_probe = true;
	}
	if (!need_probe)
		goto count;

	/* Loading vfio-pci binds every unbound overridden device by itself. */
	if (!vb_root_exists(env->root, "sys/module/vfio_pci"))
		load_vfio_pci(env, load_failure, sizeof(load_failure));

	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_target *t = &plan->targets[i];
		const char *name = snap->fns[t->fn].name;
		struct vb_outcome *o = &out[i];
		int probe_err = 0, err;

		if (t->verdict != VB_VERDICT_BIND || o->result == VB_RESULT_FAILED)
			continue;
		err = vb_sysfs_driver(env->root, name, o->driver_after, sizeof(o->driver_after));
		if (err == 0 && strcmp(o->driver_after, "vfio-pci") != 0) {
			probe_err = vb_root_write_attr(env->root, "sys/bus/pci/drivers_probe", name);
			err = vb_sysfs_driver(env->root, name, o->driver_after,
					      sizeof(o->driver_after));
		}
		if (err < 0) {
			fail(o, "cannot read the driver link", err);
			continue;
		}
		if (strcmp(o->driver_after, "vfio-pci") == 0) {
			o->result = VB_RESULT_BOUND;
			snprintf(o->reason, sizeof(o->reason), "%s", t->reason);
			if (snap->fns[t->fn].driver[0])
				vb_reason_append(o->reason, "taken from %s", snap->fns[t->fn].driver);
			continue;
		}
		o->result = VB_RESULT_FAILED;
		if (load_failure[0])
			snprintf(o->reason, sizeof(o->reason), "%s", load_failure);
		else if (probe_err < 0)
			snprintf(o->reason, sizeof(o->reason), "drivers_probe: %s",
				 vb_strerror(probe_err));
		else if (o->driver_after[0])
			snprintf(o->reason, sizeof(o->reason), "%s holds it after probing",
				 o->driver_after);
		else
			snprintf(o->reason, sizeof(o->reason),
				 "vfio-pci did not bind it (no IOMMU group?); the override keeps other drivers off");
	}
count:
	note_late_binds(env, snap, plan, out);
	for (size_t i = 0; i < plan->count; i++)
		failed += out[i].result == VB_RESULT_FAILED;
	return failed;
}
