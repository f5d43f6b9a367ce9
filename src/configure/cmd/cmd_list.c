// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot list: every PCI function by IOMMU group. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "list_result.h"
#include "reply.h"

static const struct vb_snapshot *sort_snap;

/* By IOMMU group (functions without one last), then by address. */
static int by_group(const void *a, const void *b)
{
	const struct vb_pci_fn *fa = &sort_snap->fns[*(const size_t *)a];
	const struct vb_pci_fn *fb = &sort_snap->fns[*(const size_t *)b];
	long ga = fa->iommu_group < 0 ? LONG_MAX : fa->iommu_group;
	long gb = fb->iommu_group < 0 ? LONG_MAX : fb->iommu_group;

	if (ga != gb)
		return ga < gb ? -1 : 1;
	return vb_pci_addr_cmp(&fa->addr, &fb->addr);
}

/*
 * Each function's vfio-pci variant in the installed kernels. Returns the
 * array (the caller frees it with variants_free), or NULL after saying why.
 */
static struct vb_variant *variants_find(const struct machine *m)
{
	struct vb_variant *v = calloc(m->snap.count ? m->snap.count : 1, sizeof(*v));
	int err = v ? 0 : -ENOMEM;

	for (size_t i = 0; err == 0 && i < m->snap.count; i++)
		if (m->snap.fns[i].modalias)
			err = vb_variant_find(&m->kmod, m->snap.fns[i].modalias, &v[i]);
	if (err == 0)
		return v;
	cli_error("cannot read the kernels' vfio_pci: aliases: %s", vb_strerror(err));
	for (size_t i = 0; v && i < m->snap.count; i++)
		vb_variant_free(&v[i]);
	free(v);
	return NULL;
}

int cmd_list(const struct cli *cli)
{
	struct vb_variant *variants;
	struct list_result result;
	const char *source;
	struct machine m;
	size_t *order;

	if (cli->nargs) {
		cli_error("list takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (machine_load(cli, &m, MACHINE_CLAIMANTS) < 0)
		return VB_EXIT_FAILED;
	if (!m.have_sys) {
		cli_error("no PCI devices under %s/sys: list needs the hardware",
			  cli->root.host ? "" : cli->root.path);
		machine_free(&m);
		return VB_EXIT_FAILED;
	}
	order = malloc((m.snap.count ? m.snap.count : 1) * sizeof(*order));
	if (!order) {
		cli_error("cannot list: %s", vb_strerror(-ENOMEM));
		machine_free(&m);
		return VB_EXIT_FAILED;
	}
	for (size_t i = 0; i < m.snap.count; i++)
		order[i] = i;
	sort_snap = &m.snap;
	qsort(order, m.snap.count, sizeof(*order), by_group);
	variants = variants_find(&m);
	if (!variants || cli_host_read_error(cli) < 0) {
		for (size_t i = 0; variants && i < m.snap.count; i++)
			vb_variant_free(&variants[i]);
		free(variants);
		free(order);
		machine_free(&m);
		return VB_EXIT_FAILED;
	}
	result = (struct list_result){ &m, order, vb_host_iommu_groups(&cli->root) > 0,
				       vb_host_iommu_vendor(&cli->root, &source), variants };
	if (result.vendor == VB_CPU_UNKNOWN)
		result.vendor = vb_host_cpu_vendor(&cli->root);
	if (cli->json)
		list_result_json(reply_json(), &result);
	else
		list_result_text(stdout, &result);
	for (size_t i = 0; i < m.snap.count; i++)
		vb_variant_free(&variants[i]);
	free(variants);
	free(order);
	machine_free(&m);
	return VB_EXIT_OK;
}
