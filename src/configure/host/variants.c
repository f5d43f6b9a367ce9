// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-pci variant drivers, found in the installed kernels' vfio_pci: aliases (variants.h). */
#include <libkmod.h>
#include <stdio.h>
#include <string.h>

#include "variants.h"

int vb_variant_find(const struct vb_kmod *km, const char *modalias, struct vb_variant *v)
{
	char alias[256];
	int err = 0;

	memset(v, 0, sizeof(*v));
	if (strncmp(modalias, "pci:", 4) != 0 ||
	    (size_t)snprintf(alias, sizeof(alias), "vfio_pci:%s", modalias + 4) >= sizeof(alias))
		return 0; /* not a PCI modalias: nothing can match */
	for (size_t k = 0; k < km->kernels.count && err == 0; k++) {
		struct kmod_list *list = NULL, *it;

		err = kmod_module_new_from_lookup(km->ctx[k], alias, &list);
		if (err < 0)
			break;
		kmod_list_foreach(it, list) {
			struct kmod_module *mod = kmod_module_get_module(it);
			const char *name = kmod_module_get_name(mod);

			/* vfio-pci's own catch-all alias (vfio_pci:v*d*...) is no variant. */
			if (vb_module_is_vfio_pci(name)) {
				kmod_module_unref(mod);
				continue;
			}
			if (err == 0 && !v->module[0])
				snprintf(v->module, sizeof(v->module), "%s", name);
			if (err == 0 && strcmp(v->module, name) == 0)
				err = vb_strv_add_unique(&v->kernels, km->kernels.items[k]);
			else if (err == 0)
				err = vb_strv_add_unique(&v->others, name);
			kmod_module_unref(mod);
		}
		kmod_module_unref_list(list);
	}
	if (err < 0)
		vb_variant_free(v);
	return err;
}

void vb_variant_free(struct vb_variant *v)
{
	vb_strv_free(&v->kernels);
	vb_strv_free(&v->others);
	v->module[0] = '\0';
}
