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

begin configure-by-id-at-address
host_tree
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has out "selected  0000:01:00.0 [10de:2504]"
has out "companion 0000:01:00.1 [10de:228e]"
lacks out "0000:02:00"
has etc/vfio-boot.conf "10de:2504@0000:01:00.0"
has etc/vfio-boot.conf "companions=slot"
lacks "$own" "ids="
has "$own" "softdep nouveau pre: vfio-pci"
has "$own" "softdep snd_hda_intel pre: vfio-pci"
has "$own" "softdep xhci_pci pre: vfio-pci"
lacks "$own" "blacklist"
[ ! -e "$T/etc/modprobe.d/vfio.conf" ] || fail "a vfio.conf was made"
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
has etc/default/grub 'GRUB_CMDLINE_LINUX=""'
calls_are "update-grub 
update-initramfs -u -k all"
# The binder reads the same file the configurator wrote.
FAKE_ROOT=$T "$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet
jq -e '[.devices[] | select(.result == "bound")] | length == 4' "$T/run/vfio-boot/status.json" \
	>/dev/null || fail "the binder did not bind what configure selected"
[ "$(tail -n 1 "$T/sys/bus/pci/devices/0000:02:00.0/driver_override")" = "(null)" ] ||
	fail "the identical host card was touched"
end

begin configure-twice-unchanged-then-unconfigure
host_tree
cp -a "$T/etc" "$work/etc.orig"
vboot configure 10de:2504@01:00.0,10de:228e@01:00.1
rc_is 0
: >"$T/var/log/calls"
snapshot_tree >"$work/$current.configured"
vboot configure 10de:2504@01:00.0,10de:228e@01:00.1
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
[ ! -e "$T/$own" ] || fail "$own created by configure not removed"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state directory left behind"
vboot unconfigure
rc_is 0
has out "not configured"
end

begin reconfigure-keeps-first-originals
host_tree
cp "$T/etc/default/grub" "$work/grub.orig"
vboot configure 10de:2504@01:00.0
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
vboot configure 10de:2504@01:00.0
rc_is 0
has out "warning: /etc/default/grub.d/50-cloudimg.cfg also sets GRUB_CMDLINE_LINUX_DEFAULT"
end

begin identical-card-by-address-no-ids
host_tree
vboot configure 0000:02:00.0
rc_is 0
lacks "$own" "options vfio-pci ids="
has "$own" "softdep nouveau pre: vfio-pci"
# Saved guarded: the address with the ID found there.
grep -qx "10de:2504@0000:02:00.0" "$T/etc/vfio-boot.conf" || fail "the address is not saved as ID@address"
lacks etc/vfio-boot.conf "0000:01:00"
end

begin existing-modprobe-file-kept-and-restored
host_tree
mkdir -p "$T/etc/modprobe.d"
printf 'options vfio-pci ids=dead:beef\n' >"$T/etc/modprobe.d/vfio.conf"
chmod 600 "$T/etc/modprobe.d/vfio.conf"
baseline
vboot configure 10de:2504@01:00.0
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
vboot configure 10de:2504@01:00.0,1234:5678
rc_is 2
one_line_err
has err "selector '1234:5678' matches no PCI device (--force keeps it)"
tree_unchanged "unmatched selector"
# --force keeps it, but only a form that says where the card is can be saved
# guarded; a bare ID needs --all-matching ("every card with this ID").
vboot configure --force 10de:2504@01:00.0,1234:5678,05:00.0
rc_is 2
has err "vfio-boot: 1234:5678 matches no PCI device, so it cannot be saved guarded (ID@address): name the card as 1234:5678@ADDRESS, or pass --all-matching to take every card with this ID, now and later"
has err "vfio-boot: 05:00.0: no device there to read its ID from, so it cannot be saved guarded: write it as VENDOR:DEVICE@0000:05:00.0"
tree_unchanged "unmatched selectors that cannot be guarded"
vboot configure --force 10de:2504@01:00.0,1234:5678@05:00.0
rc_is 0
has etc/vfio-boot.conf "1234:5678@0000:05:00.0"
vboot configure --force --all-matching 10de:2504@01:00.0,1234:5678
rc_is 0
grep -qx "1234:5678" "$T/etc/vfio-boot.conf" || fail "the bare ID is not saved with --all-matching"
has out "note: 1234:5678 is saved as it is (--all-matching): at every boot vfio-pci gets every card with this ID, now and later"
end

begin dry-run
host_tree
vboot --dry-run configure 10de:2504@01:00.0
rc_is 0
has out "+++ b/etc/vfio-boot.conf"
has out "+softdep nouveau pre: vfio-pci"
lacks out "ids="
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
vboot configure 10de:2504@01:00.0
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
vboot configure 10de:2504@01:00.0
rc_is 4
has out "add these flags to the kernel command line:"
has out "  intel_iommu=on iommu=pt"
has etc/vfio-boot.conf "10de:2504"
# Asked for: not an error, the flags are still printed.
vboot configure --bootloader none 10de:2504@01:00.0
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
stand_in kernel-install # what makes the entries from /etc/kernel/cmdline
mkdir -p "$T/etc/kernel" "$T/boot/efi/loader/entries"
printf 'root=UUID=1234 rw iommu=soft\n' >"$T/etc/kernel/cmdline"
baseline
vboot configure --cpu amd 02:00.0
rc_is 0
# Both files exist: the one this system boots with is edited, and it says which.
has out "both /etc/default/grub and /etc/kernel/cmdline exist: editing /etc/kernel/cmdline"
# iommu= is a list: pt joins the admin's soft, which stays.
grep -qx 'root=UUID=1234 rw iommu=pt,soft' "$T/etc/kernel/cmdline" || fail "cmdline: $(cat "$T/etc/kernel/cmdline")"
lacks etc/default/grub "iommu=pt"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

begin grubby
host_tree
stand_in_grubby "/boot/vmlinuz-6.1:ro quiet" "/boot/vmlinuz-6.2:ro quiet"
baseline
vboot configure 10de:2504@01:00.0 --no-regenerate
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
vboot configure --blacklist 10de:2504@01:00.0
rc_is 0
has "$own" "blacklist xhci_pci"
lacks "$own" "blacklist snd_hda_intel"
has out "not blacklisting snd_hda_intel: the host keeps 0000:00:1f.3, which needs it"
# The identical card the host keeps needs nouveau.
lacks "$own" "blacklist nouveau"
has out "not blacklisting nouveau: the host keeps 0000:02:00.0, which needs it"
end

begin cpu-unknown
host_tree
rm "$T/proc/cpuinfo"
vboot configure 10de:2504@01:00.0
rc_is 2
has err "pass --cpu intel|amd"
tree_unchanged "cpu unknown"
end

begin needs-root
host_tree
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$vb" configure 10de:2504@01:00.0 2>&1)
rc=$?
[ "$rc" = 5 ] || fail "non-root configure of the real system: status $rc ($out)"
case $out in *"needs root"*) ;; *) fail "no 'needs root' message: $out" ;; esac
end

