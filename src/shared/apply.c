// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "drivers.h"
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

/* The variant module driver= names for fn, or NULL for vfio-pci. */
static const char *variant_of(const struct vb_apply_env *env, const struct vb_pci_fn *fn)
{
	return env->rules ? vb_device_rules_driver(env->rules, fn) : NULL;
}

static const char *reset_of(const struct vb_apply_env *env, const struct vb_pci_fn *fn)
{
	return env->rules ? vb_device_rules_reset(env->rules, fn) : NULL;
}

static void decide_without_writing(const struct vb_apply_env *env, const struct vb_snapshot *snap,
				   const struct vb_target *t, struct vb_outcome *o)
{
	const struct vb_pci_fn *fn = &snap->fns[t->fn];
	const char *variant = variant_of(env, fn), *reset = reset_of(env, fn);

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
		snprintf(o->reason, sizeof(o->reason), "would %s%s%sbind %s%s%s", fn->driver[0] ?
			 "unbind " : "", fn->driver, fn->driver[0] ? ", " : "",
			 variant ? variant : "vfio-pci", reset ? ", set reset_method " : "",
			 reset ? reset : "");
		break;
	}
}

/* preload=: each module not loaded yet, in order, before vfio-pci and any variant. */
static void preload_modules(const struct vb_apply_env *env)
{
	char why[VB_REASON_MAX];

	for (size_t i = 0; env->rules && i < env->rules->preload.count; i++) {
		const char *module = env->rules->preload.items[i];

		if (vb_module_loaded(env->root, module))
			continue;
		if (vb_modprobe(env->modprobe_root, env->modprobe, module, env->modprobe_timeout, why,
				sizeof(why)) < 0 &&
		    env->messages)
			vb_strv_add(env->messages, "preload=%s: %s", module, why);
	}
}

/*
 * The driver each taken target gets: its variant's, read from the module
 * once loaded, or vfio-pci. A variant that cannot be loaded or named leaves
 * the function to vfio-pci: it stays off the host's drivers, and its note says
 * what the variant would have given. Then reset_method=, written before the
 * device is unbound or bound.
 */
static void prepare_targets(const struct vb_apply_env *env, const struct vb_snapshot *snap,
			    const struct vb_plan *plan, struct vb_outcome *out)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_pci_fn *fn = &snap->fns[plan->targets[i].fn];
		const char *module = variant_of(env, fn), *reset = reset_of(env, fn);
		char why[VB_REASON_MAX] = "";
		struct vb_outcome *o = &out[i];
		int err = 0;

		snprintf(o->driver, sizeof(o->driver), "vfio-pci");
		if (!vb_target_taken(&plan->targets[i]))
			continue;
		/* A module named by several targets is loaded by the first. */
		if (module && !vb_module_loaded(env->root, module))
			err = vb_modprobe(env->modprobe_root, env->modprobe, module, env->modprobe_timeout, why,
					  sizeof(why));
		if (module && err == 0)
			err = vb_module_pci_driver(env->root, module, o->driver, sizeof(o->driver),
						   why, sizeof(why));
		/* A variant used is in status.json's "driver"; one not used, said. */
		if (err < 0) {
			snprintf(o->driver, sizeof(o->driver), "vfio-pci");
			vb_reason_append(o->note, "variant %s not used: %s", module, why);
		}
		if (!reset)
			continue;
		if (vb_reset_method_set(env->root, fn->name, reset, why, sizeof(why)) < 0) {
			vb_reason_append(o->note, "%s", why);
			continue;
		}
		snprintf(o->reset_method, sizeof(o->reset_method), "%s", reset);
		vb_reason_append(o->note, "reset_method %s", reset);
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

/* True when some target goes to generic vfio-pci and is not on it yet. */
static bool needs_vfio_pci(const struct vb_plan *plan, const struct vb_outcome *out)
{
	for (size_t i = 0; i < plan->count; i++)
		if (plan->targets[i].verdict == VB_VERDICT_BIND && out[i].result != VB_RESULT_FAILED &&
		    strcmp(out[i].driver, "vfio-pci") == 0)
			return true;
	return false;
}

