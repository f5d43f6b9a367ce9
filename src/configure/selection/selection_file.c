// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>

#include "selection_file.h"

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
