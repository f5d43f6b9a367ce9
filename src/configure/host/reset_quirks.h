/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The AMD GPU families whose device IDs are known for the reset bug (the
 * card does not come back from a reset after a guest used it), which the
 * vendor-reset module handles: Polaris 10/11/12, Vega 10/20, Navi 10/12/14
 * and Arcturus, by exact device ID.
 * Returns the family's name for vendor:device, or NULL.
 */
const char *vb_amd_reset_bug_family(unsigned vendor, unsigned device);
