/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "root.h"

/*
 * Runs argv[0] (found on PATH=/usr/sbin:/usr/bin:/sbin:/bin, whatever the
 * caller's) with argv, inside the tree with chroot(2) when it is not the
 * host's root; root NULL means the running system. stdout and stderr are
 * passed through. Returns the exit status (0..255), 128+signal, or -errno
 * when it could not be started.
 */
int vb_run(const struct vb_root *root, const char *const *argv);

/*
 * True when a program is found in the tree where vb_run looks for it:
 * {usr/,}{s,}bin, symlinks resolved inside the tree.
 */
bool vb_have_program(const struct vb_root *root, const char *name);
