// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modprobe_text.h"
#include "softdep_merge.h"

bool vb_module_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !(strchr("-_", *a) && strchr("-_", *b)))
			return false;
	return *a == *b;
}

static bool has_name(const struct vb_strv *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (vb_module_name_eq(list->items[i], name))
			return true;
	return false;
}

int vb_softdep_line_init(struct vb_softdep_line *line, const char *module)
{
	memset(line, 0, sizeof(*line));
	line->module = strdup(module);
	if (!line->module || vb_strv_add(&line->pre, "vfio-pci") < 0) {
		vb_softdep_line_free(line);
		return -ENOMEM;
	}
	return 0;
}

void vb_softdep_line_free(struct vb_softdep_line *line)
{
	free(line->module);
	free(line->install_from);
	vb_strv_free(&line->pre);
	vb_strv_free(&line->post);
	vb_strv_free(&line->from);
	vb_strv_free(&line->kernels);
	memset(line, 0, sizeof(*line));
}

/*
 * The words of deps into line's lists, as kmod_config_add_softdep reads a
 * softdep line (libkmod-config.c): words split at white space, "pre:" and
 * "post:" switch the list, words before either are ignored.
 */
static int add_words(struct vb_softdep_line *line, const char *deps)
{
	struct vb_strv *to = NULL;
	int err = 0;

	while (*deps && err == 0) {
		size_t len;
		char *word;

		while (isspace((unsigned char)*deps))
			deps++;
		for (len = 0; deps[len] && !isspace((unsigned char)deps[len]); len++)
			;
		if (len == 0)
			break;
		word = strndup(deps, len);
		deps += len;
		if (!word)
			return -ENOMEM;
		if (strcmp(word, "pre:") == 0)
			to = &line->pre;
		else if (strcmp(word, "post:") == 0)
			to = &line->post;
		/* vfio-pci is first of pre already; the module itself is not its own dependency. */
		else if (to && !has_name(&line->pre, word) && !has_name(&line->post, word) &&
			 !vb_module_name_eq(word, line->module))
			err = vb_strv_add(to, "%s", word);
		free(word);
	}
	return err;
}

int vb_softdep_line_add(struct vb_softdep_line *line, const char *kver, const char *deps,
			const char *from)
{
	int err = vb_strv_add(&line->kernels, "%s: %s", kver, deps && *deps ? deps : "none");

	if (err == 0 && deps && *deps)
		err = add_words(line, deps);
	if (err == 0 && deps && *deps && from)
		err = vb_strv_add_unique(&line->from, from);
	return err;
}

bool vb_softdep_line_kernels_differ(const struct vb_softdep_line *line)
{
	for (size_t k = 1; k < line->kernels.count; k++) {
		const char *a = strchr(line->kernels.items[0], ' ');
		const char *b = strchr(line->kernels.items[k], ' ');

		if (strcmp(a ? a : "", b ? b : "") != 0)
			return true;
	}
	return false;
}

/* The list's words joined by ", " or " " into a new string (NULL on ENOMEM). */
static char *joined(const struct vb_strv *list, const char *sep)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < list->count; i++)
		len += strlen(list->items[i]) + strlen(sep);
	s = calloc(1, len);
	for (size_t i = 0; s && i < list->count; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, list->items[i]);
	}
	return s;
}

int vb_softdep_line_write(const struct vb_softdep_line *line, FILE *out)
{
	char *from = joined(&line->from, ", "), *kernels = joined(&line->kernels, "; ");
	char *pre = joined(&line->pre, " "), *post = joined(&line->post, " "), *deps = NULL;
	int err = 0;

	if (line->install_from) {
		vb_modprobe_text_fill(out, VB_MODPROBE_INSTALL_KEPT, "MODULE", line->module, "FROM",
				      line->install_from, NULL);
		goto out;
	}
	if (!from || !kernels || !pre || !post ||
	    asprintf(&deps, "pre: %s%s%s", pre, post[0] ? " post: " : "", post) < 0) {
		deps = NULL;
		err = -ENOMEM;
		goto out;
	}
	if (vb_softdep_line_kernels_differ(line))
		vb_modprobe_text_fill(out, VB_MODPROBE_KERNELS_DIFFER, "MODULE", line->module,
				      "KERNELS", kernels, NULL);
	if (line->from.count)
		vb_modprobe_text_fill(out, VB_MODPROBE_OWN_SOFTDEPS, "MODULE", line->module, "FROM",
				      from, NULL);
	vb_modprobe_text_fill(out, VB_MODPROBE_SOFTDEP, "MODULE", line->module, "DEPS", deps, NULL);
out:
	free(from);
	free(kernels);
	free(pre);
	free(post);
	free(deps);
	return err;
}
