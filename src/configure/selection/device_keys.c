// SPDX-License-Identifier: GPL-2.0-or-later
/* configure: the driver=, reset_method= and preload= lines it saves (device_keys.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_keys.h"
#include "variants.h"

static const char header[] =
	"# Drivers and resets (vfio-boot.conf(5)). A driver= line that configure found\n"
	"# names the vfio-pci variant whose vfio_pci: alias the kernels listed carry.\n";

/* "ID@address" of a function: the guard every saved line carries. */
static void guarded(const struct vb_pci_fn *fn, char *buf, size_t size)
{
	char addr[VB_PCI_NAME_MAX];

	vb_pci_addr_format(&fn->addr, addr, sizeof(addr));
	snprintf(buf, size, "%04x:%04x@%s", fn->vendor, fn->device, addr);
}

/* A rule's value as the config file spells it: reset methods separated by commas. */
static void value_of(const struct vb_device_rule *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s", r->value);
	for (char *c = buf; r->kind == VB_DEVICE_RESET && *c; c++)
		if (*c == ' ')
			*c = ',';
}

static const char *key_of(const struct vb_device_rule *r)
{
	return r->kind == VB_DEVICE_DRIVER ? "driver" : "reset_method";
}

/* A reset method the device does not list now: noted (vendor-reset adds device_specific). */
static int note_reset(const struct vb_device_keys_input *in, const struct vb_pci_fn *fn,
		      const char *methods, struct vb_strv *notes)
{
	char rel[VB_PCI_NAME_MAX + 48], offered[256];
	const char *missing;
	size_t len;
	ssize_t n;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/reset_method", fn->name);
	n = vb_root_read_small(in->root, rel, offered, sizeof(offered));
	if (n < 0)
		return n == -ENOENT ? vb_strv_add(notes, "%s has no reset_method here (kernels "
						  "before 5.15): the binder sets it where the "
						  "booted kernel has one", fn->name) : 0;
	offered[strcspn(offered, "\n")] = '\0';
	missing = vb_reset_method_missing(offered, methods, &len);
	if (!missing)
		return 0;
	return vb_strv_add(notes, "%s offers reset methods '%s' now, not %.*s: the binder "
			   "writes reset_method only where the device offers it at boot%s",
			   fn->name, offered, (int)len, missing,
			   len == 15 && strncmp(missing, "device_specific", 15) == 0 ?
				   " (vendor-reset adds device_specific: preload=vendor-reset)" :
				   "");
}

/* A given --driver or --reset-method line, once per taken function it names. */
static int given_rule(const struct vb_device_keys_input *in, const struct vb_device_rule *r,
		      FILE *out, struct vb_strv *notes, struct vb_strv *refusals)
{
	char value[VB_RESET_TEXT_MAX], guard[VB_SELECTOR_MAX + 1];
	size_t matched = 0;
	int err = 0;

	value_of(r, value, sizeof(value));
	if (!in->snap) {
		if (r->sel.kind != VB_SEL_ID_AT_ADDR)
			return vb_strv_add(refusals, "%s=%s@%s cannot be saved guarded without sys/: "
					   "name the function as ID@address", key_of(r), value,
					   r->sel.text);
		fprintf(out, "%s=%s@%04x:%04x@", key_of(r), value, r->sel.vendor, r->sel.device);
		vb_pci_addr_format(&r->sel.addr, guard, sizeof(guard));
		fprintf(out, "%s\n", guard);
		return 0;
	}
	for (size_t t = 0; t < in->plan->count && err == 0; t++) {
		const struct vb_pci_fn *fn = &in->snap->fns[in->plan->targets[t].fn];

		if (!vb_target_taken(&in->plan->targets[t]) || !vb_device_rule_matches(r, fn))
			continue;
		guarded(fn, guard, sizeof(guard));
		fprintf(out, "%s=%s@%s\n", key_of(r), value, guard);
		matched++;
		if (r->kind == VB_DEVICE_RESET)
			err = note_reset(in, fn, r->value, notes);
	}
	if (err == 0 && !matched)
		return vb_strv_add(refusals, "%s=%s@%s: %s names no function the selection takes",
				   key_of(r), value, r->sel.text, r->sel.text);
	return err;
}