begin offline-tree-without-sys
host_tree
rm -rf "$T/sys"
baseline
# Without sys/ a bare ID or address cannot be resolved to a guarded line.
vboot configure --no-regenerate 10de:2504,01:00.0
rc_is 2
has err "vfio-boot: 10de:2504 names no card that can be seen without sys/, so it cannot be saved guarded (ID@address): name the card as 10de:2504@ADDRESS, or pass --all-matching to take every card with this ID, now and later"
has err "vfio-boot: 01:00.0: without sys/ the ID there cannot be read, so it cannot be saved guarded: write it as VENDOR:DEVICE@0000:01:00.0"
tree_unchanged "offline, unguarded"
calls_are ""
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has out "not checked against hardware"
grep -qx "10de:2504@0000:01:00.0" "$T/etc/vfio-boot.conf" || fail "the guarded selector is not saved in its one spelling"
has etc/vfio-boot.conf "companions=slot"
lacks etc/modprobe.d/vfio.conf "ids="
# No module to order without hardware: no empty vfio.conf is made.
[ ! -e "$T/etc/modprobe.d" ] || fail "an empty vfio.conf was made"
vboot configure --no-regenerate --all-matching 10de:2504
rc_is 0
grep -A1 -x -- "# --all-matching: every card with this ID, now and later" "$T/etc/vfio-boot.conf" |
	grep -qx "10de:2504" || fail "the bare ID is not saved under its mark"
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
has out "IOMMU: off (no IOMMU groups). Intel VT-d: enable VT-d in the firmware setup and put intel_iommu=on on the kernel command line"
# AMD's IOMMU needs no flag (the kernel turns it on; amd_iommu= has no "on"):
# only its firmware setting. No message of vfio-boot's suggests amd_iommu=on.
printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\n' >"$T/proc/cpuinfo"
vboot list
has out 'IOMMU: off (no IOMMU groups). AMD-Vi: enable the IOMMU (and SVM) in the firmware setup; the kernel turns it on by default, no flag is needed (amd_iommu= has no "on").'
lacks out "amd_iommu=on"
vboot check
rc_is 3
has out "fail  iommu            no IOMMU groups: the IOMMU is off. AMD-Vi: enable the IOMMU (and SVM) in the firmware setup"
has out "ok    iommu-flag       none needed: AMD's IOMMU is on by default"
lacks out "amd_iommu=on"
rm "$T/proc/cpuinfo"
vboot list
has out "IOMMU: off (no IOMMU groups). Enable the IOMMU in the firmware setup (VT-d, or IOMMU and SVM on AMD); Intel's also needs intel_iommu=on"
lacks out "amd_iommu=on"
! grep -aq "amd_iommu=on" "$vb" || fail "the configurator carries the words amd_iommu=on"
end

begin check
installed_tree update-initramfs
rm "$T/proc/sys/kernel/osrelease" # no image to read (flags.sh checks the images)
# The IOMMU is active without the flag (the kernel turned it on): that passes.
vboot check
has out "ok    iommu-flag       not needed: the IOMMU is on"
has out "ok    cpu              Intel VT-d IOMMU (from the CPU vendor)"
has out "ok    iommu            active"
mv "$T/sys/kernel/iommu_groups" "$T/groups.off"
mkdir "$T/sys/kernel/iommu_groups"
vboot check
rc_is 3
has out "fail  iommu-flag       intel_iommu=on is not on the kernel command line"
rmdir "$T/sys/kernel/iommu_groups"
mv "$T/groups.off" "$T/sys/kernel/iommu_groups"
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
has out "0000:01:00.0: IOMMU group 12 also holds 0000:01:00.1 (not selected), 0000:01:00.2 (not selected), 0000:01:00.3 (not selected)"
{ echo "01:00.0"; head -c 70000 /dev/zero | tr '\0' '#'; echo; } >"$T/etc/vfio-boot.conf"
vboot check
rc_is 3
has out "fail  selection        cannot read /etc/vfio-boot.conf: File too large"
end

begin framebuffer-on-bar
installed_tree update-initramfs
rm "$T/proc/sys/kernel/osrelease"
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
# A second kernel with vfio-pci built in: vfio-pci.ids= would take every device
# with the IDs before the initramfs, whatever vfio_boot.disable says; the
# binder binds by driver_override with vfio-pci built in too.
host_tree
kv=6.1.0-vbtest
mkdir -p "$T/lib/modules/$kv/kernel/sound/pci/hda"
cp "$kdir"/kernel/sound/pci/hda/snd-hda-intel.ko* "$T/lib/modules/$kv/kernel/sound/pci/hda/"
printf 'kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/pci/vfio-pci.ko\n' \
	>"$T/lib/modules/$kv/modules.builtin"
depmod -b "$T" "$kv" 2>/dev/null || fail "depmod"
vboot check
has out "kernel $kv: vfio-pci built in"
vboot configure --companions none 02:00.0,10de:228e@02:00.1
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
lacks etc/default/grub "vfio-pci.ids"
end

begin list-built-in-in-one-kernel
# snd_hda_intel a .ko in one kernel and built in in the other: each kernel's
# answer is its own (libkmod's built-in answers are kept per kernel and module).
host_tree
kv=6.1.0-vbtest
mkdir -p "$T/lib/modules/$kv"
printf 'kernel/sound/pci/hda/snd-hda-intel.ko\n' >"$T/lib/modules/$kv/modules.builtin"
printf 'snd_hda_intel.alias=pci:v000010DEd*sv*sd*bc04sc03i00*\0' \
	>"$T/lib/modules/$kv/modules.builtin.modinfo"
depmod -b "$T" "$kv" 2>/dev/null || fail "depmod"
vboot list --json
rc_is 0
jq -e '.devices[] | select(.address == "0000:01:00.1") |
	.modules == ["snd_hda_intel", "snd_hda_intel (built-in)"]' "$T/out" >/dev/null ||
	fail "claimants: $(jq -c '.devices[] | select(.address == "0000:01:00.1") | .modules' "$T/out")"
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

# ---------------------------------------------------------------- faithful

begin unconfigure-keeps-later-edits
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
sed -i 's/^GRUB_TIMEOUT=5$/GRUB_TIMEOUT=10/' "$T/etc/default/grub"
vboot unconfigure
rc_is 0
has out "note: /etc/default/grub changed since configure: only configure's own edit is taken out of it"
has out "unconfigured: configure's changes are taken out; the edits made since are kept"
has etc/default/grub "GRUB_TIMEOUT=10"
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
lacks etc/default/grub "iommu"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state left"
end

begin admins-vfio-conf-lines-kept
# configure's lines go to a file of its own: the admin's vfio.conf stays as it is.
host_tree
mkdir -p "$T/etc/modprobe.d"
printf '# mine\noptions vfio-pci disable_vga=1\n' >"$T/etc/modprobe.d/vfio.conf"
cp "$T/etc/modprobe.d/vfio.conf" "$work/vfio.conf.orig"
baseline
vboot configure 10de:2504@01:00.0
rc_is 0
cmp -s "$T/etc/modprobe.d/vfio.conf" "$work/vfio.conf.orig" || fail "the admin's vfio.conf changed"
has "$own" "# BEGIN vfio-boot: lines down to END are vfio-boot configure's own"
has "$own" "softdep nouveau pre: vfio-pci"
has "$own" "# END vfio-boot"
# Configured again: the block is replaced.
vboot configure 02:00.0
rc_is 0
[ "$(grep -c 'BEGIN vfio-boot' "$T/$own")" = 1 ] || fail "two blocks"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
# A line the admin adds to configure's file while configured stays; only the block goes.
vboot configure 10de:2504@01:00.0
rc_is 0
echo 'options vfio-pci nointxmask=1' >>"$T/$own"
vboot unconfigure
rc_is 0
has "$own" "options vfio-pci nointxmask=1"
lacks "$own" "vfio-boot"
lacks "$own" "softdep"
cmp -s "$T/etc/modprobe.d/vfio.conf" "$work/vfio.conf.orig" || fail "the admin's vfio.conf changed"
end

begin guides-ids-line-back-after-a-later-edit
host_tree
mkdir -p "$T/etc/modprobe.d"
printf 'options vfio-pci ids=10de:2504 disable_vga=1\nsoftdep nvidia pre: vfio-pci\n' \
	>"$T/etc/modprobe.d/vfio.conf"
vboot configure 10de:2504@01:00.0
rc_is 0
has etc/modprobe.d/vfio.conf "#options vfio-pci ids=10de:2504 disable_vga=1"
echo 'options vfio-pci nointxmask=1' >>"$T/etc/modprobe.d/vfio.conf"
vboot unconfigure
rc_is 0
# The guide's line as it was, the admin's new one kept, configure's block gone.
printf 'options vfio-pci ids=10de:2504 disable_vga=1\nsoftdep nvidia pre: vfio-pci\noptions vfio-pci nointxmask=1\n' |
	cmp -s - "$T/etc/modprobe.d/vfio.conf" || fail "vfio.conf: $(cat "$T/etc/modprobe.d/vfio.conf")"
