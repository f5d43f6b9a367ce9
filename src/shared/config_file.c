// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "root.h"

int vb_config_load(struct vb_config *cfg, const struct vb_root *root, const char *path,
		   const char *name)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	err = root ? vb_root_read_file(root, path, VB_CONFIG_FILE_MAX, &text, &len, NULL) :
		     vb_read_file_path(path, VB_CONFIG_FILE_MAX, &text, &len, NULL);
	if (err == 0)
		err = vb_config_parse_text(cfg, name, text, len);
	free(text);
	return err;
}
