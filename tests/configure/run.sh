#!/bin/bash
# Runs `vfio-boot` against fixture system trees (--root): a generated sysfs,
# proc files, /etc/default/grub, the real module indexes of an installed
# kernel, and stand-in update-grub / update-initramfs / grubby scripts that a
# static busybox runs inside the tree's chroot. Checks files, exit statuses,
# and which commands ran.
# Usage: tests/configure/run.sh path/to/vfio-boot path/to/vfio-boot-bind
set -u

here=$(cd "$(dirname "$0")" && pwd)
vb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bind=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
# shellcheck source=tests/configure/lib.sh
. "$here/lib.sh"
lib_init

begin configure-by-id
host_tree
vboot configure 10de:2504
rc_is 0
has out "selected  0000:01:00.0 [10de:2504]"
has out "companion 0000:01:00.1 [10de:228e]"
has out "companion 0000:02:00.1 [10de:228e]"
has etc/vfio-boot.conf "10de:2504"
has etc/vfio-boot.conf "companions=slot"
has etc/modprobe.d/vfio.conf "options vfio-pci ids=10de:2504,10de:228e,10de:1ada,10de:1adb"
has etc/modprobe.d/vfio.conf "softdep nouveau pre: vfio-pci"
has etc/modprobe.d/vfio.conf "softdep snd_hda_intel pre: vfio-pci"
has etc/modprobe.d/vfio.conf "softdep xhci_pci pre: vfio-pci"
lacks etc/modprobe.d/vfio.conf "blacklist"
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
has etc/default/grub 'GRUB_CMDLINE_LINUX=""'
calls_are "update-grub 
update-initramfs -u -k all"
# The binder reads the same file the configurator wrote.
FAKE_ROOT=$T "$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet
jq -e '[.devices[] | select(.result == "bound")] | length == 6' "$T/run/vfio-boot/status.json" \
	>/dev/null || fail "the binder did not bind what configure selected"
end

begin configure-twice-unchanged-then-unconfigure
host_tree
cp -a "$T/etc" "$work/etc.orig"
vboot configure 10de:2504,10de:228e
rc_is 0
: >"$T/var/log/calls"
snapshot_tree >"$work/$current.configured"
vboot configure 10de:2504,10de:228e
rc_is 0
has out "unchanged"
calls_are ""
snapshot_tree | cmp -s - "$work/$current.configured" || fail "second configure changed files"
vboot unconfigure
rc_is 0
has out "unconfigured"
calls_are "update-grub 
update-initramfs -u -k all"
tree_unchanged "unconfigure"
cmp "$T/etc/default/grub" "$work/etc.orig/default/grub" || fail "grub not restored byte for byte"
[ ! -e "$T/etc/modprobe.d/vfio.conf" ] || fail "vfio.conf created by configure not removed"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state directory left behind"
vboot unconfigure
rc_is 0
has out "not configured"
end

begin reconfigure-keeps-first-originals
host_tree
cp "$T/etc/default/grub" "$work/grub.orig"
vboot configure 10de:2504
rc_is 0
vboot configure 02:00.0
rc_is 0
vboot unconfigure
rc_is 0
cmp "$T/etc/default/grub" "$work/grub.orig" || fail "grub differs after two configures and unconfigure"
tree_unchanged "unconfigure after two configures"
end

begin grub-d-override-warned
host_tree
mkdir -p "$T/etc/default/grub.d"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"' >"$T/etc/default/grub.d/50-cloudimg.cfg"
vboot configure 10de:2504
rc_is 0
has out "warning: /etc/default/grub.d/50-cloudimg.cfg also sets GRUB_CMDLINE_LINUX_DEFAULT"
end

begin identical-card-by-address-no-ids
host_tree
vboot configure 0000:02:00.0
rc_is 0
lacks etc/modprobe.d/vfio.conf "options vfio-pci ids="
has etc/modprobe.d/vfio.conf "softdep nouveau pre: vfio-pci"
has etc/vfio-boot.conf "0000:02:00.0"
end

begin existing-modprobe-file-kept-and-restored
host_tree
mkdir -p "$T/etc/modprobe.d"
printf 'options vfio-pci ids=dead:beef\n' >"$T/etc/modprobe.d/vfio.conf"
chmod 600 "$T/etc/modprobe.d/vfio.conf"
baseline
vboot configure 10de:2504
rc_is 0
[ "$(stat -c %a "$T/etc/modprobe.d/vfio.conf")" = 600 ] || fail "mode of the replaced file not kept"
vboot unconfigure
tree_unchanged "unconfigure of a replaced file"
end

