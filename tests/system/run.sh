#!/bin/bash
# The whole user story on a whole system: a copy of the shared debootstrapped
# Debian 12 (tests/tree/debootstrap.sh; systemd as init, dracut-core purged),
# vfio-boot installed (make install, default PREFIX), packed into a
# disk image and booted in the QEMU rig of tests/boot. In the guest, as its
# own root (no --root), `vfio-boot configure` runs live: it writes the
# configuration, edits /etc/default/grub (a stand-in update-grub records the
# command line GRUB would get), runs the guest's update-initramfs and reads
# the rebuilt image back. The guest powers off; the image it regenerated and
# the command line come out of the disk image (debugfs), and the second boot
# uses them. In the real root, after its own udev coldplug: the card on
# vfio-pci, no native driver ever bound it, /run/vfio-boot/status.json from
# the initramfs, and `vfio-boot status` exiting 0.
#
# Usage: tests/system/run.sh   (as root)
# Exit:  0 all passed, 1 a failure, 77 QEMU cannot run here or debootstrap
#        cannot reach the archive.
# Env:   VFIO_BOOT_TREE       the pristine tree to copy, made there by
#                             tests/tree/debootstrap.sh unless it is ready
#                             (default: one in the work directory); its
#                             VFIO_BOOT_MIRROR and VFIO_BOOT_DEB_CACHE apply
#        BOOT_TIMEOUT         seconds per boot (default 600: the first boot
#                             rebuilds the initramfs under TCG)
#        KEEP=1               keep the work directory
#
# Nothing outside one mktemp -d directory under /var/tmp is written
# (VFIO_BOOT_TREE and VFIO_BOOT_DEB_CACHE aside); nothing is mounted.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
selection=1234:1111@0000:01:00.0

# shellcheck source=tests/boot/lib-rig.sh disable=SC1091 # followed when linted with it
. "$repo/tests/boot/lib-rig.sh"
report='' console='' wall='' qemu_exit='' # set by rig_boot
# shellcheck source=tests/tree/lib-tree.sh disable=SC1091 # followed when linted with it
. "$repo/tests/tree/lib-tree.sh"
RIG_BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}

# shellcheck disable=SC2034 # read by tests/lib-check.sh
suite=system
# shellcheck source=tests/lib-check.sh disable=SC1091 # followed when linted with it
. "$repo/tests/lib-check.sh"
t_all=$(date +%s)
step() { say "--- $* ($(($(date +%s) - t_all)) s)"; }

[ "$(id -u)" -eq 0 ] || fatal "must run as root (debootstrap needs it)"
why=$(rig_qemu_unusable)
[ -z "$why" ] || skip "$why"
for tool in debootstrap mkfs.ext4 debugfs make; do
	command -v "$tool" >/dev/null 2>&1 || fatal "$tool not found (tools/deps.sh check)"
done

tmp=$(mktemp -d /var/tmp/vfio-boot-system.XXXXXX) || fatal "mktemp failed"
trap work_dir_remove EXIT
trap 'exit 1' INT TERM HUP

# ------------------------------------------------------------ the tree

tree=$tmp/tree
step "a copy of the shared Debian 12 tree"
tree_copy "$tree"
# initramfs-tools is this system's generator.
chroot "$tree" dpkg --purge dracut-core >"$tmp/purge.log" 2>&1 ||
	fatal "purging dracut-core failed: $(tail -3 "$tmp/purge.log")"