end

begin file-changed-since-is-left
host_tree
printf '# the admin wrote this one\n01:00.0\n' >"$T/etc/vfio-boot.conf"
cp "$T/etc/vfio-boot.conf" "$work/selection.orig"
vboot configure 10de:2504@01:00.0
rc_is 0
echo '02:00.0' >>"$T/etc/vfio-boot.conf"
cp "$T/etc/vfio-boot.conf" "$work/selection.edited"
vboot unconfigure
rc_is 6
has out "left /etc/vfio-boot.conf as it is"
has out "its original is in /etc/vfio-boot.conf.vfio-boot-orig"
cmp -s "$T/etc/vfio-boot.conf" "$work/selection.edited" || fail "the edited file was overwritten"
cmp -s "$T/etc/vfio-boot.conf.vfio-boot-orig" "$work/selection.orig" || fail "original not kept beside"
# Everything else is back, and nothing is left to undo.
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
[ ! -e "$T/$own" ] || fail "$own left"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state left"
end

begin damaged-journal
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
j=$T/var/lib/vfio-boot/journal
cp "$j" "$work/journal.good"
snapshot_tree >"$work/$current.configured"
# Cut short: refused by every command, nothing changed, the way out named.
truncate -s $(($(stat -c %s "$j") - 20)) "$j"
cp "$j" "$work/journal.cut"
for cmd in unconfigure "configure 02:00.0" status "--dry-run unconfigure"; do
	# shellcheck disable=SC2086 # words on purpose
	vboot $cmd
	rc_is 7
	one_line_err
	has err "/var/lib/vfio-boot/journal is damaged (record"
	has err "nothing was changed"
	has err "It covers /etc/vfio-boot.conf, /$own, /etc/default/grub"
	has err "mv $T/var/lib/vfio-boot/journal $T/var/lib/vfio-boot/journal.damaged"
	cmp -s "$j" "$work/journal.cut" || fail "$cmd: the damaged journal was changed"
done
# One byte changed inside a record: its checksum says so.
cp "$work/journal.good" "$j"
sed -i 's/GRUB_TIMEOUT=5/GRUB_TIMEOUT=6/' "$j"
vboot unconfigure
rc_is 7
has err "checksum mismatch"
# The way out: the journal moved aside, the next run starts afresh.
mv "$j" "$j.damaged"
vboot unconfigure
rc_is 0
has out "not configured"
end

begin lock-busy
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
flock -o "$T/var/lib/vfio-boot/lock" sleep 10 &
holder=$!
sleep 0.3
vboot --wait 1 unconfigure
rc_is 8
has err "another vfio-boot is working on this tree; waiting for it"
has err "the tree is still locked by vfio-boot (pid"
has err "after 1 s: try again when it is done"
vboot --wait 1 status
rc_is 8
# A typo in the arguments is said at once: no wait, no busy.
vboot --wait 1 configure 10de:zzzz
rc_is 2
has err "invalid selector '10de:zzzz'"
lacks err "waiting for it"
kill "$holder"
wait "$holder" 2>/dev/null
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure after the wait"
end

# ---------------------------------------------------------------- interrupted

# update-initramfs that kills vfio-boot (SIGKILL) the first time it runs.
killing_update_initramfs() {
	cat >"$T/usr/sbin/update-initramfs" <<'STUB'
#!/bin/sh
echo "update-initramfs $*" >>/var/log/calls
if [ -e /kill-parent ]; then rm /kill-parent; kill -9 "$PPID"; fi
STUB
	touch "$T/kill-parent"
}

begin killed-during-update-initramfs
host_tree
killing_update_initramfs
baseline
vboot configure 10de:2504@01:00.0
rc_is 137
[ -e "$T/var/lib/vfio-boot/journal" ] || fail "no journal after the kill"
no_calls
vboot status
has out "note: an interrupted configure (begun"
has out "was rolled back"
# Rolled back: the files first, then the bootloader and the image again.
calls_are "update-grub 
update-initramfs -u -k all"
tree_unchanged "rolled back"
no_calls
vboot configure 10de:2504@01:00.0
rc_is 0
lacks out "unchanged"
calls_are "update-grub 
update-initramfs -u -k all"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

begin killed-during-unconfigure
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
snapshot_tree >"$work/$current.configured"
killing_update_initramfs
vboot unconfigure
rc_is 137
no_calls
vboot unconfigure
rc_is 0
has out "note: an interrupted unconfigure (begun"
# Rolled back to configured (and regenerated), then unconfigured again.
calls_are "update-grub 
update-initramfs -u -k all
update-grub 
update-initramfs -u -k all"
tree_unchanged "unconfigure"
end

begin update-initramfs-fails-during-unconfigure
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
snapshot_tree >"$work/$current.configured"
touch "$T/fail-update-initramfs"
no_calls
vboot unconfigure
rc_is 1
has err "update-initramfs failed with status 1: putting the files back as they were"
# Still configured, and still recorded: the image built with the selection is not forgotten.
snapshot_tree | cmp -s - "$work/$current.configured" || fail "not configured as before"
calls_are "update-grub 
update-initramfs -u -k all
update-grub "
rm "$T/fail-update-initramfs"
vboot unconfigure
rc_is 0
has out "unconfigured: every file is back as it was"
tree_unchanged "unconfigure"
end

# ---------------------------------------------------------------- commands

begin grubby-flags-inside-the-changeset
host_tree
stand_in_grubby "/boot/vmlinuz-6.1:ro quiet iommu=pt"
baseline
touch "$T/fail-update-initramfs"
vboot configure 10de:2504@01:00.0
rc_is 1
# Only the flag that was absent, taken back with the rest.
calls_are "grubby --info=ALL
grubby --update-kernel=ALL --args intel_iommu=on
update-initramfs -u -k all
grubby --update-kernel=ALL --remove-args intel_iommu=on"
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro quiet iommu=pt" ] || fail "after rollback: $(grubby_args /boot/vmlinuz-6.1)"
tree_unchanged "rollback"
rm "$T/fail-update-initramfs"
vboot configure 10de:2504@01:00.0
rc_is 0
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro quiet iommu=pt intel_iommu=on" ] || fail "configured: $(grubby_args /boot/vmlinuz-6.1)"
no_calls
vboot unconfigure
rc_is 0
# iommu=pt was there before configure: it stays.
calls_are "grubby --update-kernel=ALL --remove-args intel_iommu=on
update-initramfs -u -k all"
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro quiet iommu=pt" ] || fail "unconfigured: $(grubby_args /boot/vmlinuz-6.1)"
tree_unchanged "unconfigure"
end

begin grubby-entries-that-differ
host_tree
stand_in_grubby "/boot/vmlinuz-6.1:ro quiet iommu=soft" "/boot/vmlinuz-6.2:ro quiet intel_iommu=on"
baseline
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
calls_are "grubby --info=ALL
grubby --update-kernel=/boot/vmlinuz-6.1 --args intel_iommu=on iommu=pt,soft
grubby --update-kernel=/boot/vmlinuz-6.2 --args iommu=pt"
no_calls
vboot unconfigure --no-regenerate
rc_is 0
# Each entry back as it was: iommu=soft put back, 6.2's own intel_iommu=on kept.
calls_are "grubby --update-kernel=/boot/vmlinuz-6.2 --remove-args iommu=pt
grubby --update-kernel=/boot/vmlinuz-6.1 --remove-args intel_iommu=on --args iommu=soft"
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro quiet iommu=soft" ] || fail "6.1: $(grubby_args /boot/vmlinuz-6.1)"
[ "$(grubby_args /boot/vmlinuz-6.2)" = "ro quiet intel_iommu=on" ] || fail "6.2: $(grubby_args /boot/vmlinuz-6.2)"
end

