/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config.h"

/* The /etc/vfio-boot.conf text for a selection. Returns NULL on ENOMEM. */
char *vb_render_selection(const struct vb_config *cfg);
