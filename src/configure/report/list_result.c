// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "list_result.h"
#include "reply.h"
#include "text.h"

/* " (host disk: /, /boot)" and " (host network: eno1)" for a function the host needs. */
static void host_marks(FILE *out, const struct machine *m, const struct vb_pci_fn *fn)
{
	static const char *const words[] = { [VB_HOST_DISK] = "host disk",
					     [VB_HOST_NETWORK] = "host network" };

	for (int role = VB_HOST_DISK; role <= VB_HOST_NETWORK; role++) {
		bool first = true;

		for (size_t i = 0; i < m->host.count; i++) {
			if ((int)m->host.items[i].role != role ||
			    vb_pci_addr_cmp(&m->host.items[i].addr, &fn->addr) != 0)
				continue;
			fprintf(out, "%s%s", first ? " (" : ", ", first ? words[role] : "");
			fprintf(out, "%s%s", first ? ": " : "", m->host.items[i].what);
			first = false;
		}
		if (!first)
			fputc(')', out);
	}
}

void list_result_text(FILE *out, const struct list_result *r)
{
	const struct machine *m = r->m;
	long group = -2;

	if (!r->iommu)
		fprintf(out, "IOMMU: off (no IOMMU groups). %s\n", vb_iommu_off_advice(r->vendor));
	for (size_t i = 0; i < m->host.notes.count; i++)
		fprintf(out, "note: %s\n", m->host.notes.items[i]);
	for (size_t k = 0; k < m->snap.count; k++) {
		const struct vb_pci_fn *fn = &m->snap.fns[r->order[k]];
		const struct vb_strv *modules = &m->claimants[r->order[k]];
		char name[256], cls[128], driver[4 * VB_DRIVER_MAX];

		if (fn->iommu_group != group) {
			group = fn->iommu_group;
			if (group >= 0)
				fprintf(out, "IOMMU group %ld:\n", group);
			else
				fputs("No IOMMU group:\n", out);
		}
		fprintf(out, "  %s %s [%04x]: %s [%04x:%04x]", fn->name,
			vb_pcinames_class(m->names, fn->class, cls, sizeof(cls)), fn->class >> 8,
			vb_pcinames_device(m->names, fn->vendor, fn->device, name, sizeof(name)),
			fn->vendor, fn->device);
		if (fn->boot_vga == 1)
			fputs(" (boot VGA)", out);
		if (fn->is_vf) {
			char pf[32];

			vb_pci_addr_format(&fn->physfn, pf, sizeof(pf));
			fprintf(out, " (SR-IOV VF of %s)", pf);
		}
		host_marks(out, m, fn);
		/* The driver is a link name in sysfs: the log rule keeps the terminal safe. */
		vb_text_printable(driver, sizeof(driver), fn->driver[0] ? fn->driver : "none");
		fprintf(out, "\n      driver: %s", driver);
		for (size_t i = 0; i < modules->count; i++) {
			char text[256];

			vb_text_printable(text, sizeof(text), modules->items[i]);
			fprintf(out, "%s%s", i ? ", " : "; modules: ", text);
		}
		if (r->variants && r->variants[r->order[k]].module[0]) {
			const struct vb_variant *v = &r->variants[r->order[k]];

			fprintf(out, "\n      vfio-pci variant: %s (", v->module);
			for (size_t i = 0; i < v->kernels.count; i++)
				fprintf(out, "%s%s", i ? ", " : "", v->kernels.items[i]);
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

/* The host's uses of a function of one role: mount points, interfaces. */
static void host_uses(struct vb_json *w, const char *key, const struct machine *m,
		      const struct vb_pci_fn *fn, enum vb_host_role role)
{
	vb_json_key(w, key);
	vb_json_begin_array(w, VB_JSON_INLINE);
	for (size_t i = 0; i < m->host.count; i++)
		if (m->host.items[i].role == role &&
		    vb_pci_addr_cmp(&m->host.items[i].addr, &fn->addr) == 0)
			vb_json_string(w, m->host.items[i].what);
	vb_json_end_array(w);
}

void list_result_json(struct vb_json *w, const struct list_result *r)
{
	const struct machine *m = r->m;

	vb_json_field_bool(w, "iommu", r->iommu);
	vb_json_key(w, "devices");
	vb_json_begin_array(w, VB_JSON_LINES);
	for (size_t k = 0; k < m->snap.count; k++) {
		const struct vb_pci_fn *fn = &m->snap.fns[r->order[k]];
		const struct vb_strv *modules = &m->claimants[r->order[k]];
		char name[256], cls[128], group[24], pf[32];

		snprintf(group, sizeof(group), "%ld", fn->iommu_group);
		vb_json_begin_object(w, VB_JSON_INLINE);
		reply_function(w, fn->name, fn->vendor, fn->device);
		vb_json_field_hex(w, "class", fn->class, 6);
		vb_json_field_string(w, "name", vb_pcinames_device(m->names, fn->vendor, fn->device,
								   name, sizeof(name)));
		vb_json_field_string(w, "class_name",
				     vb_pcinames_class(m->names, fn->class, cls, sizeof(cls)));
		vb_json_field_string(w, "iommu_group", fn->iommu_group >= 0 ? group : NULL);
		vb_json_key(w, "driver");
		vb_json_string_or_null(w, fn->driver);
		vb_json_field_bool(w, "boot_vga", fn->boot_vga == 1);
		vb_json_field_bool(w, "bridge", vb_pci_is_bridge(fn));
		if (fn->is_vf)
			vb_pci_addr_format(&fn->physfn, pf, sizeof(pf));
		vb_json_key(w, "physfn");
		vb_json_string_or_null(w, fn->is_vf ? pf : "");
		reply_strings(w, "modules", modules);
		vb_json_key(w, "variant");
		vb_json_string_or_null(w, r->variants ? r->variants[r->order[k]].module : "");
		if (r->variants && r->variants[r->order[k]].module[0])
			reply_strings(w, "variant_kernels", &r->variants[r->order[k]].kernels);
		host_uses(w, "host_disk", m, fn, VB_HOST_DISK);
		host_uses(w, "host_network", m, fn, VB_HOST_NETWORK);
		vb_json_end_object(w);
	}
	vb_json_end_array(w);
}