kver=$(find "$tree/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//')
if [ -z "$kver" ] || [ "$(printf '%s\n' "$kver" | wc -l)" -ne 1 ]; then
	fatal "expected one kernel in the tree, got: ${kver:-none}"
fi
say "tree kernel: $kver"

step "make install DESTDIR=tree (default PREFIX) and the guest's setup"
make -C "$repo" install DESTDIR="$tree" >"$tmp/make-install.log" 2>&1 ||
	fatal "make install failed: $(tail -5 "$tmp/make-install.log")"

# What a small Debian host has: a root file system on the disk, no console
# login on the serial line (its vhangup() would cut the test's output).
printf '/dev/vda / ext4 rw 0 1\n' >"$tree/etc/fstab"
printf 'vfio-boot-test\n' >"$tree/etc/hostname"
ln -sf /dev/null "$tree/etc/systemd/system/serial-getty@ttyS0.service"
# Rebuilding the image inside the TCG guest: MODULES=dep and zstd take about
# a minute, Debian's MODULES=most with gzip nine.
sed -i -e 's/^MODULES=.*/MODULES=dep/' -e 's/^COMPRESS=.*/COMPRESS=zstd/' \
	"$tree/etc/initramfs-tools/initramfs.conf"
# GRUB cannot be installed on a disk without a partition table or firmware
# here: Debian's /etc/default/grub and a stand-in update-grub that records
# the command line it would put in grub.cfg.
mkdir -p "$tree/etc/default"
printf '%s\n' 'GRUB_DEFAULT=0' 'GRUB_TIMEOUT=5' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' \
	'GRUB_CMDLINE_LINUX=""' >"$tree/etc/default/grub"
cat >"$tree/usr/sbin/update-grub" <<'EOF'
#!/bin/sh
# tests/system only: stands in for GRUB's update-grub.
. /etc/default/grub
echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT" >/boot/vfio-boot-test-cmdline
EOF
chmod 755 "$tree/usr/sbin/update-grub"

# The test, as a unit of the guest's multi-user target, after udev's
# coldplug: first boot, configure and power off; second boot, report.
rig_write_report "$tree/usr/local/sbin/vfio-boot-test-report"
cat >"$tree/usr/local/sbin/vfio-boot-system-test" <<EOF
#!/bin/sh
# tests/system only: the user story, one step per boot.
exec >/dev/console 2>&1
udevadm settle --timeout=60
state=/var/lib/vfio-boot-test
if [ ! -e \$state/configured ]; then
	echo "=== VFIO-BOOT-REPORT BEGIN ==="
	/usr/local/sbin/vfio-boot configure $selection >/run/configure.log 2>&1
	rc=\$?
	sed 's/^/VBR configure /' /run/configure.log
	echo "VBR configure-exit \$rc"
	mkdir -p \$state && touch \$state/configured && sync
	echo "=== VFIO-BOOT-REPORT END ==="
	systemctl poweroff
	exit 0
fi
mkdir -p /run/vfio-boot-test
systemctl is-active systemd-udev-trigger.service >/run/vfio-boot-test/udev-trigger 2>&1
/usr/local/sbin/vfio-boot status >/run/vfio-boot-test/vfio-boot-status 2>&1
echo \$? >/run/vfio-boot-test/vfio-boot-status-exit
exec /usr/local/sbin/vfio-boot-test-report system
EOF
chmod 755 "$tree/usr/local/sbin/vfio-boot-system-test"
cat >"$tree/etc/systemd/system/vfio-boot-system-test.service" <<'EOF'
[Unit]
Description=tests/system: the vfio-boot user story
After=systemd-udev-trigger.service local-fs.target systemd-udev-settle.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/vfio-boot-system-test

[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$tree/etc/systemd/system/multi-user.target.wants"
ln -sf ../vfio-boot-system-test.service \
	"$tree/etc/systemd/system/multi-user.target.wants/vfio-boot-system-test.service"

step "disk image"
cp "$tree/boot/vmlinuz-$kver" "$tmp/vmlinuz"
cp "$tree/boot/initrd.img-$kver" "$tmp/initrd.first"
mkfs.ext4 -q -F -L root -d "$tree" "$tmp/disk.img" 4G >"$tmp/mkfs.log" 2>&1 ||
	fatal "mkfs.ext4 failed: $(cat "$tmp/mkfs.log")"
rm -rf --one-file-system "$tree"
# An Intel host with VT-d: the rig's intel-iommu, and a CPU that says Intel
# (TCG's -cpu max says AMD, and configure takes the IOMMU flag from the CPU).
RIG_QEMU_EXTRA=(-drive "file=$tmp/disk.img,if=virtio,format=raw" -cpu "max,vendor=GenuineIntel")

# A file of the powered-off guest's disk.
from_disk() { # PATH OUT
	debugfs -R "dump $1 $2" "$tmp/disk.img" >/dev/null 2>&1 && [ -s "$2" ]
}

# ------------------------------------------------------------ first boot

step "boot 1: the freshly installed system runs vfio-boot configure"
if rig_boot first "$tmp/vmlinuz" "$tmp/initrd.first" "root=/dev/vda rw $RIG_APPEND" >"$tmp/first.why"; then
	ok "boot 1 reached the test unit (${wall} s)"
else
	bad "boot 1 reached the test unit"
	cat "$tmp/first.why"
	fatal "no first boot"
fi
sed -n 's/^configure /    | /p' "$report"
check "configure ran live in the guest and exited 0" grep -qx 'configure-exit 0' "$report"
check "configure ran the guest's update-initramfs" \
	grep -q '^configure running: update-initramfs -u -k all$' "$report"
check "configure read back the image it rebuilt" \
	grep -q "^configure checked: /boot/initrd.img-$kver carries the binder, its hook and /etc/vfio-boot.conf" "$report"
check "QEMU exited by the guest's poweroff" [ "$qemu_exit" = 0 ]

from_disk "/boot/initrd.img-$kver" "$tmp/initrd.second" || fatal "no /boot/initrd.img-$kver on the disk"
from_disk /boot/vfio-boot-test-cmdline "$tmp/cmdline" || fatal "update-grub left no command line"
grub=$(sed 's/\bquiet\b//g; s/  */ /g; s/^ //; s/ $//' "$tmp/cmdline")
check "the guest regenerated its image" bash -c "! cmp -s '$tmp/initrd.first' '$tmp/initrd.second'"
check "update-grub saw the IOMMU flags: $grub" [ "$grub" = "intel_iommu=on iommu=pt" ]

# ----------------------------------------------------------- second boot

step "boot 2: the image and the command line configure left"
if rig_boot second "$tmp/vmlinuz" "$tmp/initrd.second" "root=/dev/vda rw $RIG_APPEND $grub" \
	>"$tmp/second.why"; then
	ok "boot 2 reached the test unit in the real root (${wall} s)"
else
	bad "boot 2 reached the test unit"
	cat "$tmp/second.why"
	fatal "no second boot"
fi
check "report from the real root, after its coldplug (systemd-udev-trigger active)" \
	grep -qx 'file udev-trigger active' "$report"
check "the kernel command line has intel_iommu=on iommu=pt" \
	grep -q '^cmdline .*intel_iommu=on iommu=pt' "$report"
for a in $PCI_CARD; do
	check "$a on vfio-pci in the real root" has_driver "$a" vfio-pci
	check "$a driver_override vfio-pci" [ "$(override_of "$a")" = vfio-pci ]
	check "kernel log: only vfio-pci ever probed/bound $a" only_vfio_seen "$a"
	check "status.json from the initramfs: $a bound" status_is "$a" result bound
done
for m in bochs snd_hda_intel xhci_pci; do
	check "the real root's coldplug loaded $m, which bound nothing of the card" \
		grep -qx "module $m loaded" "$report"
done
check "boot VGA $BOOT_VGA kept bochs-drm" has_driver "$BOOT_VGA" bochs-drm
check "/run/vfio-boot/status.json is still there, valid" status_valid
sed -n 's/^file vfio-boot-status /    | /p' "$report"
check "vfio-boot status in the real root exits 0" grep -qx 'file vfio-boot-status-exit 0' "$report"
check "vfio-boot status finds the image complete" \
	grep -q "^file vfio-boot-status image: /boot/initrd.img-$kver (initramfs-tools) carries the binder" "$report"

say "  total $(($(date +%s) - t_all)) s"
summary
