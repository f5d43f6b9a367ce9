/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "kmodinfo.h"
#include "strv.h"
#include "root.h"
#include "softdep_merge.h"
#include "vfio_conf.h"

/*
 * Softdeps that take effect. kmod uses only the first softdep line that names
 * a module, and reads the kernel's modules.softdep and the modprobe.d files
 * in the byte order of their names (host/kmodconf.h): configure's lines go in
 * a file of their own whose name sorts before "modules.softdep" and before
 * the names admins and packages use, and each carries the module's own
 * softdeps. Then it checks with libkmod, kernel by kernel, what `modprobe
 * MODULE` would load first.
 */
#define VB_MODPROBE_OWN_NAME "00-vfio-boot.conf"
#define VB_MODPROBE_OWN_PATH "/etc/modprobe.d/" VB_MODPROBE_OWN_NAME
/* The file earlier versions kept their lines in (a block), and guides write. */
#define VB_MODPROBE_VFIO_NAME "vfio.conf"
#define VB_MODPROBE_VFIO_PATH "/etc/modprobe.d/" VB_MODPROBE_VFIO_NAME

/*
 * configure's block of /etc/modprobe.d/00-vfio-boot.conf for in (whose
 * softdeps it fills): a softdep line for every module that claims a taken
 * function, carrying vfio-pci and the softdeps each installed kernel's kmod
 * would otherwise use for it (the tree's modprobe.d files and
 * modules.softdep, configure's own lines left out), their union where the
 * kernels differ. The modules go to modules (for vb_softdeps_verify).
 * Returns 0 and a new string in *block, or -errno (why says what failed;
 * -EINVAL: configure's block markers in a file are out of order).
 */
int vb_softdeps_block(struct vb_render_input *in, const struct vb_kmod *km,
		      const struct vb_root *root, char **block, struct vb_strv *modules,
		      struct vb_strv *notes, char *why, size_t size);

/* A file of /etc/modprobe.d as configure would leave it. */
struct vb_modprobe_file {
	const char *name; /* in /etc/modprobe.d */
	const char *text; /* NULL: the file would not exist */
	size_t len;
};

/* What `modprobe MODULE` loads first, module by module and kernel by kernel. */
struct vb_softdep_report {
	struct vb_strv escapes; /* "M would load without vfio-pci first (KVER): its softdep in F wins" */
	struct vb_strv escaped; /* the module of each of escapes, in the same order */
	struct vb_strv masked;  /* a module's own softdep that would no longer load */
	struct vb_strv kept;    /* an install command runs instead of loading the module */
	struct vb_strv ok;      /* "KVER: vfio-pci loads before M, N" */
};

/*
 * Resolves, as `modprobe -S KVER --show-depends MODULE` does, what each module
 * would load on each installed kernel where it is loadable, with the tree's
 * configuration and files[0..nfiles) instead of the tree's files of their
 * names, and reports it (the report's lists get one line per finding).
 * Returns 0 or -errno (why says what failed).
 */
int vb_softdeps_verify(const struct vb_kmod *km, const struct vb_root *root,
		       const struct vb_modprobe_file *files, size_t nfiles,
		       const struct vb_strv *modules, struct vb_softdep_report *rep, char *why,
		       size_t size);
void vb_softdep_report_free(struct vb_softdep_report *rep);

/*
 * Adds to modules the modules that configure's lines in the tree give a
 * softdep (its block of 00-vfio-boot.conf, and of vfio.conf where earlier
 * versions wrote it). Returns 0 or -errno (why says which file and what).
 */
int vb_softdeps_configured(const struct vb_root *root, struct vb_strv *modules, char *why,
			   size_t size);
