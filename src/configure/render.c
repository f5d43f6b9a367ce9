// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

static const char header[] =
	"# Written by `vfio-boot configure`; `vfio-boot unconfigure` restores what was here.\n";

char *vb_render_selection(const struct vb_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	fputs(header, out);
	fputs("# Devices for vfio-pci, bound in the initramfs by vfio-boot-bind.\n", out);
	for (size_t i = 0; i < cfg->select.count; i++)
		fprintf(out, "%s\n", cfg->select.items[i].sel.text);
	fprintf(out, "companions=%s\nboot-vga=%s\n", vb_companions_name(cfg->companions),
		vb_boot_vga_name(cfg->boot_vga));
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static bool takes(const struct vb_target *t)
{
	return t->verdict != VB_VERDICT_REFUSE;
}

/* True when every function carrying fn's ID is a target that is taken. */
static bool whole_id_taken(const struct vb_render_input *in, const struct vb_pci_fn *fn)
{
	const struct vb_snapshot *snap = in->snap;

	for (size_t i = 0; i < snap->count; i++) {
		bool taken = false;

		if (snap->fns[i].vendor != fn->vendor || snap->fns[i].device != fn->device)
			continue;
		for (size_t t = 0; t < in->plan->count; t++)
			if (in->plan->targets[t].fn == i && takes(&in->plan->targets[t]))
				taken = true;
		if (!taken)
			return false;
	}
	return true;
}

static int collect_ids(const struct vb_render_input *in, struct vb_msgs *ids)
{
	char id[32];
	int err = 0;

	/*
	 * Without hardware nobody can tell that every device with an ID is
	 * selected: vfio-pci would take an identical boot GPU the binder refuses.
	 */
	if (!in->snap)
		return 0;
	for (size_t t = 0; t < in->plan->count && err == 0; t++) {
		const struct vb_pci_fn *fn = &in->snap->fns[in->plan->targets[t].fn];

		if (!takes(&in->plan->targets[t]) || !whole_id_taken(in, fn))
			continue;
		snprintf(id, sizeof(id), "%04x:%04x", fn->vendor, fn->device);
		err = vb_msgs_add_unique(ids, id);
	}
	return err;
}

static bool is_builtin(const char *module)
{
	return strstr(module, " (built-in)") != NULL;
}

/* Loadable modules that would claim a taken function, vfio-pci aside. */
static int collect_claimants(const struct vb_render_input *in, struct vb_msgs *modules)
{
	int err = 0;

	if (!in->snap || !in->claimants)
		return 0;
	for (size_t t = 0; t < in->plan->count && err == 0; t++) {
		const struct vb_msgs *claims = &in->claimants[in->plan->targets[t].fn];

		if (!takes(&in->plan->targets[t]))
			continue;
		for (size_t m = 0; m < claims->count && err == 0; m++)
			if (!is_builtin(claims->items[m]) && strcmp(claims->items[m], "vfio_pci") != 0)
				err = vb_msgs_add_unique(modules, claims->items[m]);
	}
	vb_msgs_sort(modules);
	return err;
}

/* The first function the host keeps that module would claim, or NULL. */
static const struct vb_pci_fn *kept_user(const struct vb_render_input *in, const char *module)
{
	for (size_t i = 0; i < in->snap->count; i++) {
		bool taken = false;

		for (size_t t = 0; t < in->plan->count; t++)
			if (in->plan->targets[t].fn == i && takes(&in->plan->targets[t]))
				taken = true;
		if (!taken && vb_msgs_contains(&in->claimants[i], module))
			return &in->snap->fns[i];
	}
	return NULL;
}

char *vb_render_modprobe(const struct vb_render_input *in, struct vb_msgs *ids,
			 struct vb_msgs *notes)
{
	struct vb_msgs modules = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	err = collect_ids(in, ids);
	if (err == 0)
		err = collect_claimants(in, &modules);
	if (err < 0 || !(out = open_memstream(&text, &len))) {
		vb_msgs_free(&modules);
		return NULL;
	}
	fputs(header, out);
	if (ids->count) {
		fputs("# vfio-pci claims these IDs: every device carrying them is selected.\n"
		      "options vfio-pci ids=", out);
		for (size_t i = 0; i < ids->count; i++)
			fprintf(out, "%s%s", i ? "," : "", ids->items[i]);
		fputc('\n', out);
	}
	if (modules.count)
		fputs("# Load vfio-pci before the drivers that would claim the selected functions.\n",
		      out);
	for (size_t m = 0; m < modules.count; m++)
		fprintf(out, "softdep %s pre: vfio-pci\n", modules.items[m]);
	for (size_t m = 0; in->blacklist && m < modules.count; m++) {
		const struct vb_pci_fn *user = kept_user(in, modules.items[m]);
		if (user) {
			err = vb_msgs_add(notes, "not blacklisting %s: the host keeps %s, which needs it",
					  modules.items[m], user->name);
			continue;
		}
		fprintf(out, "blacklist %s\n", modules.items[m]);
	}
	vb_msgs_free(&modules);
	if (fclose(out) != 0 || err < 0) {
		free(text);
		return NULL;
	}
	return text;
}
