// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "ids_checks.h"
#include "modprobe_ids.h"

void check_ids_options(struct check_list *c, const struct vb_root *root)
{
	static const char *const cmdlines[] = { "proc/cmdline", "etc/default/grub",
						"etc/kernel/cmdline" };
	struct vb_strv where = { 0 };
	char unreadable[PATH_MAX];
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(cmdlines); i++) {
		char *text;
		size_t len;

		err = vb_root_read_file(root, cmdlines[i], 1024 * 1024, &text, &len, NULL);
		if (err < 0 && err != -ENOENT) {
			check_add(c, "vfio-pci-ids", CHECK_FAIL, "cannot read /%s: %s", cmdlines[i],
				  vb_strerror(err));
			c->read_errors++;
		}
		if (err < 0)
			continue;
		if (strstr(text, "vfio-pci.ids=") || strstr(text, "vfio_pci.ids="))
			check_add(c, "vfio-pci-ids", CHECK_WARN,
			       "/%s has vfio-pci.ids=: vfio-pci takes every device with those IDs, "
			       "even with vfio_boot.disable=1; remove it (vfio-boot-bind selects "
			       "the devices)", cmdlines[i]);
		free(text);
	}
	err = vb_find_ids_options(root, NULL, &where, unreadable, sizeof(unreadable));
	if (err < 0) {
		check_add(c, "vfio-pci-ids", CHECK_FAIL, "cannot read %s: %s", unreadable,
			  vb_strerror(err));
		c->read_errors++;
		vb_strv_free(&where);
		return;
	}
	for (size_t i = 0; i < where.count; i++)
		check_add(c, "vfio-pci-ids", CHECK_WARN,
		       "%s sets 'options vfio-pci ids=': vfio-pci takes every device with those "
		       "IDs, even with vfio_boot.disable=1; remove it (vfio-boot configure comments "
		       "it out in vfio.conf)",
		       where.items[i]);
	vb_strv_free(&where);
}
