// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "kmodconf.h"
#include "ownblock.h"
#include "softdeps.h"

#define MODPROBE_FILE_MAX (1024 * 1024)

static const char *const own_files[] = { VB_MODPROBE_OWN_NAME, VB_MODPROBE_VFIO_NAME };

/* Where "HOW NAME" is in steps (of vb_kmodview_show_depends; how NULL: any), or -1. */
static long step_of(const struct vb_strv *steps, const char *how, const char *name)
{
	for (size_t i = 0; i < steps->count; i++) {
		const char *space = strchr(steps->items[i], ' ');

		if (space && (!how || (strlen(how) == (size_t)(space - steps->items[i]) &&
				       strncmp(steps->items[i], how, strlen(how)) == 0)) &&
		    vb_module_name_eq(space + 1, name))
			return (long)i;
	}
	return -1;
}

/* /etc/modprobe.d/NAME of the tree; -ENOENT when there is none. */
static int read_etc(const struct vb_root *root, const char *name, char **text, size_t *len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "etc/modprobe.d/%s", name);
	return vb_root_read_file(root, rel, MODPROBE_FILE_MAX, text, len, NULL);
}

/* Says what went wrong with /etc/modprobe.d/NAME. */
static void own_file_error(char *why, size_t size, const char *name, int err)
{
	if (err == -EINVAL)
		snprintf(why, size, "/etc/modprobe.d/%s: its lines \"%s\" and \"%s\" are out of "
			 "order: put them right or take them out", name, VB_BLOCK_BEGIN, VB_BLOCK_END);
	else
		snprintf(why, size, "cannot read /etc/modprobe.d/%s: %s", name, vb_strerror(err));
}

/* conf as kmod would read it without configure's own lines. */
static int without_ours(struct vb_kmodconf *conf, const struct vb_root *root, char *why,
			size_t size)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < ARRAY_SIZE(own_files); i++) {
		char *text = NULL, *admin = NULL;
		size_t len = 0, alen = 0;

		err = read_etc(root, own_files[i], &text, &len);
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err == 0)
			err = vb_modprobe_admins_lines(text, len, &admin, &alen);
		if (err == 0)
			err = vb_kmodconf_set(conf, own_files[i], admin, alen);
		if (err < 0)
			own_file_error(why, size, own_files[i], err);
		free(text);
		free(admin);
	}
	return err;
}

int vb_softdeps_block(struct vb_render_input *in, const struct vb_kmod *km,
		      const struct vb_root *root, char **block, struct vb_strv *modules,
		      struct vb_strv *notes, char *why, size_t size)
{
	struct vb_softdep_line *lines = NULL;
	struct vb_kmodconf conf = { 0 };
	struct vb_kmodview view = { 0 };
	struct vb_strv steps = { 0 };
	size_t n = 0;
	int err;

	*block = NULL;
	why[0] = '\0';
	err = vb_render_claimants(in, modules);
	if (err == 0 && modules->count)
		err = vb_kmodconf_read(&conf, root, why, size);
	if (err == 0 && modules->count)
		err = without_ours(&conf, root, why, size);
	if (err == 0 && modules->count)
		err = vb_kmodview_open(&view, &conf, km, why, size);
	if (err == 0 && modules->count) {
		lines = calloc(modules->count, sizeof(*lines));
		err = lines ? 0 : -ENOMEM;
	}
	for (; err == 0 && n < modules->count; n++) {
		const char *module = modules->items[n];
		struct vb_softdep_line *line = &lines[n];

		err = vb_softdep_line_init(line, module);
		for (size_t k = 0; err == 0 && k < km->kernels.count; k++) {
			char *deps = NULL, *from = NULL;

			if (vb_kmod_state(km, k, module) != VB_MODULE_LOADABLE)
				continue;
			/* An install command that runs now keeps running: no softdep. */
			vb_strv_free(&steps);
			err = vb_kmodview_show_depends(&view, k, module, &steps);
			if (err == 0 && !line->install_from && step_of(&steps, "install", module) >= 0 &&
			    vb_kmodview_first(&view, k, "install", module, &deps, &from) >= 0) {
				line->install_from = from ? from : strdup("a modprobe.d file");
				from = NULL;
				err = line->install_from ? 0 : -ENOMEM;
			}
			free(deps);
			free(from);
			deps = from = NULL;
			if (err == 0)
				err = vb_kmodview_first(&view, k, "softdep", module, &deps, &from);
			if (err >= 0)
				err = vb_softdep_line_add(line, km->kernels.items[k], deps,
							  from ? from : "a modprobe.d file");
			free(deps);
			free(from);
		}
	}
	if (err == -ENOMEM || (err < 0 && !why[0]))
		snprintf(why, size, "cannot read the module configuration: %s", vb_strerror(err));
	if (err == 0) {
		in->softdeps = lines;
		in->nsoftdeps = n;
		*block = vb_render_modprobe(in, notes);
		if (!*block) {
			err = -ENOMEM;
			snprintf(why, size, "out of memory");
		}
		in->softdeps = NULL;
		in->nsoftdeps = 0;
	}
	for (size_t i = 0; lines && i < n; i++)
		vb_softdep_line_free(&lines[i]);
	free(lines);
	vb_strv_free(&steps);
	vb_kmodview_close(&view);
	vb_kmodconf_free(&conf);
	return err;
}

