/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "strv.h"

/*
 * One module's softdep line as configure writes it. kmod uses only the first
 * softdep line that names a module, and configure's comes first: so the line
 * carries vfio-pci and, after it, the softdeps the module would otherwise have
 * had (the line kmod would have used without configure's, for each kernel).
 */
struct vb_softdep_line {
	char *module;           /* as kmod names it ('_' for '-') */
	struct vb_strv pre;     /* "vfio-pci", then the module's own, first seen first */
	struct vb_strv post;
	struct vb_strv from;    /* the files its own come from */
	struct vb_strv kernels; /* "KVER: pre: a post: b" (or "KVER: none"), one per kernel */
	char *install_from;     /* not NULL: its install command there takes effect; no softdep */
};

/* Starts the line of module: pre: vfio-pci. Returns 0 or -ENOMEM. */
int vb_softdep_line_init(struct vb_softdep_line *line, const char *module);
void vb_softdep_line_free(struct vb_softdep_line *line);

/*
 * Adds what kernel kver's kmod would use for the module without configure's
 * line: deps as libkmod gives a softdep line's ("pre: a b post: c"; NULL for
 * none), from the file that holds it. Names that differ only by '-' and '_'
 * are one (kmod reads them so); vfio-pci stays first. Returns 0 or -ENOMEM.
 */
int vb_softdep_line_add(struct vb_softdep_line *line, const char *kver, const char *deps,
			const char *from);

/* True when the kernels gave the module different softdeps of its own. */
bool vb_softdep_line_kernels_differ(const struct vb_softdep_line *line);

/*
 * Writes the line (with comments saying where its own softdeps come from and
 * whether the kernels differ), or, for a module whose install command takes
 * effect, only a comment saying why it has none. Returns 0, or -ENOMEM with
 * nothing written.
 */
int vb_softdep_line_write(const struct vb_softdep_line *line, FILE *out);

/* Compares two module names as kmod does: '-' and '_' are the same. */
bool vb_module_name_eq(const char *a, const char *b);
