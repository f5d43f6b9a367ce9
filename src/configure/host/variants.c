// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-pci variant drivers, found in the installed kernels' vfio_pci: aliases (variants.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "variants.h"

struct found {
	const struct vb_kmod *km;
	struct vb_variant *v;
};

static int add_variant(void *ctx, size_t k, const char *module, bool builtin)
{
	struct found *f = ctx;
	struct vb_variant *v = f->v;

	(void)builtin;
	/* vfio-pci's own catch-all alias (vfio_pci:v*d*...) is no variant. */
	if (vb_module_is_vfio_pci(module))
		return 0;
	if (!v->module[0])
		snprintf(v->module, sizeof(v->module), "%s", module);
	if (strcmp(v->module, module) == 0)
		return vb_strv_add_unique(&v->kernels, f->km->kernels.items[k]) < 0 ? -ENOMEM : 0;
	return vb_strv_add_unique(&v->others, module) < 0 ? -ENOMEM : 0;
}

int vb_variant_find(const struct vb_kmod *km, const char *modalias, struct vb_variant *v)
{
	struct found f = { km, v };
	char alias[256];
	int err;

	memset(v, 0, sizeof(*v));
	if (strncmp(modalias, "pci:", 4) != 0 ||
	    (size_t)snprintf(alias, sizeof(alias), "vfio_pci:%s", modalias + 4) >= sizeof(alias))
		return 0; /* not a PCI modalias: nothing can match */
	err = vb_kmod_lookup_each(km, alias, add_variant, &f);
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