/* The tree's configuration as kmod reads it, with files instead of the tree's of their names. */
static int configuration(struct vb_kmodconf *conf, const struct vb_root *root,
			 const struct vb_modprobe_file *files, size_t nfiles, char *why, size_t size)
{
	int err = vb_kmodconf_read(conf, root, why, size);

	for (size_t i = 0; err == 0 && i < nfiles; i++) {
		err = vb_kmodconf_set(conf, files[i].name, files[i].text, files[i].len);
		if (err < 0)
			snprintf(why, size, "out of memory");
	}
	return err;
}

/* Why module would load without vfio-pci first on kernel k (steps: what it loads). */
static int escape_reason(const struct vb_kmodview *with, size_t k, const char *module,
			 const struct vb_strv *steps, long at, char *why, size_t size)
{
	char *rest = NULL, *from = NULL;
	long install = step_of(steps, "install", "vfio_pci");
	int found;

	if (vb_kmod_state(with->km, k, "vfio_pci") == VB_MODULE_MISSING) {
		snprintf(why, size, "the kernel has no vfio-pci module");
		return 0;
	}
	found = vb_kmodview_first(with, k, install >= 0 && install < at ? "install" : "softdep",
				  install >= 0 && install < at ? "vfio_pci" : module, &rest, &from);
	if (found < 0)
		return found;
	if (install >= 0 && install < at)
		snprintf(why, size, "vfio-pci's install command in %s runs instead of loading it",
			 from ? from : "a modprobe.d file");
	else if (found)
		snprintf(why, size, "its softdep in %s wins", from ? from : "a modprobe.d file");
	else
		snprintf(why, size, "no softdep line names it");
	free(rest);
	free(from);
	return 0;
}

/* The module's own softdeps (as kmod would use them without configure's lines) that steps lack. */
static int check_own(const struct vb_kmodview *without, size_t k, const char *module,
		     const struct vb_strv *steps, long at, struct vb_softdep_report *rep)
{
	const char *kver = without->km->kernels.items[k];
	struct vb_strv pre = { 0 }, post = { 0 };
	char *rest = NULL, *from = NULL;
	int err = vb_kmodview_softdep_modules(without, k, module, &pre, &post);

	if (err == 0 && (pre.count || post.count))
		err = vb_kmodview_first(without, k, "softdep", module, &rest, &from);
	for (size_t i = 0; err >= 0 && i < pre.count; i++) {
		long p = step_of(steps, NULL, pre.items[i]);

		if (p < 0 || p > at)
			err = vb_strv_add(&rep->masked, "%s's own softdep on %s (%s) would not load "
					  "before it (%s)", module, pre.items[i],
					  from ? from : "a modprobe.d file", kver);
	}
	for (size_t i = 0; err >= 0 && i < post.count; i++)
		if (step_of(steps, NULL, post.items[i]) < 0)
			err = vb_strv_add(&rep->masked, "%s's own softdep on %s (%s) would not load "
					  "(%s)", module, post.items[i],
					  from ? from : "a modprobe.d file", kver);
	free(rest);
	free(from);
	vb_strv_free(&pre);
	vb_strv_free(&post);
	return err < 0 ? err : 0;
}

/* One module on kernel k: whether vfio-pci loads first, and its own softdeps still load. */
static int verify_module(const struct vb_kmodview *with, const struct vb_kmodview *without,
			 size_t k, const char *module, struct vb_softdep_report *rep,
			 struct vb_strv *first)
{
	const char *kver = with->km->kernels.items[k];
	struct vb_strv steps = { 0 };
	char reason[512], *rest = NULL, *from = NULL;
	long at, vfio;
	int err = vb_kmodview_show_depends(with, k, module, &steps);

