/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "bootargs.h"
#include "strv.h"
#include "root.h"

/*
 * Guides' leftovers on the kernel command line: vfio-pci.ids= (any
 * spelling) makes vfio-pci take every device with those IDs at boot, an
 * identical host card too, whatever vfio_boot.disable says. configure takes
 * them out of the command line it edits (kcmdline.h, bootargs.h) and says so
 * here; where it edits none, it says where they are.
 */

/* Warns (cli_warning) of each word dropped, taken out of where (a file or a tool). */
void vb_leftovers_warn_dropped(const char *where, const struct vb_strv *dropped);

/* Warns of the leftovers in the entries of grubby or kernelstub, which configure takes out. */
void vb_leftovers_warn_entries(enum vb_bootloader bl, const struct vb_boot_entries *e);

/*
 * After the edit of /etc/default/grub (text, len bytes): warns of each
 * leftover still in it, outside the assignment configure edits.
 */
void vb_leftovers_warn_grub_rest(const char *path, const char *text, size_t len);

/*
 * No bootloader is edited (--bootloader none, or none found): warns of every
 * leftover on the running kernel's command line (proc/cmdline) and in
 * /etc/default/grub and /etc/kernel/cmdline, which stay as they are. Returns
 * how many it warned of.
 */
int vb_leftovers_warn_unedited(const struct vb_root *root);
