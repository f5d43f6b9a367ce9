// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sriov.h"
#include "text.h"

/* A count attribute of function name ("2\n"). Returns 0 or -errno. */
static int read_count(const struct vb_root *root, const char *name, const char *attr,
		      unsigned *value)
{
	char rel[VB_PCI_NAME_MAX + 64], buf[16];
	ssize_t n;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/%s", name, attr);
	n = vb_root_read_small(root, rel, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	*value = 0;
	for (ssize_t i = 0; i < n && buf[i] != '\n'; i++) {
		if (buf[i] < '0' || buf[i] > '9' || *value > VB_VFS_MAX)
			return -EINVAL;
		*value = *value * 10 + (unsigned)(buf[i] - '0');
	}
	return n > 0 && buf[0] != '\n' ? 0 : -EINVAL;
}

int vb_sriov_counts(const struct vb_root *root, const char *name, unsigned *total,
		    unsigned *num)
{
	int err = read_count(root, name, "sriov_totalvfs", total);

	return err < 0 ? err : read_count(root, name, "sriov_numvfs", num);
}

static int write_attr(const struct vb_root *root, const char *name, const char *attr,
		      const char *text)
{
	char rel[VB_PCI_NAME_MAX + 64];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/%s", name, attr);
	return vb_root_write_attr(root, rel, text);
}

enum vb_vfs_state vb_sriov_make(const struct vb_root *root, const struct vb_vfs_entry *e,
				const struct vb_pci_fn *pf, bool dry_run, char *line, size_t size)
{
	char head[VB_PCI_NAME_MAX + 16], count[16];
	unsigned total, num;
	int err;

	snprintf(head, sizeof(head), "%s [%04x:%04x]", pf->name, pf->vendor, pf->device);
	if (e->pf.kind == VB_SEL_ID_AT_ADDR && !vb_selector_id_matches(&e->pf, pf)) {
		vb_text_format(line, size, "%s: no VFs made (%s): ID guard: expected %04x:%04x",
			       head, e->text, e->pf.vendor, e->pf.device);
		return VB_VFS_REFUSED;
	}
	err = vb_sriov_counts(root, pf->name, &total, &num);
	if (err < 0) {
		vb_text_format(line, size, "%s: no VFs made (%s): %s", head, e->text,
			       err == -ENOENT ? "it has no SR-IOV (no sriov_totalvfs)" :
						vb_strerror(err));
		return err == -ENOENT ? VB_VFS_REFUSED : VB_VFS_FAILED;
	}
	if (num == e->count) {
		vb_text_format(line, size, "%s: has its %u VFs (%s)", head, num, e->text);
		return VB_VFS_PRESENT;
	}
	if (e->count > total || num) {
		vb_text_format(line, size, num ? "%s: no VFs made (%s): it has %u VFs already, "
					   "left as they are" :
						 "%s: no VFs made (%s): it offers %u (sriov_totalvfs)",
			       head, e->text, num ? num : total);
		return VB_VFS_REFUSED;
	}
	if (!pf->driver[0]) {
		vb_text_format(line, size, "%s: its %u VFs (%s) are made once its driver binds it",
			       head, e->count, e->text);
		return VB_VFS_WAITING;
	}
	if (dry_run) {
		vb_text_format(line, size, "%s: would make %u VFs (%s) with %s", head, e->count,
			       e->text, pf->driver);
		return VB_VFS_WOULD;
	}
	snprintf(count, sizeof(count), "%u", e->count);
	err = write_attr(root, pf->name, "sriov_drivers_autoprobe", "0");
	if (err == 0)
		err = write_attr(root, pf->name, "sriov_numvfs", count);
	if (err < 0) {
		vb_text_format(line, size, "%s: cannot make %u VFs (%s): %s", head, e->count,
			       e->text, vb_strerror(err));
		return VB_VFS_FAILED;
	}
	vb_text_format(line, size, "%s: %u VFs made for vfio-pci (%s), its driver %s stays, "
		       "sriov_drivers_autoprobe 0", head, e->count, e->text, pf->driver);
	return VB_VFS_MADE;
}
