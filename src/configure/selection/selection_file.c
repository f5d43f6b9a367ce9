// SPDX-License-Identifier: GPL-2.0-or-later
/* The text of /etc/vfio-boot.conf as configure writes it, and its marks read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selection_file.h"

static const char header[] =
	"# Written by `vfio-boot configure`; `vfio-boot unconfigure` restores what was here.\n"
	"# Devices for vfio-pci, bound in the initramfs by vfio-boot-bind. ID@address\n"
	"# is the function at that address, left to the host when it holds another ID.\n";

char *vb_render_selection(const struct vb_config *cfg, const bool *open)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	fputs(header, out);
	for (size_t i = 0; i < cfg->select.count; i++) {
		if (open && open[i])
			fputs(VB_SELECTION_OPEN_MARK "\n", out);
		fprintf(out, "%s\n", cfg->select.items[i].sel.text);
	}
	for (size_t i = 0; i < cfg->vfs.count; i++)
		fprintf(out, "%s\n", cfg->vfs.items[i].text);
	fprintf(out, "companions=%s\nboot-vga=%s\n", vb_companions_name(cfg->companions),
		vb_boot_vga_name(cfg->boot_vga));
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Flags the entries of cfg that the selectors of one line choose. */
static void flag_line(const char *line, size_t len, const struct vb_config *cfg, bool *open)
{
	struct vb_config one;

	vb_config_init(&one);
	if (vb_config_add_selectors(&one, &one.select, "mark", line, len) == 0)
		for (size_t s = 0; s < one.select.count; s++)
			for (size_t i = 0; i < cfg->select.count; i++)
				open[i] = open[i] || vb_selector_equal(&one.select.items[s].sel,
								       &cfg->select.items[i].sel);
	vb_config_free(&one);
}

/* How many of the first len bytes of s are blanks, from the start. */
static size_t blanks(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && (s[n] == ' ' || s[n] == '\t' || s[n] == '\r'))
		n++;
	return n;
}

void vb_selection_find_open(const char *text, size_t len, const struct vb_config *cfg,
			    bool *open)
{
	size_t mark = strlen(VB_SELECTION_OPEN_MARK), pos = 0;
	bool marked = false;

	for (size_t i = 0; i < cfg->select.count; i++)
		open[i] = false;
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t linelen = nl ? (size_t)(nl - line) : len - pos;
		const char *hash = memchr(line, '#', linelen);
		size_t bare = hash ? (size_t)(hash - line) : linelen; /* without its comment */

		if (marked && blanks(line, bare) < bare && !memchr(line, '=', bare))
			flag_line(line, bare, cfg, open);
		marked = linelen >= mark && memcmp(line, VB_SELECTION_OPEN_MARK, mark) == 0 &&
			 blanks(line + mark, linelen - mark) == linelen - mark;
		pos += linelen + 1;
	}
}
