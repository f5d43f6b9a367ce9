/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "root.h"

#define VB_RUN_NO_LIMIT 0u     /* timeout_ms: wait for as long as it takes */
#define VB_RUN_KILL_GRACE_MS 2000 /* how long a killed program is waited for */

/*
 * Runs argv[0] (found on PATH=/usr/sbin:/usr/bin:/sbin:/bin, whatever the
 * caller's) with argv, inside the tree with chroot(2) when it is not the
 * host's root; root NULL means the running system. stdout and stderr are
 * passed through.
 *
 * With a timeout_ms other than VB_RUN_NO_LIMIT the program runs in a process
 * group of its own; when it has not exited timeout_ms after it was started,
 * the whole group is killed (SIGKILL) and waited for at most
 * VB_RUN_KILL_GRACE_MS more (a process stuck in the kernel cannot die; it is
 * then left behind), and -ETIMEDOUT is returned.
 *
 * Returns the exit status (0..255), 128+signal, -ETIMEDOUT, or -errno when it
 * could not be started.
 */
int vb_run(const struct vb_root *root, const char *const *argv, unsigned timeout_ms);

/* Like vb_run, with the program's stdout on out_fd (-1: the caller's stdout). */
int vb_run_to(const struct vb_root *root, const char *const *argv, unsigned timeout_ms,
	      int out_fd);

/*
 * Reaps the child pid (one the caller made), waiting at most timeout_ms.
 * Returns 0 with its wait status in *status, -ETIMEDOUT (it is left, a
 * zombie to be), or -errno.
 */
int vb_run_reap(pid_t pid, int *status, unsigned timeout_ms);

/*
 * True when a program is found in the tree where vb_run looks for it:
 * {usr/,}{s,}bin, symlinks resolved inside the tree.
 */
bool vb_have_program(const struct vb_root *root, const char *name);

/*
 * Like vb_have_program, an error told from absence: 1 when found, 0 when
 * not, or -errno when a place it looks cannot be read (EIO, EACCES...).
 */
int vb_find_program(const struct vb_root *root, const char *name);
