/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "strv.h"
#include "pci.h"
#include "plan.h"
#include "root.h"

/* The PCI functions the running system needs, as the planner takes them. */
struct vb_host_devices {
	struct vb_host_device *items;
	size_t count;
	struct vb_strv notes; /* what could not be read or traced to a PCI device */
};

/*
 * Finds the PCI functions behind the filesystems mounted at /, /boot and
 * /boot/efi (ROOT/proc/self/mountinfo, then ROOT/sys/dev/block and
 * ROOT/sys/class/block: partitions by their path, dm, md and LVM through
 * slaves/) and behind the interfaces of the default routes
 * (ROOT/proc/net/route and ipv6_route, then ROOT/sys/class/net: bridges,
 * bonds and VLANs through lower_*). Every file is read inside the tree.
 * Returns 0 or -ENOMEM; what cannot be read goes to notes.
 */
int vb_host_devices_read(const struct vb_root *root, struct vb_host_devices *out);
void vb_host_devices_free(struct vb_host_devices *devs);

/* The devices as planner facts (valid while devs lives). */
struct vb_host_facts vb_host_devices_facts(const struct vb_host_devices *devs);

/*
 * The pure parsers behind it, for the unit tests.
 *
 * vb_mountinfo_find: the last line of a mountinfo text that mounts
 * mountpoint (octal escapes undone): its device numbers, and its source
 * ("/dev/nvme0n1p2", "rpool/ROOT") and type in source. Returns true when found.
 */
bool vb_mountinfo_find(const char *text, const char *mountpoint, unsigned *major,
		       unsigned *minor, char *source, size_t size);

/*
 * Adds to ifaces the interface of every default route that is up in a
 * /proc/net/route text (ipv6 false) or /proc/net/ipv6_route text (true).
 * Returns 0 or -ENOMEM.
 */
int vb_route_default_ifaces(const char *text, bool ipv6, struct vb_strv *ifaces);

/*
 * The PCI function nearest the end of a sysfs device path
 * ("../../devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1"
 * gives 0000:3d:00.0). Returns true when the path has one.
 */
bool vb_sysfs_path_pci(const char *path, struct vb_pci_addr *addr);
