/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strv.h"
#include "root.h"

/* libkmod contexts for every kernel installed under a root. */
struct vb_kmod {
	struct vb_strv kernels;   /* versions: names of lib/modules/<v>/ with modules.dep */
	struct kmod_ctx **ctx;    /* one per kernel, same order */
	int *dirfd;               /* each kernel's module directory, opened in the tree */
	struct vb_strv skipped;   /* versions left out: a modules.* file is not a regular file */
	struct vb_kmod_kinds *kinds; /* one per kernel: which modules are built in, as learnt */
};

enum vb_module_state {
	VB_MODULE_MISSING,
	VB_MODULE_LOADABLE, /* a .ko file */
	VB_MODULE_BUILTIN,
};

/*
 * Opens every installed kernel's module index under root. No config files are
 * read: answers come from the modules.* indexes alone. No lib/modules, or a
 * directory there without modules.dep, is no kernel; any other error reading
 * them is an error, never a kernel left out. Returns 0 (possibly with no
 * kernels) or -errno with where naming the file ("/lib/modules/...").
 */
int vb_kmod_open(struct vb_kmod *km, const struct vb_root *root, char *where, size_t size);
void vb_kmod_close(struct vb_kmod *km);

/*
 * Calls fn with each module that alias resolves to under each installed
 * kernel (k: its index in km->kernels; builtin: from modules.builtin) until
 * fn returns non-zero. Returns 0, fn's value, or -errno when an index
 * cannot be read.
 */
int vb_kmod_lookup_each(const struct vb_kmod *km, const char *alias,
			int (*fn)(void *ctx, size_t k, const char *module, bool builtin),
			void *ctx);

/*
 * Adds to modules (deduplicated) the name of every module that would claim a
 * device with this modalias under any installed kernel; built-in ones are
 * added as "NAME (built-in)". Returns 0, or -errno when an index cannot be
 * read (never fewer modules, silently).
 */
int vb_kmod_claimants(const struct vb_kmod *km, const char *modalias, struct vb_strv *modules);

/* Whether a module exists for kernel k (index into km->kernels). */
enum vb_module_state vb_kmod_state(const struct vb_kmod *km, size_t k, const char *module);

/*
 * vb_kmod_state, and the name of the loadable module that module (a name
 * or an alias) is under kernel k into name ("" when none).
 */
enum vb_module_state vb_kmod_resolve(const struct vb_kmod *km, size_t k, const char *module,
				     char *name, size_t size);

/*
 * Adds to deps (once each) the modules that the loadable module name
 * depends on under kernel k, as modules.dep lists them (every one, not only
 * the direct ones), by their own names. libkmod finds none when a file
 * that line names is missing under lib/modules. Returns 0, or -ENOMEM.
 */
int vb_kmod_dependencies(const struct vb_kmod *km, size_t k, const char *name,
			 struct vb_strv *deps);