begin kernelstub
host_tree
stand_in_kernelstub quiet splash iommu=pt
baseline
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
calls_are "kernelstub --print-config
kernelstub -a intel_iommu=on"
no_calls
vboot configure --no-regenerate --cpu amd 10de:2504@01:00.0
rc_is 0
calls_are "kernelstub --print-config
kernelstub -d intel_iommu=on"
vboot unconfigure --no-regenerate
rc_is 0
tree_unchanged "unconfigure"
[ "$(cat "$T/var/lib/fake-kernelstub")" = "quiet splash iommu=pt" ] || fail "kernelstub options: $(cat "$T/var/lib/fake-kernelstub")"
end

begin cpu-amd-after-intel
host_tree
vboot configure --cpu intel 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
vboot configure --cpu amd 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"'
lacks etc/default/grub "amd_iommu"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
stand_in_grubby "/boot/vmlinuz-6.1:ro"
vboot configure --cpu intel --no-regenerate 10de:2504@01:00.0
vboot configure --cpu amd --no-regenerate 10de:2504@01:00.0
rc_is 0
[ "$(grubby_args /boot/vmlinuz-6.1)" = "ro iommu=pt" ] || fail "grubby: $(grubby_args /boot/vmlinuz-6.1)"
end

# ---------------------------------------------------------------- flags

begin iommu-from-firmware
host_tree
# An AMD CPU with an (emulated) Intel IOMMU: the ACPI DMAR table decides.
printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\n' >"$T/proc/cpuinfo"
mkdir -p "$T/sys/firmware/acpi/tables"
: >"$T/sys/firmware/acpi/tables/DMAR"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
vboot check
has out "Intel VT-d IOMMU (from the ACPI DMAR table)"
vboot unconfigure --no-regenerate
# An AMD IOMMU: on by default, no flag for it (there is no amd_iommu=on).
rm "$T/sys/firmware/acpi/tables/DMAR"
: >"$T/sys/firmware/acpi/tables/IVRS"
printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n' >"$T/proc/cpuinfo"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"'
vboot unconfigure --no-regenerate
rm -r "$T/sys/firmware"
# No ACPI tables to read: the IOMMU units the kernel registered tell.
mkdir -p "$T/sys/class/iommu/dmar0"
printf 'processor\t: 0\nvendor_id\t: AuthenticAMD\n' >"$T/proc/cpuinfo"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
vboot unconfigure --no-regenerate
rm -r "$T/sys/class/iommu"
printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n' >"$T/proc/cpuinfo"
# A kernel that turns Intel's IOMMU on by itself needs no flag either.
mkdir -p "$T/boot"
printf 'CONFIG_INTEL_IOMMU=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n' >"$T/boot/config-$(basename "$kdir")"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"'
end

begin grub-where-it-counts
host_tree
printf '%s\n' 'GRUB_TIMEOUT=5' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet" GRUB_CMDLINE_LINUX_DEFAULT="splash"' \
	>"$T/etc/default/grub"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet" GRUB_CMDLINE_LINUX_DEFAULT="splash intel_iommu=on iommu=pt"'
vboot unconfigure --no-regenerate
# A here-document: refused, the line named; --dry-run says the same.
printf '%s\n' 'GRUB_TIMEOUT=5' 'cat >/dev/null <<EOF' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' 'EOF' \
	>"$T/etc/default/grub"
baseline
vboot configure 10de:2504@01:00.0
rc_is 2
one_line_err
has err "/etc/default/grub, line 2: a here-document (<<): cannot add the flags safely"
has err "(intel_iommu=on iommu=pt)"
tree_unchanged "heredoc refused"
vboot --dry-run configure 10de:2504@01:00.0
rc_is 2
# An unterminated quote: refused (never appended again and again).
printf '%s\n' 'GRUB_TIMEOUT=5' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet' >"$T/etc/default/grub"
baseline
vboot configure 10de:2504@01:00.0
rc_is 2
has err "/etc/default/grub, line 2: a quote (\") that is never closed"
tree_unchanged "unterminated quote refused"
end

begin kernel-cmdline-before-dashes
host_tree
stand_in kernel-install
rm "$T/etc/default/grub"
mkdir -p "$T/etc/kernel"
printf 'root=UUID=1 ro -- single\n' >"$T/etc/kernel/cmdline"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
grep -qx 'root=UUID=1 ro intel_iommu=on iommu=pt -- single' "$T/etc/kernel/cmdline" ||
	fail "cmdline: $(cat "$T/etc/kernel/cmdline")"
end

begin kernel-cmdline-made-from-the-running-kernel
host_tree
stand_in kernel-install
rm "$T/etc/default/grub"
baseline
vboot configure --bootloader systemd-boot 10de:2504@01:00.0
rc_is 0
grep -qx 'root=/dev/sda1 ro quiet intel_iommu=on iommu=pt' "$T/etc/kernel/cmdline" ||
	fail "cmdline: $(cat "$T/etc/kernel/cmdline")"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
# Under --root with no proc/cmdline there is no way to know: refused, with what to write.
rm "$T/proc/cmdline"
vboot configure --bootloader systemd-boot 10de:2504@01:00.0
rc_is 2
one_line_err
has err "/etc/kernel/cmdline does not exist and $T/proc/cmdline cannot be read"
has err "write the tree's whole kernel command line there (root=... and the rest, then intel_iommu=on iommu=pt)"
tree_unchanged "refused"
end

begin grub-and-kernel-cmdline
host_tree
stand_in kernel-install
mkdir -p "$T/etc/kernel" "$T/boot/grub"
printf 'root=UUID=1 ro\n' >"$T/etc/kernel/cmdline"
baseline
vboot configure 10de:2504@01:00.0
rc_is 2
has err "both /etc/default/grub and /etc/kernel/cmdline exist and neither a grub.cfg nor systemd-boot entries were found: pass --bootloader grub or --bootloader systemd-boot"
tree_unchanged "undecided"
: >"$T/boot/grub/grub.cfg"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has out "note: both /etc/default/grub and /etc/kernel/cmdline exist: editing /etc/default/grub, as a grub.cfg is there and no loader/entries is not"
has etc/default/grub "intel_iommu=on"
lacks etc/kernel/cmdline "intel_iommu=on"
vboot unconfigure --no-regenerate
# The firmware says systemd-boot started this system.
mkdir -p "$T/sys/firmware/efi/efivars"
: >"$T/sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
vboot configure --no-regenerate 10de:2504@01:00.0
rc_is 0
has out "editing /etc/kernel/cmdline, as this system was started by systemd-boot"
has etc/kernel/cmdline "intel_iommu=on"
end

begin symlinked-grub-file
host_tree
mv "$T/etc/default/grub" "$T/etc/grub-real"
ln -s /etc/grub-real "$T/etc/default/grub"
baseline
vboot configure 10de:2504@01:00.0
rc_is 0
[ -L "$T/etc/default/grub" ] || fail "the link was replaced"
has etc/grub-real "intel_iommu=on iommu=pt"
vboot unconfigure
rc_is 0
tree_unchanged "unconfigure"
end

# ---------------------------------------------------------------- small

begin commands-run-with-a-fixed-path-and-no-host-tmpdir
host_tree
env -u PATH "$vb" --root "$T" configure 10de:2504@01:00.0 >"$T/out" 2>"$T/err" ||
	fail "with PATH unset: $(cat "$T/err")"
[ "$(cat "$T/var/log/path-update-grub")" = /usr/sbin:/usr/bin:/sbin:/bin ] ||
	fail "update-grub's PATH: $(cat "$T/var/log/path-update-grub")"
PATH=/nowhere "$vb" --root "$T" unconfigure >"$T/out" 2>"$T/err" || fail "with PATH=/nowhere: $(cat "$T/err")"
[ "$(cat "$T/var/log/path-update-initramfs")" = /usr/sbin:/usr/bin:/sbin:/bin ] ||
	fail "update-initramfs's PATH: $(cat "$T/var/log/path-update-initramfs")"
