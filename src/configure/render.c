// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modprobe_ids.h"
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

		if (!vb_target_taken(&in->plan->targets[t]))
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
			if (in->plan->targets[t].fn == i && vb_target_taken(&in->plan->targets[t]))
				taken = true;
		if (!taken && vb_msgs_contains(&in->claimants[i], module))
			return &in->snap->fns[i];
	}
	return NULL;
}

static const char kept_marker[] =
	"# Kept from the file that was here before vfio-boot (unconfigure restores it):\n";

/* The other options of an ids= line (as modprobe reads it), as a line of their own, if any. */
static int options_without_ids(FILE *out, const char *line, size_t len)
{
	char *copy = vb_modprobe_line_joined(line, len), *save = NULL, *word;
	bool any = false;
	int n = 0;

	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save), n++) {
		if (n < 2 || strncmp(word, "ids=", 4) == 0)
			continue;
		fprintf(out, "%s%s", any ? " " : "options vfio-pci ", word);
		any = true;
	}
	if (any)
		fputc('\n', out);
	free(copy);
	return 0;
}

/* Writes the len bytes at text (one or more lines) with '#' before each line. */
static void comment_out(FILE *out, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i == 0 || text[i - 1] == '\n')
			fputc('#', out);
		fputc(text[i], out);
	}
	fputc('\n', out);
}

/*
 * The lines of the file as it was before vfio-boot: after the marker in a
 * file we wrote, or the whole of another one, its ids= options commented out.
 */
static int write_kept_lines(FILE *out, const char *current, struct vb_msgs *notes)
{
	const char *text = current;
	bool ours = current && strncmp(current, header, strlen(header)) == 0;

	if (ours) {
		text = strstr(current, kept_marker);
		if (text)
			fputs(text, out);
		return 0;
	}
	if (!text || !text[strspn(text, " \t\n")])
		return 0;
	fputs(kept_marker, out);
	while (*text) {
		size_t len = vb_modprobe_line_len(text);

		if (vb_is_vfio_ids_option(text, len)) {
			char *joined = vb_modprobe_line_joined(text, len);

			fputs("# vfio-boot: commented out. vfio-pci would take every device with these\n"
			      "# IDs, an identical host card too, even with vfio_boot.disable=1;\n"
			      "# vfio-boot-bind binds the selected devices with driver_override.\n",
			      out);
			comment_out(out, text, len);
			if (!joined || options_without_ids(out, text, len) < 0 ||
			    vb_msgs_add(notes, "commented out '%.200s' in /etc/modprobe.d/vfio.conf: "
					       "vfio-boot-bind binds the selected devices instead",
					joined) < 0) {
				free(joined);
				return -ENOMEM;
			}
			free(joined);
		} else {
			fwrite(text, 1, len, out);
			fputc('\n', out);
		}
		text += len + (text[len] == '\n');
	}
	return 0;
}

char *vb_render_modprobe(const struct vb_render_input *in, struct vb_msgs *notes)
{
	struct vb_msgs modules = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	err = collect_claimants(in, &modules);
	if (err < 0 || !(out = open_memstream(&text, &len))) {
		vb_msgs_free(&modules);
		return NULL;
	}
	fputs(header, out);
	if (modules.count)
		fputs("# Load vfio-pci before the drivers that would claim the selected functions.\n",
		      out);
	for (size_t m = 0; m < modules.count; m++)
		fprintf(out, "softdep %s pre: vfio-pci\n", modules.items[m]);
	for (size_t m = 0; in->blacklist && m < modules.count && err == 0; m++) {
		const struct vb_pci_fn *user = kept_user(in, modules.items[m]);
		if (user) {
			err = vb_msgs_add(notes, "not blacklisting %s: the host keeps %s, which needs it",
					  modules.items[m], user->name);
			continue;
		}
		fprintf(out, "blacklist %s\n", modules.items[m]);
	}
	if (err == 0)
		err = write_kept_lines(out, in->current, notes);
	vb_msgs_free(&modules);
	if (fclose(out) != 0 || err < 0) {
		free(text);
		return NULL;
	}
	return text;
}
