/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "strv.h"

/*
 * Pure editing of kernel command line flags in bootloader files. Words are
 * the kernel's (kcmdline.c says how they compare); only the words before a
 * "--" count, the rest is init's. An edit makes each flag of add the only
 * word with its key (added after the last word when no word has the key,
 * else put in place of the first and the others taken out), except
 * intel_iommu=on, which is merged into the admin's intel_iommu= options
 * (intel_iommu=igfx_off becomes intel_iommu=on,igfx_off; an "off" after the
 * last "on" becomes "on"); it takes every word of remove out, and every
 * guide's leftover that defeats vfio-boot (vfio-pci.ids=, any spelling).
 * record (journal.h) gets what it did, and the undo functions take exactly
 * that back out of a text that may have changed since (a leftover comes
 * back). Everything else is kept byte for byte. Each returns 0 and a new
 * text in *out (*outlen bytes), -ENOMEM, or as said.
 */

/* Where a file cannot be edited safely: its line (from 1) and why. */
struct vb_cmdline_problem {
	unsigned line;
	char what[96];
};

/*
 * /etc/default/grub: the value of the GRUB_CMDLINE_LINUX_DEFAULT assignment
 * that takes effect (the last one run unconditionally at the top level of
 * the file). When there is none, or the value is not one plain, "..." or
 * '...' string, or a conditional one may follow it, a line
 * GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT FLAGS" is added at
 * the end. -EINVAL with p filled in for a file with a here-document or an
 * unterminated quote.
 */
int vb_grub_edit(const char *text, size_t len, const struct vb_strv *add,
		 const struct vb_strv *remove, struct vb_edit *record, char **out, size_t *outlen,
		 struct vb_cmdline_problem *p);
int vb_grub_undo(const char *text, size_t len, const struct vb_edit *record, char **out,
		 size_t *outlen, struct vb_cmdline_problem *p);

/* /etc/kernel/cmdline (kernel-install, systemd-boot): the file is one command line. */
int vb_kernel_cmdline_edit(const char *text, size_t len, const struct vb_strv *add,
			   const struct vb_strv *remove, struct vb_edit *record, char **out,
			   size_t *outlen);
int vb_kernel_cmdline_undo(const char *text, size_t len, const struct vb_edit *record,
			   char **out, size_t *outlen);

/*
 * The running kernel's command line (proc/cmdline) as kernel-install makes
 * /etc/kernel/cmdline from it: without the BOOT_IMAGE= and initrd= words the
 * bootloader adds, with a newline. NULL on ENOMEM.
 */
char *vb_kernel_cmdline_from_running(const char *cmdline);

/*
 * True when every flag is in effect on a command line (a /proc/cmdline
 * text): the last word with its key is the flag, or, for intel_iommu=on, the
 * kernel would read its options as on.
 */
int vb_cmdline_has_all(const char *cmdline, const char *const *flags, size_t nflags);

/* True when a word with flag's key is in the command line (before "--"). */
bool vb_cmdline_has_key(const char *cmdline, const char *flag);

/*
 * Adds to ours the flags configure's edit e put in (added, and the words it
 * replaced others with: a merged intel_iommu=on,igfx_off counts as
 * intel_iommu=on) and takes out those it removed. Returns 0 or -ENOMEM.
 */
int vb_edit_ours(const struct vb_edit *e, struct vb_strv *ours);

/* The flag a word configure wrote stands for: KEY=ON for a list it turned on, else word. */
const char *vb_cmdline_own_flag(const char *word);

/* Adds to words the guides' leftovers (vfio-pci.ids=...) of a command line, as written. */
int vb_cmdline_leftovers(const char *cmdline, struct vb_strv *words);

/*
 * The one word that gives word (a single kernel parameter with flag's key)
 * flag's effect: intel_iommu=on merged into an intel_iommu= list as the edit
 * does, flag itself for any other. A new string, or NULL on ENOMEM.
 */
char *vb_cmdline_merged(const char *word, const char *flag);