begin bad-selector
host_tree
vboot configure 10de:25x4
rc_is 2
one_line_err
has err "invalid selector '10de:25x4'"
tree_unchanged "bad selector"
calls_are ""
vboot configure 10de:2504 --companions all
rc_is 2
one_line_err
has err "--companions must be slot, group or none, not 'all'"
vboot --bogus configure 10de:2504
rc_is 2
vboot frobnicate
rc_is 2
has err "unknown command 'frobnicate'"
vboot configure
rc_is 2
tree_unchanged "usage errors"
end

begin unmatched-selector
host_tree
vboot configure 10de:2504,1234:5678
rc_is 2
one_line_err
has err "selector '1234:5678' matches no PCI device (--force keeps it)"
tree_unchanged "unmatched selector"
vboot configure --force 10de:2504,1234:5678
rc_is 0
has etc/vfio-boot.conf "1234:5678"
end

begin dry-run
host_tree
vboot --dry-run configure 10de:2504
rc_is 0
has out "+++ b/etc/vfio-boot.conf"
has out "+options vfio-pci ids="
has out "+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""
has out "-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\""
has out "would run: update-grub"
has out "would run: update-initramfs -u -k all"
tree_unchanged "dry run"
calls_are ""
end

begin failure-rolls-back
host_tree
touch "$T/fail-update-initramfs"
vboot configure 10de:2504
rc_is 1
has err "update-initramfs failed with status 1"
has err "putting the files back"
tree_unchanged "failed configure"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state left after a failed first configure"
calls_are "update-grub 
update-initramfs -u -k all
update-grub "
end

begin no-bootloader
host_tree
rm "$T/etc/default/grub"
baseline
vboot configure 10de:2504
rc_is 4
has out "add these flags to the kernel command line:"
has out "  intel_iommu=on iommu=pt"
has etc/vfio-boot.conf "10de:2504"
# Asked for: not an error, the flags are still printed.
vboot configure --bootloader none 10de:2504
rc_is 0
has out "--bootloader none: add these flags to the kernel command line yourself:"
has out "  intel_iommu=on iommu=pt"
vboot --dry-run configure --bootloader none 02:00.0
rc_is 0
vboot --dry-run configure 02:00.0
rc_is 4
end

begin systemd-boot
host_tree
mkdir -p "$T/etc/kernel" "$T/boot/efi/loader/entries"
printf 'root=UUID=1234 rw iommu=soft\n' >"$T/etc/kernel/cmdline"
baseline
vboot configure --cpu amd 02:00.0
rc_is 0
# Both files exist: the one this system boots with is edited, and it says which.
has out "both /etc/default/grub and /etc/kernel/cmdline exist: editing /etc/kernel/cmdline"
grep -qx 'root=UUID=1234 rw iommu=pt' "$T/etc/kernel/cmdline" || fail "cmdline: $(cat "$T/etc/kernel/cmdline")"
lacks etc/default/grub "iommu=pt"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

begin grubby
host_tree
stand_in_grubby "/boot/vmlinuz-6.1:ro quiet" "/boot/vmlinuz-6.2:ro quiet"
baseline
vboot configure 10de:2504 --no-regenerate
rc_is 0
calls_are "grubby --info=ALL
grubby --update-kernel=ALL --args intel_iommu=on iommu=pt"
[ "$(grubby_args /boot/vmlinuz-6.2)" = "ro quiet intel_iommu=on iommu=pt" ] ||
	fail "grubby entry: $(grubby_args /boot/vmlinuz-6.2)"
no_calls
vboot unconfigure --no-regenerate
rc_is 0
calls_are "grubby --update-kernel=ALL --remove-args intel_iommu=on iommu=pt"
[ "$(grubby_args /boot/vmlinuz-6.2)" = "ro quiet" ] || fail "grubby entry: $(grubby_args /boot/vmlinuz-6.2)"
tree_unchanged "unconfigure"
end

begin blacklist-spares-host-drivers
host_tree
vboot configure --blacklist 10de:2504
rc_is 0
has etc/modprobe.d/vfio.conf "blacklist nouveau"
has etc/modprobe.d/vfio.conf "blacklist xhci_pci"
lacks etc/modprobe.d/vfio.conf "blacklist snd_hda_intel"
has out "not blacklisting snd_hda_intel: the host keeps 0000:00:1f.3, which needs it"
end

begin cpu-unknown
host_tree
rm "$T/proc/cpuinfo"
vboot configure 10de:2504
rc_is 2
has err "pass --cpu intel|amd"
tree_unchanged "cpu unknown"
end

