// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "path.h"

int vb_config_load(struct vb_config *cfg, const char *path, const char *name)
{
	char *text = malloc(VB_CONFIG_FILE_MAX + 1);
	ssize_t n;
	int err;

	if (!text)
		return -ENOMEM;
	n = vb_read_small(path, text, VB_CONFIG_FILE_MAX + 1);
	if (n < 0)
		err = (int)n;
	else if (n > VB_CONFIG_FILE_MAX - 1)
		err = -EFBIG;
	else
		err = vb_config_parse_text(cfg, name, text, (size_t)n);
	free(text);
	return err;
}