# The caller's TMPDIR is a host path: a command in the tree gets none (dracut
# and kernel-install fail on a TMPDIR that the tree lacks).
TMPDIR=/host-only-tmp "$vb" --root "$T" configure 10de:2504@01:00.0 >"$T/out" 2>"$T/err" ||
	fail "with TMPDIR=/host-only-tmp: $(cat "$T/err")"
[ "$(cat "$T/var/log/tmpdir-update-initramfs")" = unset ] ||
	fail "update-initramfs's TMPDIR: $(cat "$T/var/log/tmpdir-update-initramfs")"
end

begin root-must-be-a-system-tree
host_tree
"$vb" --root "$T/nonexistent" check >"$T/out" 2>"$T/err"
[ $? = 2 ] || fail "--root nonexistent: not 2"
[ ! -e "$T/nonexistent" ] || fail "--root nonexistent made a tree"
mkdir "$T/empty"
for cmd in check "configure 10de:2504@01:00.0" status; do
	# shellcheck disable=SC2086 # words on purpose
	"$vb" --root "$T/empty" $cmd >"$T/out" 2>"$T/err"
	[ $? = 2 ] || fail "--root empty $cmd: not 2"
	grep -qF "not a system tree (it needs etc/, and usr/, bin/, boot/ or sys/)" "$T/err" || fail "$cmd: $(cat "$T/err")"
done
[ -z "$(ls -A "$T/empty")" ] || fail "something was written into the empty directory"
end

begin root-slash-slash-is-the-host
host_tree
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$vb" --root // configure 10de:2504@01:00.0 2>&1)
rc=$?
[ "$rc" = 5 ] || fail "--root // as non-root: status $rc ($out)"
end

begin dry-run-exits-as-the-real-run
host_tree
rm "$T/proc/cpuinfo"
vboot --dry-run configure 10de:2504@01:00.0
rc_is 2
has err "pass --cpu intel|amd"
vboot --dry-run configure --cpu intel 10de:2504@01:00.0
rc_is 0
tree_unchanged "dry run"
end

begin status-reads-the-report-as-json
# The report is read as JSON: white space and member order do not matter, a
# report that is not JSON is said to be one, and fields are decoded.
host_tree
vboot configure --no-regenerate 02:00.0
FAKE_ROOT=$T FAKE_MODPROBE_FAIL=1 "$bind" --root "$T" --modprobe "$here/../bind/fake-modprobe" --quiet
vboot status
rc_is 3
has out 'at boot: failed: '"$here"'/../bind/fake-modprobe vfio-pci exited with status 1'
jq -c . "$T/run/vfio-boot/status.json" | sed 's/"reason":"[^"]*"/"reason":"line1\\nline2 \\u00e9 \\"q\\""/' \
	>"$T/compact.json"
mv "$T/compact.json" "$T/run/vfio-boot/status.json"
vboot status
rc_is 3
has out 'at boot: failed: line1\x0aline2 é "q"'
vboot status --json
jq -e '.functions[0].why == "at boot: failed: line1\nline2 é \"q\""' "$T/out" >/dev/null ||
	fail "status --json: $(jq -c '.functions[0].why' "$T/out")"
printf '{"devices": [' >"$T/run/vfio-boot/status.json"
vboot status
rc_is 3
has out "/run/vfio-boot/status.json cannot be used: unexpected end at byte 13"
printf '{"disabled": false, "devices": [], "devices_omitted": 40}' >"$T/run/vfio-boot/status.json"
vboot status
has out "not in the boot report, which left 40 devices out"
end

begin no-command-waits-on-a-fifo
# A FIFO where a file should be: status, check, list and configure report it
# or skip it, and never wait on it.
host_tree
vboot configure --no-regenerate 02:00.0
rc_is 0
cp -a "$T" "$work/fifo-base"
for where in run/vfio-boot/status.json proc/cmdline proc/cpuinfo proc/interrupts proc/iomem \
	etc/default/grub etc/vfio-boot.conf etc/modprobe.d/vfio.conf "$own" etc/modprobe.d/other.conf \
	lib/modprobe.d/other.conf "lib/modules/$(basename "$kdir")/modules.softdep" var/lib/vfio-boot/journal \
	"lib/modules/$(basename "$kdir")/modules.alias.bin" "lib/modules/$(basename "$kdir")/modules.dep.bin"; do
	rm -rf "$T"
	cp -a "$work/fifo-base" "$T"
	mkdir -p "$(dirname "$T/$where")"
	rm -f "$T/$where"
	mkfifo "$T/$where"
	for cmd in status check list "configure --no-regenerate 10de:2504@0000:01:00.0" unconfigure; do
		# shellcheck disable=SC2086 # the command's words are split on purpose
		vboot $cmd
		case $(cat "$T/rc") in
		124) ;; # already failed by vboot
		0 | 1 | 2 | 3) ;;
		*) fail "$cmd with a FIFO at $where: exit status $(cat "$T/rc")" ;;
		esac
	done
	[ -p "$T/$where" ] || fail "the FIFO at $where was replaced"
done
rm -rf "$work/fifo-base"
# What each reports, for the FIFOs a command must read.
rm -rf "$T" && host_tree && rm "$T/etc/default/grub" && mkfifo "$T/etc/default/grub"
vboot configure --no-regenerate 10de:2504@0000:01:00.0
rc_is 1
has err "cannot read /etc/default/grub"
rm -rf "$T" && host_tree && rm "$T/lib/modules/$(basename "$kdir")/modules.alias.bin" &&
	mkfifo "$T/lib/modules/$(basename "$kdir")/modules.alias.bin"
vboot check
has err "lib/modules/$(basename "$kdir"): a modules.* index is not a regular file; kernel skipped"
has out "no installed kernels under lib/modules"
end

begin too-many-selectors
# A selection whose config file the binder would refuse (64 KiB or more) is
# refused here, before anything is written.
host_tree
sels=$(for b in $(seq 0 255); do for d in $(seq 0 11); do
	printf '10de:2504@0000:%02x:%02x.0,' "$b" "$d"; done; done)
vboot configure --force "${sels%,}"
rc_is 2
one_line_err
has err "too many selectors for /etc/vfio-boot.conf: it would be"
has err "the limit is 65535"
tree_unchanged "too many selectors"
calls_are ""
end

begin empty-option-values
# Every option that takes a value refuses an empty one, the same way.
host_tree
for opt in --root= --companions= --boot-vga= --bootloader= --cpu=; do
	"$vb" "$opt" status >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	rc_is 2
	grep -q "^vfio-boot: option ${opt%=} needs a value\$" "$T/err" || fail "$opt: $(head -1 "$T/err")"
done
"$vb" -r "" status >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 2
has err "vfio-boot: option --root needs a value"
tree_unchanged "empty option values"
end

begin options-a-command-does-not-read
# An option the command would ignore is refused, naming it: nothing is read
# or written. bind and release read the device options only with selectors.
host_tree
for line in "list --driver vfio-pci@01:00.0" "check --cpu intel" "status --force" \
	"unconfigure --all-matching" "bind --preload vendor-reset" "release --companions none" \
	"list --dry-run"; do
	read -r cmd opt _ <<<"$line"
	# shellcheck disable=SC2086 # the words of the line
	"$vb" --root "$T" $line >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	rc_is 2
	case $cmd in
	bind | release) want="vfio-boot: $opt does not apply to $cmd without selectors" ;;
	*) want="vfio-boot: $opt does not apply to $cmd" ;;
	esac
	[ "$(head -n 1 "$T/err")" = "$want" ] ||
		[ "$(head -n 1 "$T/err")" = "$want (the saved selection's own lines apply)" ] ||
		fail "$line: $(head -n 1 "$T/err")"
