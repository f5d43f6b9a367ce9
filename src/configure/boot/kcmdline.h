/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "msgs.h"

/*
 * Pure editing of kernel command line flags in bootloader files. Words are
 * the kernel's (kcmdline.c says how they compare); only the words before a
 * "--" count, the rest is init's. An edit makes each flag of add the only
 * word with its key (added after the last word when no word has the key,
 * else put in place of the first and the others taken out) and takes every
 * word of remove out; record (journal.h) gets what it did, and the undo
 * functions take exactly that back out of a text that may have changed
 * since. Everything else is kept byte for byte. Each returns 0 and a new
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
int vb_grub_edit(const char *text, size_t len, const struct vb_msgs *add,
		 const struct vb_msgs *remove, struct vb_edit *record, char **out, size_t *outlen,
		 struct vb_cmdline_problem *p);
int vb_grub_undo(const char *text, size_t len, const struct vb_edit *record, char **out,
		 size_t *outlen, struct vb_cmdline_problem *p);

/* /etc/kernel/cmdline (kernel-install, systemd-boot): the file is one command line. */
int vb_kernel_cmdline_edit(const char *text, size_t len, const struct vb_msgs *add,
			   const struct vb_msgs *remove, struct vb_edit *record, char **out,
			   size_t *outlen);
int vb_kernel_cmdline_undo(const char *text, size_t len, const struct vb_edit *record,
			   char **out, size_t *outlen);

/*
 * The running kernel's command line (proc/cmdline) as kernel-install makes
 * /etc/kernel/cmdline from it: without the BOOT_IMAGE= and initrd= words the
 * bootloader adds, with a newline. NULL on ENOMEM.
 */
char *vb_kernel_cmdline_from_running(const char *cmdline);

/* True when every flag is in effect on a command line (a /proc/cmdline text). */
int vb_cmdline_has_all(const char *cmdline, const char *const *flags, size_t nflags);

/* True when a word with flag's key is in the command line (before "--"). */
bool vb_cmdline_has_key(const char *cmdline, const char *flag);
