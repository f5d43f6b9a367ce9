/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kmodinfo.h"
#include "strv.h"
#include "root.h"

/*
 * A tree's modprobe configuration as kmod reads it, and libkmod contexts that
 * read it for each installed kernel: what `modprobe MODULE` would load there.
 *
 * Checked in kmod's source (libkmod/libkmod-config.c, libkmod-module.c and
 * libkmod.c of kmod 30, Debian 12's, and of kmod 34):
 * - kmod_config_new() puts the kernel's "modules.softdep" in one list with
 *   every *.conf and *.alias file of the modprobe.d directories, sorted by
 *   strcmp() of the file name alone (conf_files_insert_sorted); of two files
 *   of one name, the one of the directory searched first is read, the other
 *   never. The directories: /etc, /run, /usr/local/lib, then /lib (kmod 30;
 *   kmod 34 reads /usr/lib before /lib).
 * - A line is read by freadline_wrapped(): a backslash takes the next byte as
 *   it is, and one before a newline joins the two lines.
 * - kmod_module_get_softdeps() and the install command lookup use only the
 *   first line whose module pattern matches (fnmatch), "as modprobe from
 *   module-init-tools does"; names are read with '-' as '_' (underscores()).
 * - A module with softdeps gets ignorecmd (__kmod_module_fill_softdep): its
 *   install command no longer runs, the module is loaded instead.
 * Only the lines that decide what loads are kept (softdep, install, alias);
 * the contexts read them from a copy in memory, so that nothing libkmod opens
 * is a file of the tree (which could be a FIFO, or a link out of it).
 */

/* One softdep, install or alias line, as kmod_config_parse() takes it. */
struct vb_kmodconf_line {
	char *cmd;  /* "softdep", "install" or "alias" */
	char *key;  /* module name or pattern (alias: the alias), '-' read as '_' */
	char *rest; /* what kmod keeps of the rest of the line */
};

struct vb_kmodconf_file {
	char *path;   /* as the tree names it: "/etc/modprobe.d/NAME" */
	char *name;   /* NAME: kmod reads files in the byte order of their names */
	unsigned dir; /* its directory, in kmod's search order */
	struct vb_kmodconf_line *lines;
	size_t nlines;
};

struct vb_kmodconf {
	struct vb_kmodconf_file *files; /* as found; vb_kmodview_open puts them in kmod's order */
	size_t count;
};

/*
 * Reads every modprobe.d file of the tree that kmod would read. A directory
 * in modprobe.d and a dangling link are passed over, as kmod does; anything
 * else that is not a regular file, or cannot be read, fails (why says which
 * file and what). Returns 0 or -errno.
 */
int vb_kmodconf_read(struct vb_kmodconf *conf, const struct vb_root *root, char *why,
		     size_t size);

/*
 * /etc/modprobe.d/NAME as if it held text (len bytes; NULL: as if it did not
 * exist). Returns 0 or -ENOMEM.
 */
int vb_kmodconf_set(struct vb_kmodconf *conf, const char *name, const char *text, size_t len);

void vb_kmodconf_free(struct vb_kmodconf *conf);

/*
 * Writes f's lines as libkmod is handed them: one per line, a backslash
 * doubled, so that kmod reads back the same lines.
 */
void vb_kmodconf_write(const struct vb_kmodconf_file *f, FILE *out);

/* A configuration as libkmod reads it, for every kernel of a vb_kmod. */
struct vb_kmodview {
	const struct vb_kmod *km;
	struct kmod_ctx **ctx;                  /* one per kernel of km */
	const struct vb_kmodconf_file **order;  /* the files kmod reads, in its order */
	size_t count;
	size_t before;                          /* how many come before modules.softdep */
	struct vb_kmodconf_file *kernel;        /* each kernel's modules.softdep */
};

/*
 * Opens a libkmod context per kernel of km that reads conf (which must stay
 * until vb_kmodview_close). Returns 0 or -errno (why says what failed).
 */
int vb_kmodview_open(struct vb_kmodview *view, const struct vb_kmodconf *conf,
		     const struct vb_kmod *km, char *why, size_t size);
void vb_kmodview_close(struct vb_kmodview *view);

/*
 * The first "softdep" or "install" line (cmd) whose pattern matches module,
 * which kernel k's kmod uses: what it keeps of the line ("pre: a post: b", or
 * the command) in *rest and the file that holds it in *from (the kernel's own
 * "/lib/modules/KVER/modules.softdep", or NULL when unknown), both new
 * strings. Returns 1, 0 when no line matches, or -ENOMEM.
 */
int vb_kmodview_first(const struct vb_kmodview *view, size_t k, const char *cmd,
		      const char *module, char **rest, char **from);

/*
 * What `modprobe -S KVER --show-depends module` does on kernel k, step by
 * step (kmod_module_probe_insert_module with its flags, as a dry run): one
 * "insmod NAME", "install NAME" (its install command runs instead) or
 * "builtin NAME" per module, in order. Returns 0, -ENOENT when the kernel has
 * no such module, or -errno.
 */
int vb_kmodview_show_depends(const struct vb_kmodview *view, size_t k, const char *module,
			     struct vb_strv *steps);

/*
 * The modules kernel k's kmod resolves module's softdeps to
 * (kmod_module_get_softdeps): names added to pre and post. Returns 0 or -errno.
 */
int vb_kmodview_softdep_modules(const struct vb_kmodview *view, size_t k, const char *module,
				struct vb_strv *pre, struct vb_strv *post);