done
tree_unchanged "options a command does not read"
calls_are ""
# With selectors they apply; --wait goes with every command that locks.
vboot bind --dry-run --companions none --preload vendor-reset 01:00.0
rc_is 0
vboot --wait 1 status
lacks err "does not apply"
vboot --json list --blacklist
rc_is 2
jq -e '.command == "list" and .exit_status == 2 and
	.errors == ["--blacklist does not apply to list"]' "$T/out" >/dev/null ||
	fail "--json: $(cat "$T/out")"
end

begin messages-escaped
# A config line with control bytes reaches the terminal escaped.
host_tree
printf '\033[2Jzz\xff\n10de:2504\n' >"$T/etc/vfio-boot.conf"
vboot check
has out "invalid selector '\x1b[2Jzz\xff'"
! LC_ALL=C grep -q '[[:cntrl:]]' "$T/out" "$T/err" || fail "raw control bytes in the output"
end

# --------------------------------------------- the images configure rebuilds


begin make-demo
# The README's first command: the demo runs to the end (exit 0), binds the
# example card and shows configure's diff.
sh "$here/../../tools/demo.sh" "$bind" >"$work/demo.out" 2>&1 ||
	fail "tools/demo.sh failed: $(tail -3 "$work/demo.out")"
grep -q '0000:01:00.0 \[10de:2504\] bound' "$work/demo.out" || fail "the demo bound nothing"
grep -q '^+10de:2504@0000:01:00.0' "$work/demo.out" || fail "no configure diff in the demo"
end

begin make-install-and-uninstall
# Default PREFIX: programs and man pages under /usr/local, each generator's
# files where it reads them, naming the binder where it went.
d=$work/destdir
make -s -C "$here/../.." install DESTDIR="$d" >/dev/null || fail "make install"
(cd "$d" && find . -type f | sort) >"$work/installed"
cat >"$work/expected" <<'EOF'
./lib/udev/rules.d/69-vfio-boot.rules
./lib/udev/rules.d/81-vfio-boot-vfs.rules
./usr/lib/dracut/modules.d/50vfio-boot/module-setup.sh
./usr/lib/dracut/modules.d/50vfio-boot/vfio-boot-pre-udev.sh
./usr/lib/initcpio/hooks/vfio-boot
./usr/lib/initcpio/install/vfio-boot
./usr/local/sbin/vfio-boot
./usr/local/sbin/vfio-boot-bind
./usr/local/share/bash-completion/completions/vfio-boot
./usr/local/share/man/man5/vfio-boot.conf.5
./usr/local/share/man/man8/vfio-boot-bind.8
./usr/local/share/man/man8/vfio-boot.8
./usr/share/initramfs-tools/hooks/vfio-boot
./usr/share/initramfs-tools/scripts/init-top/00vfio-boot
EOF
[ "$(pkg-config --variable=dracutmodulesdir dracut 2>/dev/null || echo /usr/lib/dracut/modules.d)" = \
	/usr/lib/dracut/modules.d ] || sed -i "s|/usr/lib/dracut/modules.d|$(pkg-config --variable=dracutmodulesdir dracut)|" "$work/expected"
udevdir=$(pkg-config --variable=udevdir udev 2>/dev/null || echo /lib/udev)
[ "$udevdir" = /lib/udev ] || sed -i "s|^\./lib/udev|.$udevdir|" "$work/expected"
sort -o "$work/expected" "$work/expected"
# shellcheck disable=SC2016 # $kernel is udev's
grep -q 'RUN+="/usr/local/sbin/vfio-boot-bind --quiet --device $kernel"' \
	"$d$udevdir/rules.d/69-vfio-boot.rules" || fail "the udev rule does not name /usr/local/sbin/vfio-boot-bind"
cmp -s "$work/installed" "$work/expected" || fail "installed: $(diff "$work/expected" "$work/installed" | head -5)"
for h in usr/share/initramfs-tools/hooks/vfio-boot usr/lib/initcpio/install/vfio-boot \
	usr/lib/dracut/modules.d/50vfio-boot/module-setup.sh; do
	grep -q 'VFIO_BOOT_BIND:-/usr/local/sbin/vfio-boot-bind}' "$d/$h" || fail "$h does not name /usr/local/sbin/vfio-boot-bind"
	! grep -q '@SBINDIR@' "$d/$h" || fail "$h keeps @SBINDIR@"
done
[ "$(readlink "$d/usr/local/share/bash-completion/completions/vfio-boot-bind")" = vfio-boot ] ||
	fail "no vfio-boot-bind completion link"
grep -q '^\.TH VFIO-BOOT 8 .*"vfio-boot [0-9]' "$d/usr/local/share/man/man8/vfio-boot.8" ||
	fail "the man page has no version"
make -s -C "$here/../.." install DESTDIR="$d" PREFIX=/usr >/dev/null || fail "make install PREFIX=/usr"
grep -q 'VFIO_BOOT_BIND:-/usr/sbin/vfio-boot-bind}' "$d/usr/share/initramfs-tools/hooks/vfio-boot" ||
	fail "PREFIX=/usr: the hook does not name /usr/sbin/vfio-boot-bind"