	if (err == -ENOENT) {
		vb_strv_free(&steps);
		return 0;
	}
	at = step_of(&steps, NULL, module);
	vfio = step_of(&steps, "insmod", "vfio_pci");
	if (vfio < 0)
		vfio = step_of(&steps, "builtin", "vfio_pci");
	if (err < 0 || at < 0) {
		/* Nothing of it loads: nothing to order. */
	} else if (step_of(&steps, "install", module) == at) {
		err = vb_kmodview_first(with, k, "install", module, &rest, &from);
		if (err >= 0)
			err = vb_strv_add(&rep->kept, "%s: its install command in %s runs instead "
					  "of loading it (%s), and vfio-pci is not loaded ahead of it",
					  module, from ? from : "a modprobe.d file", kver);
	} else if (vfio < 0 || vfio > at) {
		err = escape_reason(with, k, module, &steps, at, reason, sizeof(reason));
		if (err == 0)
			err = vb_strv_add(&rep->escapes, "%s would load without vfio-pci first "
					  "(%s): %s", module, kver, reason);
		if (err == 0)
			err = vb_strv_add(&rep->escaped, "%s", module);
	} else {
		err = vb_strv_add(first, "%s", module);
		if (err == 0)
			err = check_own(without, k, module, &steps, at, rep);
	}
	free(rest);
	free(from);
	vb_strv_free(&steps);
	return err < 0 ? err : 0;
}

int vb_softdeps_verify(const struct vb_kmod *km, const struct vb_root *root,
		       const struct vb_modprobe_file *files, size_t nfiles,
		       const struct vb_strv *modules, struct vb_softdep_report *rep, char *why,
		       size_t size)
{
	struct vb_kmodconf with_conf = { 0 }, without_conf = { 0 };
	struct vb_kmodview with = { 0 }, without = { 0 };
	int err = 0;

	why[0] = '\0';
	if (modules->count == 0 || km->kernels.count == 0)
		return 0;
	err = configuration(&with_conf, root, files, nfiles, why, size);
	if (err == 0)
		err = vb_kmodconf_read(&without_conf, root, why, size);
	if (err == 0)
		err = without_ours(&without_conf, root, why, size);
	if (err == 0)
		err = vb_kmodview_open(&with, &with_conf, km, why, size);
	if (err == 0)
		err = vb_kmodview_open(&without, &without_conf, km, why, size);
	for (size_t k = 0; err == 0 && k < km->kernels.count; k++) {
		struct vb_strv first = { 0 };

		for (size_t m = 0; err == 0 && m < modules->count; m++)
			if (vb_kmod_state(km, k, modules->items[m]) == VB_MODULE_LOADABLE)
				err = verify_module(&with, &without, k, modules->items[m], rep, &first);
		if (err == 0 && first.count) {
			char *list = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&list, &len);

			for (size_t i = 0; f && i < first.count; i++)
				fprintf(f, "%s%s", i ? ", " : "", first.items[i]);
			if (!f || fclose(f) != 0)
				err = -ENOMEM;
			else
				err = vb_strv_add(&rep->ok, "%s: vfio-pci loads before %s",
						  km->kernels.items[k], list);
			free(list);
		}
		vb_strv_free(&first);
	}
	if (err < 0 && !why[0])
		snprintf(why, size, "cannot resolve the modules' softdeps: %s", vb_strerror(err));
	vb_kmodview_close(&with);
	vb_kmodview_close(&without);
	vb_kmodconf_free(&with_conf);
	vb_kmodconf_free(&without_conf);
	return err;
}

void vb_softdep_report_free(struct vb_softdep_report *rep)
{
	vb_strv_free(&rep->escapes);
	vb_strv_free(&rep->escaped);
	vb_strv_free(&rep->masked);
	vb_strv_free(&rep->kept);
	vb_strv_free(&rep->ok);
}

int vb_softdeps_configured(const struct vb_root *root, struct vb_strv *modules, char *why,
			   size_t size)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < ARRAY_SIZE(own_files); i++) {
		char *text = NULL, *ours = NULL, *save = NULL, *line;
		size_t len = 0;

		err = read_etc(root, own_files[i], &text, &len);
		if (err == -ENOENT) {
			err = 0;
			continue;
		}
		if (err == 0)
			err = vb_modprobe_own_lines(text, len, &ours);
		for (line = ours ? strtok_r(ours, "\n", &save) : NULL; err == 0 && line;
		     line = strtok_r(NULL, "\n", &save)) {
			char module[128];

			if (sscanf(line, "softdep %127s", module) == 1)
				err = vb_strv_add_unique(modules, module);
		}
		if (err < 0)
			own_file_error(why, size, own_files[i], err);
		free(text);
		free(ours);
	}
	return err;
}