size_t vb_apply(const struct vb_apply_env *env, const struct vb_snapshot *snap,
		const struct vb_plan *plan, struct vb_outcome *out)
{
	char load_failure[VB_REASON_MAX] = "";
	bool need_probe = false;
	size_t failed = 0;

	for (size_t i = 0; i < plan->count; i++)
		decide_without_writing(env, snap, &plan->targets[i], &out[i]);
	if (env->dry_run)
		return 0;

	/* Modules first: vendor-reset must hook the device before reset_method lists it. */
	preload_modules(env);
	prepare_targets(env, snap, plan, out);

	/* The override first: from here on no other driver can take the device. */
	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_target *t = &plan->targets[i];
		const struct vb_pci_fn *fn = &snap->fns[t->fn];
		int err;

		if (t->verdict == VB_VERDICT_REFUSE) {
			out[i].driver[0] = '\0';
			continue;
		}
		err = write_device_attr(env->root, fn->name, "driver_override", out[i].driver);
		if (err < 0) {
			fail(&out[i], "cannot write driver_override", err);
			continue;
		}
		if (t->verdict == VB_VERDICT_ALREADY && strcmp(out[i].driver, "vfio-pci") == 0)
			continue;
		if (fn->driver[0] && strcmp(fn->driver, out[i].driver) == 0) {
			out[i].result = VB_RESULT_ALREADY_BOUND;
			snprintf(out[i].reason, sizeof(out[i].reason), "%s", t->reason);
			vb_reason_append(out[i].reason, "already bound to %s", fn->driver);
			continue;
		}
		out[i].result = VB_RESULT_DRY_RUN; /* to be bound: decided below */
		if (fn->driver[0]) {
			err = write_device_attr(env->root, fn->name, "driver/unbind", fn->name);
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
	if (needs_vfio_pci(plan, out) && !vb_module_loaded(env->root, "vfio-pci"))
		vb_modprobe(env->modprobe_root, env->modprobe, "vfio-pci", env->modprobe_timeout, load_failure,
			    sizeof(load_failure));

	for (size_t i = 0; i < plan->count; i++) {
		const struct vb_target *t = &plan->targets[i];
		const char *name = snap->fns[t->fn].name;
		struct vb_outcome *o = &out[i];
		int probe_err = 0, err;

		if (t->verdict == VB_VERDICT_REFUSE || o->result == VB_RESULT_FAILED ||
		    o->result == VB_RESULT_ALREADY_BOUND)
			continue;
		err = vb_sysfs_driver(env->root, name, o->driver_after, sizeof(o->driver_after));
		if (err == 0 && strcmp(o->driver_after, o->driver) != 0) {
			probe_err = vb_root_write_attr(env->root, "sys/bus/pci/drivers_probe", name);
			err = vb_sysfs_driver(env->root, name, o->driver_after,
					      sizeof(o->driver_after));
		}
		if (err < 0) {
			fail(o, "cannot read the driver link", err);
			continue;
		}
		if (strcmp(o->driver_after, o->driver) == 0) {
			o->result = VB_RESULT_BOUND;
			snprintf(o->reason, sizeof(o->reason), "%s", t->reason);
			if (snap->fns[t->fn].driver[0])
				vb_reason_append(o->reason, "taken from %s", snap->fns[t->fn].driver);
			continue;
		}
		o->result = VB_RESULT_FAILED;
		if (load_failure[0] && strcmp(o->driver, "vfio-pci") == 0)
			snprintf(o->reason, sizeof(o->reason), "%s", load_failure);
		else if (probe_err < 0)
			snprintf(o->reason, sizeof(o->reason), "drivers_probe: %s",
				 vb_strerror(probe_err));
		else if (o->driver_after[0])
			snprintf(o->reason, sizeof(o->reason), "%s holds it after probing",
				 o->driver_after);
		else
			snprintf(o->reason, sizeof(o->reason),
				 "%s did not bind it (no IOMMU group?); the override keeps other drivers off",
				 o->driver);
	}
count:
	note_late_binds(env, snap, plan, out);
	for (size_t i = 0; i < plan->count; i++) {
		if (out[i].note[0])
			vb_reason_append(out[i].reason, "%s", out[i].note);
		failed += out[i].result == VB_RESULT_FAILED;
	}
	return failed;
}