/* The variant for each taken function no given line names, found in the kernels' aliases. */
static int found_variants(const struct vb_device_keys_input *in, FILE *out, struct vb_strv *notes)
{
	int err = 0;

	for (size_t t = 0; in->snap && t < in->plan->count && err == 0; t++) {
		const struct vb_pci_fn *fn = &in->snap->fns[in->plan->targets[t].fn];
		struct vb_variant v;
		char guard[VB_SELECTOR_MAX + 1], kernels[256] = "", without[256] = "";

		if (!vb_target_taken(&in->plan->targets[t]) || !fn->modalias)
			continue;
		err = vb_variant_find(in->kmod, fn->modalias, &v);
		if (err < 0 || !v.module[0])
			continue;
		for (size_t k = 0; k < v.kernels.count; k++)
			vb_reason_append(kernels, "%s", v.kernels.items[k]);
		for (size_t k = 0; k < in->kmod->kernels.count; k++)
			if (!vb_strv_contains(&v.kernels, in->kmod->kernels.items[k]))
				vb_reason_append(without, "%s", in->kmod->kernels.items[k]);
		/* A given driver= line names fn: the user chose its driver. */
		if (in->given->devices.generic ||
		    vb_device_rules_name(&in->given->devices, VB_DEVICE_DRIVER, fn)) {
			err = vb_strv_add(notes, "%s: the variant %s (vfio_pci: alias in %s) is not "
					  "used: --driver says which driver", fn->name, v.module,
					  kernels);
		} else {
			guarded(fn, guard, sizeof(guard));
			fprintf(out, "driver=%s@%s  # vfio_pci: alias in %s\n", v.module, guard,
				kernels);
			err = vb_strv_add(notes, "%s goes to the vfio-pci variant %s (its vfio_pci: "
					  "alias in %s)%s%s%s", fn->name, v.module, kernels,
					  without[0] ? "; vfio-pci takes it under " : "", without,
					  without[0] ? ", which lack it" : "");
		}
		for (size_t o = 0; err == 0 && o < v.others.count; o++)
			err = vb_strv_add(notes, "%s: %s matches it too; %s is saved (driver=MODULE@%s "
					  "chooses)", fn->name, v.others.items[o], v.module, fn->name);
		vb_variant_free(&v);
	}
	return err;
}

/* preload=, and a note for a module no installed kernel has. */
static int preload_line(const struct vb_device_keys_input *in, FILE *out, struct vb_strv *notes)
{
	const struct vb_strv *preload = &in->given->devices.preload;
	int err = 0;

	for (size_t i = 0; i < preload->count; i++)
		fprintf(out, "%s%s", i ? "," : "preload=", preload->items[i]);
	if (preload->count)
		fputc('\n', out);
	for (size_t i = 0; i < preload->count && err == 0; i++) {
		bool somewhere = false;

		for (size_t k = 0; k < in->kmod->kernels.count; k++)
			somewhere = somewhere ||
				    vb_kmod_state(in->kmod, k, preload->items[i]) != VB_MODULE_MISSING;
		if (!somewhere && in->kmod->kernels.count)
			err = vb_strv_add(notes, "preload=%s: no installed kernel has this module "
					  "(install it, e.g. with DKMS, before rebooting)",
					  preload->items[i]);
	}
	return err;
}

int vb_device_keys_text(const struct vb_device_keys_input *in, char **text, struct vb_strv *notes,
			struct vb_strv *refusals)
{
	const struct vb_device_rules *given = &in->given->devices;
	char *body = NULL;
	size_t len = 0, before = refusals->count;
	FILE *out = open_memstream(&body, &len);
	int err = 0;

	*text = NULL;
	if (!out)
		return -ENOMEM;
	if (given->generic)
		fputs("driver=vfio-pci\n", out);
	for (size_t i = 0; i < given->count && err >= 0; i++)
		err = given_rule(in, &given->items[i], out, notes, refusals);
	if (err == 0)
		err = found_variants(in, out, notes);
	if (err == 0)
		err = preload_line(in, out, notes);
	if (fclose(out) != 0 && err == 0)
		err = -ENOMEM;
	if (err == 0 && refusals->count > before)
		err = -EINVAL;
	if (err < 0) {
		free(body);
		return err;
	}
	if (len == 0) {
		*text = body;
		return 0;
	}
	*text = malloc(sizeof(header) + len);
	if (*text)
		snprintf(*text, sizeof(header) + len, "%s%s", header, body);
	free(body);
	return *text ? 0 : -ENOMEM;
}
