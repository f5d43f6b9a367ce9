// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One listing of a function's directory instead of one lookup per attribute:
 * the reader then looks up only what is there. A lookup of a missing name is
 * the dearest call of the pass (tmpfs keeps no negative dentries), and most
 * functions have no boot_vga, secondary_bus_number or physfn.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sysfs_entries.h"

const char *const vb_fn_entry_names[VB_FN_ENTRIES] = {
	[VB_FN_MODALIAS] = "modalias",
	[VB_FN_VENDOR] = "vendor",
	[VB_FN_DEVICE] = "device",
	[VB_FN_SUBSYSTEM_VENDOR] = "subsystem_vendor",
	[VB_FN_SUBSYSTEM_DEVICE] = "subsystem_device",
	[VB_FN_CLASS] = "class",
	[VB_FN_SECONDARY_BUS_NUMBER] = "secondary_bus_number",
	[VB_FN_BOOT_VGA] = "boot_vga",
	[VB_FN_IOMMU_GROUP] = "iommu_group",
	[VB_FN_DRIVER] = "driver",
	[VB_FN_PHYSFN] = "physfn",
};

/* The kernel's struct linux_dirent64. */
struct dirent_record {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static void note(struct vb_fn_entries *e, const char *name, unsigned char type)
{
	for (int a = 0; a < VB_FN_ENTRIES; a++)
		if (name[0] == vb_fn_entry_names[a][0] && strcmp(name, vb_fn_entry_names[a]) == 0) {
			e->type[a] = type;
			return;
		}
}

void vb_fn_entries_read(int dirfd, struct vb_fn_entries *e)
{
	/*
	 * A PCI function has about 40 entries: one call holds them all, one more
	 * says the end. A call that left room is no end: a pending signal cuts
	 * one short (filldir64).
	 */
	_Alignas(8) char buf[4096];
	const size_t head = offsetof(struct dirent_record, name);

	memset(e->type, VB_FN_ABSENT, sizeof(e->type));
	e->listed = false;
	for (;;) {
		long n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf));

		if (n <= 0) {
			e->listed = n == 0;
			return;
		}
		for (long off = 0; off < n;) {
			const struct dirent_record *d = (const void *)(buf + off);

			/* The kernel's records; checked all the same before they are read. */
			if ((size_t)(n - off) < head + 1 || d->reclen < head + 1 || d->reclen % 8 ||
			    d->reclen > n - off || memchr(d->name, '\0', d->reclen - head) == NULL)
				return;
			note(e, d->name, d->type);
			off += d->reclen;
		}
	}
}
