/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Runs argv[0] (found on PATH) with argv, inside root with chroot(2) when root
 * is not "/". stdout and stderr are passed through. Returns the exit status
 * (0..255), 128+signal, or -errno when it could not be started.
 */
int vb_run(const char *root, const char *const *argv);

/*
 * True when a program is found under root: on PATH for root "/", else in
 * ROOT/{usr/,}{s,}bin.
 */
bool vb_have_program(const char *root, const char *name);