make -s -C "$here/../.." uninstall DESTDIR="$d" PREFIX=/usr >/dev/null || fail "make uninstall PREFIX=/usr"
make -s -C "$here/../.." uninstall DESTDIR="$d" >/dev/null || fail "make uninstall"
left=$(cd "$d" && find . ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
end

begin image-checked-after-configure
installed_tree update-initramfs
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has out "checked: /boot/initrd.img-$kver carries the binder, its hook and /etc/vfio-boot.conf"
echo "root=/dev/sda1 intel_iommu=on iommu=pt" >"$T/proc/cmdline"
vboot check
rc_is 0
has out "ok    install          the binder and the initramfs-tools hooks are installed"
has out "ok    image            /boot/initrd.img-$kver (initramfs-tools) carries the binder, its hook and /etc/vfio-boot.conf as configured"
# The configuration changes without a new image: check and status say so.
vboot configure --no-regenerate 02:00.0
rc_is 0
vboot check
rc_is 3
has out "fail  image            /boot/initrd.img-$kver: the image predates the configuration: run vfio-boot configure again"
vboot status
rc_is 3
has out "image: /boot/initrd.img-$kver: the image predates the configuration: run vfio-boot configure again"
vboot status --json
jq -e --arg p "/boot/initrd.img-$kver" '.as_expected == false and .images[0].path == $p and
	.images[0].state == "stale"' "$T/out" >/dev/null || fail "status --json images"
vboot configure 02:00.0
rc_is 0
vboot status --json
jq -e '.images[0].state == "complete"' "$T/out" >/dev/null || fail "status --json after configure: $(cat "$T/out")"
end

begin image-without-hook-rolls-back
installed_tree update-initramfs
touch "$T/drop-hook"
vboot configure 10de:2504@0000:01:00.0
rc_is 1
has err "vfio-boot: /boot/initrd.img-$kver, just rebuilt, lacks the initramfs-tools hook that runs it (/scripts/init-top/00vfio-boot)"
has err "putting the files back"
tree_unchanged "configure whose image lacks the hook"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state left after a rolled-back first configure"
calls_are "update-grub 
update-initramfs -u -k all
update-grub 
update-initramfs -u -k all"
end

begin check-says-what-is-not-installed
installed_tree update-initramfs
rm "$T/usr/share/initramfs-tools/scripts/init-top/00vfio-boot" "$T/usr/local/sbin/vfio-boot-bind"
vboot check
rc_is 3
has out "fail  install          missing /usr/share/initramfs-tools/scripts/init-top/00vfio-boot"
has out "fail  install          missing /usr/local/sbin/vfio-boot-bind (the binder)"
end

begin unsupported-generators-refused
host_tree
rm "$T/usr/sbin/update-initramfs"
stand_in booster
snapshot_tree >"$work/$current.before"
vboot configure 10de:2504@0000:01:00.0
rc_is 2
one_line_err
has err "booster is not supported"
tree_unchanged "booster"
calls_are ""
rm "$T/usr/sbin/booster"
vboot configure 10de:2504@0000:01:00.0
rc_is 2
has err "no initramfs generator found"
tree_unchanged "no generator"
vboot configure --no-regenerate 10de:2504@0000:01:00.0
rc_is 0
end

begin mkinitcpio-drop-in
installed_tree mkinitcpio
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has out "running: mkinitcpio -P"
has etc/mkinitcpio.conf.d/vfio-boot.conf "HOOKS+=(vfio-boot)"
has out "checked: /boot/initramfs-linux.img carries the binder, its hook and /etc/vfio-boot.conf"
echo "root=/dev/sda1 intel_iommu=on iommu=pt" >"$T/proc/cmdline"
vboot check
rc_is 0
has out "ok    image            /boot/initramfs-linux.img (mkinitcpio) carries the binder"
vboot unconfigure
rc_is 0
[ ! -e "$T/etc/mkinitcpio.conf.d/vfio-boot.conf" ] || fail "unconfigure left the drop-in"
tree_unchanged "unconfigure"
# A preset's config (-c) makes mkinitcpio skip drop-ins: configure warns, and
# the image check catches it.
mkdir -p "$T/etc/mkinitcpio.d"
printf '#ALL_config="/etc/x.conf"\nALL_kver="/boot/vmlinuz-linux"\ndefault_config="/etc/mkinitcpio.conf"\n' \
	>"$T/etc/mkinitcpio.d/linux.preset"
snapshot_tree >"$work/$current.before"
touch "$T/drop-hook"
vboot configure 10de:2504@0000:01:00.0
rc_is 1
has err "/boot/initramfs-linux.img, just rebuilt, lacks the mkinitcpio hook that runs it (/hooks/vfio-boot)"
has out "warning: /etc/mkinitcpio.d/linux.preset sets default_config: mkinitcpio then skips /etc/mkinitcpio.conf.d/vfio-boot.conf"
tree_unchanged "rolled back"
end

# ------------------------------------------------- what boots the kernels

# A systemd-boot host: kernel-install's bls layout, /etc/kernel/cmdline.
kernel_install_tree() { # LAYOUT
	host_tree
	stand_in kernel-install
	mkdir -p "$T/etc/kernel" "$T/boot/efi/loader/entries"
	printf 'layout=%s\n' "$1" >"$T/etc/kernel/install.conf"
	printf 'root=UUID=1234 rw\n' >"$T/etc/kernel/cmdline"
	: >"$T/boot/vmlinuz-$kver"
	: >"$T/boot/initrd.img-$kver"
	snapshot_tree >"$work/$current.before"
}

begin kernel-install-after-regenerate
kernel_install_tree bls
vboot --dry-run configure 10de:2504@0000:01:00.0
rc_is 0
has out "would run: update-initramfs -u -k all"
has out "would run: kernel-install add $kver /boot/vmlinuz-$kver /boot/initrd.img-$kver"
calls_are ""
tree_unchanged "dry run"
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has etc/kernel/cmdline "root=UUID=1234 rw intel_iommu=on iommu=pt"
calls_are "update-initramfs -u -k all
kernel-install add $kver /boot/vmlinuz-$kver /boot/initrd.img-$kver"
: >"$T/var/log/calls"
vboot unconfigure
rc_is 0
calls_are "update-initramfs -u -k all
kernel-install add $kver /boot/vmlinuz-$kver /boot/initrd.img-$kver"
tree_unchanged "unconfigure"
touch "$T/fail-kernel-install"
vboot configure 10de:2504@0000:01:00.0
rc_is 1
has err "kernel-install failed with status 1"
tree_unchanged "a failed kernel-install"
end

begin signed-uki-and-sbctl
kernel_install_tree uki
mkdir -p "$T/boot/efi/EFI/Linux"
# A PE32+ header whose certificate table is not empty: a signed UKI.
printf 'MZ' >"$T/boot/efi/EFI/Linux/debian-$kver.efi"
python3 - "$T/boot/efi/EFI/Linux/debian-$kver.efi" <<'EOF'
import struct, sys
h = bytearray(1024)
h[0:2] = b'MZ'
struct.pack_into('<I', h, 0x3c, 0x80)
h[0x80:0x84] = b'PE\0\0'
o = 0x80 + 24
struct.pack_into('<H', h, o, 0x20b)
struct.pack_into('<I', h, o + 108, 16)
struct.pack_into('<II', h, o + 112 + 4 * 8, 0x400, 0x100)
open(sys.argv[1], 'wb').write(h)
EOF
vboot configure 10de:2504@0000:01:00.0
rc_is 4
has out "sign again: /boot/efi/EFI/Linux/debian-$kver.efi was signed for Secure Boot"
has out "sbsign --key db.key --cert db.crt --output /boot/efi/EFI/Linux/debian-$kver.efi"
vboot unconfigure
# With --json, exit 4 says why in the object: the command is among the warnings.
vboot --json configure 10de:2504@0000:01:00.0
rc_is 4
jq -e --arg w "sign again: /boot/efi/EFI/Linux/debian-$kver.efi was signed" \
	'.exit_status == 4 and .changed and (.warnings | any(startswith($w)))' "$T/out" >/dev/null ||
	fail "--json: no 'sign again' warning: $(jq -c .warnings "$T/out")"
vboot unconfigure
stand_in sbctl
mkdir -p "$T/var/lib/sbctl/keys/db" && : >"$T/var/lib/sbctl/keys/db/db.key"
: >"$T/var/log/calls"
vboot configure 10de:2504@0000:01:00.0
rc_is 0
lacks out "sign again"
calls_are "update-initramfs -u -k all
kernel-install add $kver /boot/vmlinuz-$kver /boot/initrd.img-$kver
sbctl sign-all"
end

begin proxmox-refresh-after-regenerate
kernel_install_tree bls
stand_in proxmox-boot-tool
vboot configure 10de:2504@0000:01:00.0
rc_is 0
calls_are "proxmox-boot-tool refresh
update-initramfs -u -k all
proxmox-boot-tool refresh"
end

# The safety rules on fixture hosts shaped like common boards.
begin links-resolve-in-the-tree
# An absolute link in the tree points into the tree, as under chroot: the
# host path it names (here $work/outside, which exists) is never written.
host_tree
mkdir -p "$work/outside" "$T$work/outside"
ln -s "$work/outside" "$T/etc/modprobe.d"
vboot configure 10de:2504@0000:01:00.0
rc_is 0
[ -z "$(ls -A "$work/outside")" ] || fail "written outside the tree: $(ls "$work/outside")"
grep -q "softdep nouveau pre: vfio-pci" "$T$work/outside/00-vfio-boot.conf" ||
	fail "00-vfio-boot.conf not written where the link points in the tree"
vboot unconfigure
rc_is 0
[ ! -e "$T$work/outside/00-vfio-boot.conf" ] || fail "unconfigure left 00-vfio-boot.conf"
end

begin fifo-as-journal
# A FIFO where the journal belongs: refused at once, not waited for.
host_tree
mkdir -p "$T/var/lib/vfio-boot"
mkfifo "$T/var/lib/vfio-boot/journal"
timeout 20 "$vb" --root "$T" unconfigure >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 1
has err "not a regular file"
end

begin module-index-link-leaves-the-tree
# libkmod opens the indexes by name from the kernel's directory: one that is
# a link would be followed on the host, out of the tree (here to the host's
# own index, which would answer). The kernel is skipped, as for a FIFO.
host_tree
kver=$(basename "$kdir")
rm "$T/lib/modules/$kver/modules.alias.bin"
ln -s "$kdir/modules.alias.bin" "$T/lib/modules/$kver/modules.alias.bin"
vboot check
has err "lib/modules/$kver: a modules.* index is not a regular file; kernel skipped"
has out "no installed kernels under lib/modules"
end

# shellcheck source=tests/configure/flags.sh
. "$here/flags.sh"

# shellcheck source=tests/configure/safety.sh
. "$here/safety.sh"

# shellcheck source=tests/configure/softdep.sh
. "$here/softdep.sh"

# shellcheck source=tests/configure/json.sh
. "$here/json.sh"

# shellcheck source=tests/configure/live.sh
. "$here/live.sh"

# shellcheck source=tests/configure/variant.sh
. "$here/variant.sh"

# shellcheck source=tests/configure/framebuffer.sh
. "$here/framebuffer.sh"

begin journal-records-out-of-order
# Two step records swapped, each whole: damaged (exit 7), nothing changed.
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
python3 - "$T/var/lib/vfio-boot/journal" <<'PY' || fail "cannot swap records"
import sys
data = open(sys.argv[1], 'rb').read()
records, pos = [], 0
while pos < len(data):
    nl = data.index(b'\n', pos)
    end = nl + 1 + int(data[pos:nl].split(b' ')[2]) + 1
    records.append(data[pos:end])
    pos = end
assert records[1].split(b' ')[1] == records[2].split(b' ')[1] == b'step'
records[1], records[2] = records[2], records[1]
open(sys.argv[1], 'wb').write(b''.join(records))
PY
snapshot_tree >"$work/$current.swapped"
for cmd in status unconfigure "configure 02:00.0"; do
	# shellcheck disable=SC2086 # words on purpose
	vboot $cmd
	rc_is 7
	has err "is damaged (record 2: checksum mismatch: a record changed, or records out of order"
	snapshot_tree | cmp -s - "$work/$current.swapped" || fail "$cmd changed files"
done
end

begin xattrs-and-acl-kept-and-restored
# Rewriting a file keeps its extended attributes and ACL; a rollback and
# unconfigure give the original's back, from the journal.
host_tree
grub=$T/etc/default/grub
if ! setfattr -n user.origin -v "the admin's" "$grub" 2>"$T/xattr.err"; then
	echo "skip $current: the file system of $T ($(stat -f -c %T "$T")) refuses user extended attributes: $(cat "$T/xattr.err")"
else
	setfacl -m u:nobody:r "$grub" || fail "setfacl"
	attrs() { getfattr --absolute-names -d -m - -e hex "$grub" | sed 1d; }
	attrs >"$work/$current.attrs"
	grep -q '^system.posix_acl_access=' "$work/$current.attrs" || fail "no ACL to keep"
	cp -p "$grub" "$work/$current.grub"
	# Written, then rolled back: update-initramfs fails.
	touch "$T/fail-update-initramfs"
	vboot configure 10de:2504@01:00.0
	rc_is 1
	cmp -s "$grub" "$work/$current.grub" || fail "grub not rolled back"
	attrs | cmp -s - "$work/$current.attrs" || fail "rollback lost attributes: $(attrs)"
	rm "$T/fail-update-initramfs"
	vboot configure 10de:2504@01:00.0
	rc_is 0
	has etc/default/grub "intel_iommu=on"
	attrs | cmp -s - "$work/$current.attrs" || fail "configure lost attributes: $(attrs)"
	getfacl -cp "$grub" 2>/dev/null | grep -qx "user:nobody:r--" || fail "the ACL is gone"
	# Lost since (as a rewrite by an earlier vfio-boot lost them): unconfigure gives them back.
	setfattr -x user.origin "$grub" || fail "setfattr -x"
	setfacl -b "$grub" || fail "setfacl -b"
	vboot unconfigure
	rc_is 0
	cmp -s "$grub" "$work/$current.grub" || fail "grub not restored byte for byte"
	attrs | cmp -s - "$work/$current.attrs" || fail "unconfigure did not restore attributes: $(attrs)"
	tree_unchanged "unconfigure"
	no_temp_files
fi
end

# Runs vfio-boot ARGS with its first rename (the journal, written once the
# files were read) held back 5 s by strace, and edits /etc/default/grub as the
# admin would meanwhile: then the step that writes it finds the edit.
with_concurrent_grub_edit() { # ARGS...
	local pid i
	rm -f "$T/var/lib/vfio-boot/.journal.vfio-boot-new"
	(timeout -k 5 60 strace -qq -o /dev/null -e trace=renameat,rename,renameat2 \
		-e inject=renameat,rename,renameat2:delay_enter=5000000:when=1 \
		"$vb" --root "$T" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc") &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		[ ! -e "$T/var/lib/vfio-boot/.journal.vfio-boot-new" ] || break
		sleep 0.05
	done
	[ "$i" -lt 200 ] || fail "$1 wrote no journal in 10 s"
	sed -i 's/^GRUB_TIMEOUT=5$/GRUB_TIMEOUT=12/' "$T/etc/default/grub"
	cp "$T/etc/default/grub" "$work/$current.edited"
	wait "$pid"
}

begin concurrent-grub-edit-during-configure
# The conflict is caught; the step changed nothing and needs no undo, the
# steps before it are rolled back, and the tree stays usable: status,
# configure and unconfigure run clean, and the admin's edit stays.
host_tree
with_concurrent_grub_edit configure 10de:2504@01:00.0
rc_is 1
has err "/etc/default/grub changed while vfio-boot was working on it"
cmp -s "$T/etc/default/grub" "$work/$current.edited" || fail "the admin's edit is lost"
[ ! -e "$T/etc/vfio-boot.conf" ] || fail "the selection was not rolled back"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "the journal keeps a changeset"
vboot status
rc_is 0
vboot configure 10de:2504@01:00.0
rc_is 0
has etc/default/grub "GRUB_TIMEOUT=12"
has etc/default/grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"'
vboot unconfigure
rc_is 0
cmp -s "$T/etc/default/grub" "$work/$current.edited" || fail "unconfigure lost the admin's edit"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state directory left"
end

begin concurrent-grub-edit-during-unconfigure
# The same during unconfigure: it is rolled back, configure's record kept;
# the next unconfigure takes configure's edit out and keeps the admin's.
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
with_concurrent_grub_edit unconfigure
rc_is 1
has err "/etc/default/grub changed while vfio-boot was working on it"
has etc/default/grub "GRUB_TIMEOUT=12"
has etc/vfio-boot.conf "10de:2504@0000:01:00.0"
vboot status
rc_is 3 # configured, the binder not run in this boot: not ready
vboot unconfigure
rc_is 0
has out "the edits made since are kept"
printf '%s\n' "$grub_default" | sed 's/^GRUB_TIMEOUT=5$/GRUB_TIMEOUT=12/' |
	cmp -s - "$T/etc/default/grub" || fail "not the admin's file: $(cat "$T/etc/default/grub")"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "state directory left"
end

begin dangling-modprobe-d-link
# etc/modprobe.d a link to a directory that is not there. Its directory
# exists: configure makes the target, unconfigure removes it, the link stays.
host_tree
mkdir -p "$T/srv"
ln -s /srv/modprobe.d "$T/etc/modprobe.d"
baseline
vboot configure 10de:2504@01:00.0
rc_is 0
has srv/modprobe.d/00-vfio-boot.conf "softdep nouveau pre: vfio-pci"
vboot status
rc_is 3 # configured, the binder not run in this boot
vboot unconfigure
rc_is 0
[ ! -e "$T/srv/modprobe.d" ] || fail "the directory made at the link's target is left"
[ -L "$T/etc/modprobe.d" ] || fail "the link is gone"
tree_unchanged "unconfigure"
# Its directory missing too: refused in one line, nothing changed, nothing wedged.
ln -sfn /nowhere/modprobe.d "$T/etc/modprobe.d"
baseline
vboot configure 10de:2504@01:00.0
rc_is 1
has err "cannot make directory /etc/modprobe.d: No such file or directory"
tree_unchanged "a refused configure"
[ ! -e "$T/var/lib/vfio-boot" ] || fail "the journal keeps a changeset"
vboot status
rc_is 0
vboot unconfigure
rc_is 0
has out "not configured"
vboot configure 10de:2504@01:00.0
rc_is 1
tree_unchanged "a second refused configure"
end

summary configure
