/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * Pure editing of kernel command line flags in bootloader files. Each returns a
 * newly allocated text (the whole file) or NULL on allocation failure; a flag
 * already present (same key=value) is not added twice, and a flag with the same
 * key and another value ("iommu=soft" when adding "iommu=pt") is replaced.
 * Everything else in the file is kept byte for byte.
 */

/*
 * /etc/default/grub: edits the value of GRUB_CMDLINE_LINUX_DEFAULT, keeping
 * its quoting ("..." or '...'); adds the variable at the end when absent.
 */
char *vb_grub_default_add(const char *text, size_t len, const char *const *flags,
			  size_t nflags);

/* /etc/kernel/cmdline (systemd-boot, kernel-install): one line of flags. */
char *vb_kernel_cmdline_add(const char *text, size_t len, const char *const *flags,
			    size_t nflags);

/*
 * True when every flag is present on a command line (a /proc/cmdline text).
 */
int vb_cmdline_has_all(const char *cmdline, const char *const *flags, size_t nflags);
