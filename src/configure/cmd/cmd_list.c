// SPDX-License-Identifier: GPL-2.0-or-later
/* vfio-boot list: every PCI function by IOMMU group. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "text.h"

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

static void print_modules(FILE *out, const struct vb_msgs *modules, bool json)
{
	for (size_t m = 0; m < modules->count; m++) {
		if (json) {
			fputs(m ? ", " : "", out);
			vb_json_string(out, modules->items[m]);
		} else {
			char text[256];

			vb_text_printable(text, sizeof(text), modules->items[m]);
			fprintf(out, "%s%s", m ? ", " : "", text);
		}
	}
}

/* The host's uses of a function as JSON string arrays: mount points, interfaces. */
static void print_host_uses(const struct machine *m, const struct vb_pci_fn *fn,
			    enum vb_host_role role)
{
	bool first = true;

	for (size_t i = 0; i < m->host.count; i++) {
		if (m->host.items[i].role != role ||
		    vb_pci_addr_cmp(&m->host.items[i].addr, &fn->addr) != 0)
			continue;
		fputs(first ? "" : ", ", stdout);
		vb_json_string(stdout, m->host.items[i].what);
		first = false;
	}
}

/* " (host disk: /, /boot)" and " (host network: eno1)" for a function the host needs. */
static void print_host_marks(const struct machine *m, const struct vb_pci_fn *fn)
{
	static const char *const words[] = { [VB_HOST_DISK] = "host disk",
					     [VB_HOST_NETWORK] = "host network" };

	for (int role = VB_HOST_DISK; role <= VB_HOST_NETWORK; role++) {
		bool first = true;

		for (size_t i = 0; i < m->host.count; i++) {
			if ((int)m->host.items[i].role != role ||
			    vb_pci_addr_cmp(&m->host.items[i].addr, &fn->addr) != 0)
				continue;
			printf("%s%s", first ? " (" : ", ", first ? words[role] : "");
			printf("%s%s", first ? ": " : "", m->host.items[i].what);
			first = false;
		}
		if (!first)
			putchar(')');
	}
}

static void list_json(const struct machine *m, const size_t *order, long groups)
{
	printf("{\n  \"iommu\": %s,\n  \"devices\": [", groups > 0 ? "true" : "false");
	for (size_t k = 0; k < m->snap.count; k++) {
		const struct vb_pci_fn *fn = &m->snap.fns[order[k]];
		char name[256], cls[128];

		printf("%s\n    {\"address\": ", k ? "," : "");
		vb_json_string(stdout, fn->name);
		printf(", \"vendor\": \"%04x\", \"device\": \"%04x\", \"class\": \"%06x\", \"name\": ",
		       fn->vendor, fn->device, fn->class);
		vb_json_string(stdout, vb_pcinames_device(m->names, fn->vendor, fn->device, name,
							  sizeof(name)));
		fputs(", \"class_name\": ", stdout);
		vb_json_string(stdout, vb_pcinames_class(m->names, fn->class, cls, sizeof(cls)));
		fputs(", \"iommu_group\": ", stdout);
		if (fn->iommu_group >= 0)
			printf("\"%ld\"", fn->iommu_group);
		else
			fputs("null", stdout);
		fputs(", \"driver\": ", stdout);
		vb_json_string_or_null(stdout, fn->driver);
		printf(", \"boot_vga\": %s, \"bridge\": %s, \"modules\": [",
		       fn->boot_vga == 1 ? "true" : "false", vb_pci_is_bridge(fn) ? "true" : "false");
		print_modules(stdout, &m->claimants[order[k]], true);
		fputs("], \"host_disk\": [", stdout);
		print_host_uses(m, fn, VB_HOST_DISK);
		fputs("], \"host_network\": [", stdout);
		print_host_uses(m, fn, VB_HOST_NETWORK);
		fputs("]}", stdout);
	}
	fputs(m->snap.count ? "\n  ]\n}\n" : "]\n}\n", stdout);
}

static void list_text(const struct machine *m, const size_t *order, long groups)
{
	long group = -2;

	if (groups <= 0)
		puts("IOMMU: off (no IOMMU groups). Enable it in the firmware and with "
		     "intel_iommu=on or amd_iommu=on; `vfio-boot configure` sets the flag.");
	for (size_t i = 0; i < m->host.notes.count; i++)
		printf("note: %s\n", m->host.notes.items[i]);
	for (size_t k = 0; k < m->snap.count; k++) {
		const struct vb_pci_fn *fn = &m->snap.fns[order[k]];
		char name[256], cls[128], driver[4 * VB_DRIVER_MAX];

		if (fn->iommu_group != group) {
			group = fn->iommu_group;
			if (group >= 0)
				printf("IOMMU group %ld:\n", group);
			else
				puts("No IOMMU group:");
		}
		printf("  %s %s [%04x]: %s [%04x:%04x]", fn->name,
		       vb_pcinames_class(m->names, fn->class, cls, sizeof(cls)), fn->class >> 8,
		       vb_pcinames_device(m->names, fn->vendor, fn->device, name, sizeof(name)),
		       fn->vendor, fn->device);
		if (fn->boot_vga == 1)
			fputs(" (boot VGA)", stdout);
		print_host_marks(m, fn);
		/* The driver is a link name in sysfs: the log rule keeps the terminal safe. */
		vb_text_printable(driver, sizeof(driver), fn->driver[0] ? fn->driver : "none");
		printf("\n      driver: %s", driver);
		if (m->claimants[order[k]].count) {
			fputs("; modules: ", stdout);
			print_modules(stdout, &m->claimants[order[k]], false);
		}
		putchar('\n');
	}
}

int cmd_list(const struct cli *cli)
{
	struct machine m;
	size_t *order;
	long groups;

	if (cli->nargs) {
		cli_error("list takes no arguments");
		return VB_EXIT_USAGE;
	}
	if (machine_load(cli, &m, true) < 0)
		return VB_EXIT_FAILED;
	if (!m.have_sys) {
		cli_error("no PCI devices under %s/sys: list needs the hardware",
			  cli->root.host ? "" : cli->root.path);
		machine_free(&m);
		return VB_EXIT_FAILED;
	}
	order = malloc((m.snap.count ? m.snap.count : 1) * sizeof(*order));
	if (!order) {
		machine_free(&m);
		return VB_EXIT_FAILED;
	}
	for (size_t i = 0; i < m.snap.count; i++)
		order[i] = i;
	sort_snap = &m.snap;
	qsort(order, m.snap.count, sizeof(*order), by_group);
	groups = vb_host_iommu_groups(&cli->root);
	if (cli_host_read_error(cli) < 0) {
		free(order);
		machine_free(&m);
		return VB_EXIT_FAILED;
	}
	if (cli->json)
		list_json(&m, order, groups);
	else
		list_text(&m, order, groups);
	free(order);
	machine_free(&m);
	return VB_EXIT_OK;
}