begin needs-root
host_tree
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$vb" configure 10de:2504 2>&1)
rc=$?
[ "$rc" = 5 ] || fail "non-root configure of the real system: status $rc ($out)"
case $out in *"needs root"*) ;; *) fail "no 'needs root' message: $out" ;; esac
end

begin offline-tree-without-sys
host_tree
rm -rf "$T/sys"
vboot configure --no-regenerate 10de:2504,01:00.0
rc_is 0
has out "not checked against hardware, and no 'options vfio-pci ids=' is written"
lacks etc/modprobe.d/vfio.conf "options vfio-pci ids="
end

begin list
host_tree
vboot list
rc_is 0
has out "IOMMU group 12:"
has out "0000:01:00.0 VGA compatible controller [0300]: NVIDIA Corporation"
has out "[10de:2504]"
has out "driver: nouveau; modules: nouveau"
has out "0000:00:02.0 VGA compatible controller [0300]: Intel Corporation"
has out "(boot VGA)"
vboot list --json
rc_is 0
jq -e '.iommu == true and (.devices | length == 11) and
	(.devices[] | select(.address == "0000:01:00.1") | .modules == ["snd_hda_intel"])' \
	"$T/out" >/dev/null || fail "list --json"
rm -rf "$T/sys/kernel/iommu_groups"/*
vboot list
has out "IOMMU: off"
end

begin check
host_tree
vboot check
rc_is 3
has out "fail  iommu-flag       intel_iommu=on is not on the kernel command line"
has out "ok    iommu            active"
has out "ok    irq-remapping"
has out "vfio-pci module"
echo "root=/dev/sda1 intel_iommu=on iommu=pt" >"$T/proc/cmdline"
printf '10de:2504@01:00.0\n' >"$T/etc/vfio-boot.conf"
vboot check
rc_is 0
has out "ok    group            0000:01:00.0: IOMMU group 12 is viable"
printf '01:00.0\ncompanions=none\n' >"$T/etc/vfio-boot.conf"
vboot check --json
rc_is 3
jq -e '.ready == false' "$T/out" >/dev/null || fail "check --json ready"
has out "IOMMU group 12 also holds 0000:01:00.1, which is not selected"
{ echo "01:00.0"; head -c 70000 /dev/zero | tr '\0' '#'; echo; } >"$T/etc/vfio-boot.conf"
vboot check
rc_is 3
has out "fail  selection        cannot read /etc/vfio-boot.conf: File too large"
end

begin framebuffer-on-bar
host_tree
echo "root=/dev/sda1 intel_iommu=on" >"$T/proc/cmdline"
printf '10de:2504@01:00.0\n' >"$T/etc/vfio-boot.conf"
printf '0x00000000e0000000 0x00000000efffffff 0x0000000000040200\n' \
	>"$T/sys/devices/pci0000:00/0000:01:00.0/resource"
printf '00000000-00000fff : Reserved\ne0000000-e07fffff : efifb\n' >"$T/proc/iomem"
vboot check
rc_is 0
has out "warn  framebuffer      0000:01:00.0: firmware framebuffer 'efifb' sits on its memory"
printf 'e0000000-e07fffff : BOOTFB\n' >"$T/proc/iomem"
printf '0x00000000f0000000 0x00000000f0ffffff 0x0000000000040200\n' \
	>"$T/sys/devices/pci0000:00/0000:01:00.0/resource"
vboot check
lacks out "framebuffer"
end


begin builtin-vfio-pci
# A second kernel with vfio-pci built in: its IDs must go on the command line.
host_tree
kv=6.1.0-vbtest
mkdir -p "$T/lib/modules/$kv/kernel/sound/pci/hda"
cp "$kdir"/kernel/sound/pci/hda/snd-hda-intel.ko* "$T/lib/modules/$kv/kernel/sound/pci/hda/"
printf 'kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/pci/vfio-pci.ko\n' \
	>"$T/lib/modules/$kv/modules.builtin"
depmod -b "$T" "$kv" 2>/dev/null || fail "depmod"
vboot check
has out "kernel $kv: vfio-pci built in"
vboot configure --companions none 02:00.0,10de:228e
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:228e"'
end

begin status
host_tree
vboot configure --no-regenerate 02:00.0
vboot status
rc_is 3
has out "did not run in this boot"
FAKE_ROOT=$T "$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet
vboot status
rc_is 0
has out "0000:02:00.0   10de:2504   vfio-pci   vfio-pci"
vboot status --json
jq -e '.as_expected == true and (.functions | length == 2)' "$T/out" >/dev/null ||
	fail "status --json"
end

summary configure
