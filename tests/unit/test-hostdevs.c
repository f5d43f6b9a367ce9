// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "hostdevs.h"
#include "unit.h"

static const char mountinfo[] =
	"22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"28 1 259:3 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p3 rw,errors=remount-ro\n"
	"30 28 259:2 / /boot rw,relatime shared:2 - ext4 /dev/nvme0n1p2 rw\n"
	"31 30 259:1 / /boot/efi rw,relatime shared:3 master:1 - vfat /dev/nvme0n1p1 rw\n"
	"40 28 0:45 / /mnt/my\\040disk rw - btrfs /dev/mapper/vg-data rw\n"
	"41 28 8:17 / /boot rw,relatime shared:9 - ext4 /dev/sdb1 rw\n"
	"bad line\n"
	"42 28 x:y / /srv rw - ext4 /dev/sdc1 rw\n";

static void check_mountinfo(void)
{
	unsigned major = 0, minor = 0;
	char source[128];

	CHECK(vb_mountinfo_find(mountinfo, "/", &major, &minor, source, sizeof(source)));
	CHECK(major == 259 && minor == 3);
	CHECK_STR(source, "ext4 /dev/nvme0n1p3");
	/* The last mount on a point is the one in use. */
	CHECK(vb_mountinfo_find(mountinfo, "/boot", &major, &minor, source, sizeof(source)));
	CHECK(major == 8 && minor == 17);
	/* Optional fields before the separator. */
	CHECK(vb_mountinfo_find(mountinfo, "/boot/efi", &major, &minor, source, sizeof(source)));
	CHECK_STR(source, "vfat /dev/nvme0n1p1");
	CHECK(vb_mountinfo_find(mountinfo, "/mnt/my disk", &major, &minor, source, sizeof(source)));
	CHECK(major == 0 && minor == 45);
	CHECK_STR(source, "btrfs /dev/mapper/vg-data");
	CHECK(!vb_mountinfo_find(mountinfo, "/srv", &major, &minor, source, sizeof(source)));
	CHECK(!vb_mountinfo_find(mountinfo, "/home", &major, &minor, source, sizeof(source)));
	CHECK(!vb_mountinfo_find("", "/", &major, &minor, source, sizeof(source)));
	CHECK(!vb_mountinfo_find("1 2 3:4 / /\n", "/", &major, &minor, source, sizeof(source)));
}

static void check_routes(void)
{
	static const char v4[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"br0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
		"br0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
		"eth9\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"
		"../x\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
	static const char v6[] =
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eno1\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
		"20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 00000000 00000001 eno2\n";
	struct vb_strv ifaces = { 0 };

	CHECK(vb_route_default_ifaces(v4, false, &ifaces) == 0);
	CHECK(ifaces.count == 2);
	CHECK(ifaces.count == 2 && strcmp(ifaces.items[0], "br0") == 0 &&
	      strcmp(ifaces.items[1], "wlan0") == 0);
	CHECK(vb_route_default_ifaces(v6, true, &ifaces) == 0);
	CHECK(ifaces.count == 3 && strcmp(ifaces.items[2], "eno1") == 0);
	CHECK(vb_route_default_ifaces("garbage\n\n", false, &ifaces) == 0);
	CHECK(ifaces.count == 3);
	vb_strv_free(&ifaces);
}

static void check_paths(void)
{
	struct vb_pci_addr a;
	char name[VB_PCI_NAME_MAX];

	CHECK(vb_sysfs_path_pci("../../devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/"
				"nvme0n1/nvme0n1p3", &a));
	vb_pci_addr_format(&a, name, sizeof(name));
	CHECK_STR(name, "0000:3d:00.0");
	CHECK(vb_sysfs_path_pci("../../devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/"
				"0:0:0:0/block/sda", &a));
	vb_pci_addr_format(&a, name, sizeof(name));
	CHECK_STR(name, "0000:00:17.0");
	CHECK(vb_sysfs_path_pci("../../devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/net/enx0",
				&a));
	vb_pci_addr_format(&a, name, sizeof(name));
	CHECK_STR(name, "0000:00:14.0");
	CHECK(!vb_sysfs_path_pci("../../devices/virtual/block/dm-0", &a));
	CHECK(!vb_sysfs_path_pci("../../devices/platform/serial8250/tty/ttyS0", &a));
	CHECK(!vb_sysfs_path_pci("", &a));
}

int main(void)
{
	check_mountinfo();
	check_routes();
	check_paths();
	return unit_report("hostdevs");
}
