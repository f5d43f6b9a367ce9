// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "cli.h"
#include "kcmdline.h"
#include "leftovers.h"

#define WHY "vfio-pci would take every device with those IDs at boot, an identical host " \
	    "card too, even with vfio_boot.disable=1"

void vb_leftovers_warn_dropped(const char *where, const struct vb_strv *dropped)
{
	for (size_t i = 0; i < dropped->count; i++)
		cli_warning("took %s out of %s: " WHY " (vfio-boot-bind selects the devices; "
			    "vfio-boot unconfigure puts it back)",
			    dropped->items[i], where);
}

void vb_leftovers_warn_entries(enum vb_bootloader bl, const struct vb_boot_entries *e)
{
	for (size_t i = 0; i < e->count; i++) {
		struct vb_strv words = { 0 };
		char where[512];

		if (vb_cmdline_leftovers(e->items[i].args, &words) < 0)
			continue; /* ENOMEM: the plan fails the same way and says so */
		snprintf(where, sizeof(where), "%s%s%s", vb_bootloader_name(bl),
			 e->items[i].kernel ? "'s entry for " : "'s kernel options",
			 e->items[i].kernel ? e->items[i].kernel : "");
		vb_leftovers_warn_dropped(where, &words);
		vb_strv_free(&words);
	}
}

/* The leftovers of a text: a command line, or a shell file (its comment lines skipped). */
static int text_leftovers(char *text, bool shell, struct vb_strv *words)
{
	int err = 0;

	for (char *line = strtok(text, "\n"); err == 0 && line; line = strtok(NULL, "\n")) {
		line += strspn(line, " \t");
		if (shell && line[0] == '#')
			continue;
		if (shell) /* the quotes of the shell's words become the kernel's white space */
			for (char *p = line; *p; p++)
				*p = *p == '\'' || *p == '"' ? ' ' : *p;
		err = vb_cmdline_leftovers(line, words);
	}
	return err;
}

void vb_leftovers_warn_grub_rest(const char *path, const char *text, size_t len)
{
	struct vb_strv words = { 0 };
	char *copy = strndup(text, len);

	if (copy)
		text_leftovers(copy, true, &words);
	for (size_t i = 0; i < words.count; i++)
		cli_warning("%s still has %s outside the GRUB_CMDLINE_LINUX_DEFAULT that configure "
			    "edits (in GRUB_CMDLINE_LINUX?): " WHY "; take it out yourself",
			    path, words.items[i]);
	vb_strv_free(&words);
	free(copy);
}

int vb_leftovers_warn_unedited(const struct vb_root *root)
{
	static const struct {
		const char *path;
		bool shell;
	} files[] = { { "proc/cmdline", false },
		      { "etc/default/grub", true },
		      { "etc/kernel/cmdline", false } };
	int warned = 0;

	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		struct vb_strv words = { 0 };
		char *text;
		size_t len;

		if (vb_root_read_file(root, files[f].path, VB_HOST_CMDLINE_MAX, &text, &len, NULL) < 0)
			continue;
		text_leftovers(text, files[f].shell, &words);
		for (size_t i = 0; i < words.count; i++)
			cli_warning("/%s has %s: " WHY "; no bootloader is edited, so take it out "
				    "yourself", files[f].path, words.items[i]);
		warned += (int)words.count;
		vb_strv_free(&words);
		free(text);
	}
	return warned;
}
