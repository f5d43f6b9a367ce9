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
# the initramfs, and `vfio-boot status` exiting 0. In the same boot, after
# it (issue 18): a bochs-display hot-plugged by QMP on an empty root port
# goes to vfio-pci (taken from bochs-drm), an ich9-intel-hda the selection
# does not name keeps snd_hda_intel; `vfio-boot release` gives the card to
# bochs-drm, snd_hda_intel and xhci_hcd, `vfio-boot bind` takes it back, and
# release is refused (exit 9) while a process holds /dev/vfio/N open.
# Issue 19: a stand-in vfio-pci variant module built here for the tree's
# kernel (tests/system/variant) takes QEMU's pci-testdev at boot under its
# own driver name, and an nvme gets the reset_method the configuration sets.
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
# The rig's card, and a second bochs-display that boot 1 has on rp2 and
# boot 2 gets by hotplug; boot 2 also hot-plugs a device the selection does
# not name on rp3. QEMU's nvme on rp4 is an SR-IOV physical function.
HP_VGA=0000:02:00.0
HP_OTHER=0000:03:00.0
NVME_PF=0000:04:00.0
NVME_VFS="0000:04:00.1 0000:04:00.2"
# Issue 19: QEMU's pci-testdev, which a stand-in variant driver built here
# takes (its driver's name is not its module's), and a plain nvme on rp5
# whose reset_method the configuration sets.
VARIANT_DEV=0000:00:07.0
VARIANT_MODULE=vbtest_vfio_pci
VARIANT_DRIVER=vbtest-variant
RESET_DEV=0000:05:00.0
selection="--vfs 2@$NVME_PF --reset-method bus@$RESET_DEV 1234:1111@0000:01:00.0 1234:1111@$HP_VGA"
selection="$selection 1b36:0005@$VARIANT_DEV 1b36:0010@$RESET_DEV"

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

# A vfio-pci variant installed as DKMS would: out of tree, built against
# the tree kernel's headers, in /lib/modules/KVER/updates, depmod run.
step "the stand-in variant module, built for $kver"
variant_ko=$("$here/variant/build.sh" "$kver" "$tmp/variant") || fatal "no variant module"
install -D -m 0644 "$variant_ko" "$tree/lib/modules/$kver/updates/$VARIANT_MODULE.ko"
chroot "$tree" depmod "$kver" || fatal "depmod $kver in the tree failed"
grep -q "^alias vfio_pci:v00001B36d00000005.* $VARIANT_MODULE\$" "$tree/lib/modules/$kver/modules.alias" ||
	fatal "modules.alias in the tree lacks the variant's vfio_pci: alias"

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
# SR-IOV (issue 18): the nvme's functions as the boot left them, before
# anything live (vfio-boot bind would make the VFs too).
for a in $NVME_PF $NVME_VFS; do
	d=none
	[ -e /sys/bus/pci/devices/\$a/driver ] && d=\$(readlink /sys/bus/pci/devices/\$a/driver)
	[ -e /sys/bus/pci/devices/\$a ] || d=absent
	echo "\$a \${d##*/}"
done >/run/vfio-boot-test/sriov-links
cat /sys/bus/pci/devices/$NVME_PF/sriov_numvfs >/run/vfio-boot-test/sriov-numvfs 2>&1
# Variant and reset method (issue 19): "ADDRESS DRIVER OVERRIDE" as the
# boot left them, the nvme's reset_method, and status.json before anything
# live rewrites it.
for a in $VARIANT_DEV $RESET_DEV; do
	d=none
	[ -e /sys/bus/pci/devices/\$a/driver ] && d=\$(readlink /sys/bus/pci/devices/\$a/driver)
	echo "\$a \${d##*/} \$(cat /sys/bus/pci/devices/\$a/driver_override)"
done >/run/vfio-boot-test/variant-links
cat /sys/bus/pci/devices/$RESET_DEV/reset_method >/run/vfio-boot-test/reset-method 2>&1
cp /run/vfio-boot/status.json /run/vfio-boot-test/boot-status
# Hotplug (issue 18): the host adds two devices by QMP once it reads this
# line; the new bochs-display goes to vfio-pci, the other keeps its driver.
echo "vfio-boot-test: hotplug now"
/usr/local/sbin/vfio-boot-hotplug-test
systemctl is-active systemd-udev-trigger.service >/run/vfio-boot-test/udev-trigger 2>&1
/usr/local/sbin/vfio-boot status >/run/vfio-boot-test/vfio-boot-status 2>&1
echo \$? >/run/vfio-boot-test/vfio-boot-status-exit
# After boot, live (issue 18): release, bind, release refused while the
# group is open. The kernel log from here on is the live part's.
echo "vfio-boot-test: live part begins" >/dev/kmsg
/usr/local/sbin/vfio-boot-live-test
exec /usr/local/sbin/vfio-boot-test-report system
EOF
chmod 755 "$tree/usr/local/sbin/vfio-boot-system-test"
# The live part, in the second boot's real root: each step's output, exit
# status and the card's driver links (as the guest's sysfs has them) go to
# files that the report prints.
cat >"$tree/usr/local/sbin/vfio-boot-live-test" <<EOF
#!/bin/sh
# tests/system only: vfio-boot release and bind on the running system.
out=/run/vfio-boot-test
links() { # FILE: "ADDRESS DRIVER OVERRIDE" for each function of the card
	for a in $PCI_CARD; do
		d=none
		[ -e /sys/bus/pci/devices/\$a/driver ] && d=\$(readlink /sys/bus/pci/devices/\$a/driver)
		echo "\$a \${d##*/} \$(cat /sys/bus/pci/devices/\$a/driver_override)"
	done >"\$out/\$1"
}
step() { # NAME COMMAND...: its output, exit status, the card's links after it
	name=\$1
	shift
	"\$@" >"\$out/\$name" 2>&1
	echo \$? >"\$out/\$name-exit"
	links "\$name-links"
}
step release /usr/local/sbin/vfio-boot release
step bind /usr/local/sbin/vfio-boot bind
# A VM's stand-in: a process that holds the card's group open.
grp=\$(readlink /sys/bus/pci/devices/$PT_VGA/iommu_group)
grp=\${grp##*/}
sleep 600 <"/dev/vfio/\$grp" &
holder=\$!
sleep 1
echo "\$holder \$(readlink /proc/\$holder/fd/0)" >"\$out/holder"
step release-busy /usr/local/sbin/vfio-boot release
kill \$holder
wait \$holder 2>/dev/null
exit 0
EOF
chmod 755 "$tree/usr/local/sbin/vfio-boot-live-test"
# Hotplug, guest side: waits (bounded) for the host's two devices, then for
# the selected one to be on vfio-pci; the seconds between its appearance and
# vfio-pci, and the driver links, go to files for the report.
cat >"$tree/usr/local/sbin/vfio-boot-hotplug-test" <<EOF
#!/bin/sh
# tests/system only: what udev's rule does with hot-plugged devices.
out=/run/vfio-boot-test
drv() {
	d=none
	[ -e /sys/bus/pci/devices/\$1/driver ] && d=\$(readlink /sys/bus/pci/devices/\$1/driver)
	echo "\${d##*/}"
}
wait_for() { # CONDITION...: polls it every 0.2 s, 60 s at most
	i=0
	until "\$@" || [ \$i -ge 300 ]; do sleep 0.2; i=\$((i + 1)); done
}
present() { [ -e /sys/bus/pci/devices/\$1 ]; }
on() { [ "\$(drv \$1)" = \$2 ]; }
bound() { [ "\$(drv \$1)" != none ]; }
wait_for present $HP_VGA
t0=\$(cut -d' ' -f1 /proc/uptime)
wait_for on $HP_VGA vfio-pci
t1=\$(cut -d' ' -f1 /proc/uptime)
wait_for present $HP_OTHER
wait_for bound $HP_OTHER
udevadm settle --timeout=60
echo "\$t0 \$t1" | awk '{ printf "%.1f\n", \$2 - \$1 }' >\$out/hotplug-seconds
for a in $HP_VGA $HP_OTHER; do
	present \$a && echo "\$a \$(drv \$a) \$(cat /sys/bus/pci/devices/\$a/driver_override)"
done >\$out/hotplug-links
# status.json as the hotplug left it (release and bind rewrite it later).
cp /run/vfio-boot/status.json \$out/hotplug-status
exit 0
EOF
chmod 755 "$tree/usr/local/sbin/vfio-boot-hotplug-test"
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
# Both boots: two root ports for hotplug (rp2 reserves room for the
# bochs-display's 16 MiB prefetchable BAR), and QEMU's nvme with SR-IOV
# behind an nvme-subsys on rp4. Boot 1 has a bochs-display on rp2, so that
# configure sees it (a card the user plugs in later).
rig_extra=(-drive "file=$tmp/disk.img,if=virtio,format=raw" -cpu "max,vendor=GenuineIntel"
	-device "pcie-root-port,id=rp2,chassis=2,slot=2,bus=pcie.0,addr=03.0,pref32-reserve=32M,mem-reserve=4M"
	-device "pcie-root-port,id=rp3,chassis=3,slot=3,bus=pcie.0,addr=05.0"
	-device "pcie-root-port,id=rp4,chassis=4,slot=4,bus=pcie.0,addr=06.0"
	-device "nvme-subsys,id=nvs"
	-device "nvme,id=nvme0,bus=rp4,serial=vfioboot,subsys=nvs,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2"
	-device "pci-testdev,bus=pcie.0,addr=07.0"
	-device "pcie-root-port,id=rp5,chassis=5,slot=5,bus=pcie.0,addr=08.0"
	-device "nvme,id=nvme1,bus=rp5,serial=vbreset")
RIG_QEMU_EXTRA=("${rig_extra[@]}" -device "bochs-display,bus=rp2,id=hp0")

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
check "configure found the variant in the kernel's modules.alias" grep -q \
	"^configure .*$VARIANT_DEV goes to the vfio-pci variant $VARIANT_MODULE (its vfio_pci: alias in $kver)" "$report"

from_disk "/boot/initrd.img-$kver" "$tmp/initrd.second" || fatal "no /boot/initrd.img-$kver on the disk"
from_disk /boot/vfio-boot-test-cmdline "$tmp/cmdline" || fatal "update-grub left no command line"
grub=$(sed 's/\bquiet\b//g; s/  */ /g; s/^ //; s/ $//' "$tmp/cmdline")
check "the guest regenerated its image" bash -c "! cmp -s '$tmp/initrd.first' '$tmp/initrd.second'"
check "update-grub saw the IOMMU flags: $grub" [ "$grub" = "intel_iommu=on iommu=pt" ]
check "the regenerated image carries the variant module" \
	grep -q "/updates/$VARIANT_MODULE.ko\$" <(lsinitramfs "$tmp/initrd.second")

# ----------------------------------------------------------- second boot

step "boot 2: the image and the command line configure left"
RIG_QEMU_EXTRA=("${rig_extra[@]}" -qmp "unix:$tmp/qmp.sock,server=on,wait=off")
# The host side of the hotplug: once the guest's console says so, QMP
# device_add of a bochs-display on rp2 (the selection names it) and of an
# ich9-intel-hda on rp3 (it does not). Bounded by the boot's time limit.
hotplug_by_qmp() {
	local i
	for ((i = 0; i < RIG_BOOT_TIMEOUT; i++)); do
		grep -q 'vfio-boot-test: hotplug now' "$tmp/second.serial" 2>/dev/null && break
		sleep 1
	done
	python3 - "$tmp/qmp.sock" <<'QMP'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(60)
s.connect(sys.argv[1])
f = s.makefile("rw")
def answer():
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
print("greeting", answer())
for cmd in ({"execute": "qmp_capabilities"},
            {"execute": "device_add", "arguments": {"driver": "bochs-display", "bus": "rp2", "id": "hp1"}},
            {"execute": "device_add", "arguments": {"driver": "ich9-intel-hda", "bus": "rp3", "id": "hp2"}}):
    f.write(json.dumps(cmd) + "\n")
    f.flush()
    r = answer()
    print(cmd["execute"], r)
    if "return" not in r:
        sys.exit(1)
QMP
}
rm -f "$tmp/second.serial"
hotplug_by_qmp >"$tmp/qmp.log" 2>&1 &
qmp_pid=$!
if rig_boot second "$tmp/vmlinuz" "$tmp/initrd.second" "root=/dev/vda rw $RIG_APPEND $grub" \
	>"$tmp/second.why"; then
	ok "boot 2 reached the test unit in the real root (${wall} s)"
else
	bad "boot 2 reached the test unit"
	cat "$tmp/second.why"
	kill "$qmp_pid" 2>/dev/null
	fatal "no second boot"
fi
wait "$qmp_pid"
qmp_exit=$?
# The boot's checks read the kernel log up to the live part only (release
# lets the native drivers probe the card).
live_report=$report
report=$tmp/second.boot.report
sed '/^kmsg .*vfio-boot-test: live part begins/,$d' "$live_report" >"$report"
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

# ------------------------------------------------- after boot, live

step "boot 2, live: vfio-boot release, bind, release while the group is open"
live() { sed -n "s/^file $1 //p" "$live_report"; }
link_is() { # STEP ADDR DRIVER OVERRIDE: the driver link and override after STEP
	local got
	got=$(live "$1-links" | awk -v a="$2" '$1 == a { print $2, $3 }')
	[ "$got" = "$3 $4" ] || {
		printf "    after %s, %s: got '%s', want '%s %s'\n" "$1" "$2" "$got" "$3" "$4"
		return 1
	}
}
live release | sed 's/^/    | /'
check "vfio-boot release exits 0" [ "$(live release-exit)" = 0 ]
check "release: $PT_VGA back on bochs-drm" link_is release "$PT_VGA" bochs-drm '(null)'
check "release: $PT_AUDIO back on snd_hda_intel" link_is release "$PT_AUDIO" snd_hda_intel '(null)'
check "release: $PT_USB back on xhci_hcd" link_is release "$PT_USB" xhci_hcd '(null)'
check "release says the next boot binds them again" grep -q 'next boot binds' <(live release)
live bind | sed 's/^/    | /'
check "vfio-boot bind exits 0" [ "$(live bind-exit)" = 0 ]
for a in $PCI_CARD; do
	check "bind: $a on vfio-pci again, override vfio-pci" link_is bind "$a" vfio-pci vfio-pci
done
holder=$(live holder)
holds_group() { [[ $1 =~ ^[0-9]+\ /dev/vfio/[0-9]+$ ]]; }
check "a process holds the group open: $holder" holds_group "$holder"
live release-busy | sed 's/^/    | /'
check "release refused with exit 9 while the group is open" [ "$(live release-busy-exit)" = 9 ]
check "release names the holder: sleep (pid ${holder%% *})" \
	grep -q "is open by sleep (pid ${holder%% *})" <(live release-busy)
for a in $PCI_CARD; do
	check "release refused: $a stays on vfio-pci" link_is release-busy "$a" vfio-pci vfio-pci
done

# ---------------------------------------------------------- hotplug

step "boot 2, hotplug: QMP device_add after boot"
sed 's/^/    qmp: /' "$tmp/qmp.log"
check "QMP device_add of both devices answered" [ "$qmp_exit" = 0 ]
hp_link_is() { # ADDR DRIVER OVERRIDE
	local got
	got=$(live hotplug-links | awk -v a="$1" '$1 == a { print $2, $3 }')
	[ "$got" = "$2 $3" ] || {
		printf "    hot-plugged %s: got '%s', want '%s %s'\n" "$1" "$got" "$2" "$3"
		return 1
	}
}
secs=$(live hotplug-seconds)
check "hot-plugged bochs-display $HP_VGA (named) on vfio-pci" hp_link_is "$HP_VGA" vfio-pci vfio-pci
check "it got there within 10 s of appearing (${secs:-?} s)" awk -v s="${secs:-99}" 'BEGIN { exit !(s < 10) }'
hotplug_entry() { # ADDR: its entry in status.json after the hotplug
	live hotplug-status | tr -d '\n' | grep -o "{[^{}]*\"address\": *\"$1\"[^{}]*}"
}
hotplug_bound() { # ADDR
	local e
	e=$(hotplug_entry "$1")
	grep -q '"event": *"hotplug"' <<<"$e" && grep -q '"result": *"bound"' <<<"$e"
}
check "status.json after the hotplug: $HP_VGA bound, event hotplug" hotplug_bound "$HP_VGA"
check "bochs-drm (loaded for the boot VGA) took it first; the rule took it back" \
	grep -q '"reason": *"taken from bochs-drm"' <(hotplug_entry "$HP_VGA")
check "hot-plugged ich9-intel-hda $HP_OTHER (not named) keeps snd_hda_intel" \
	hp_link_is "$HP_OTHER" snd_hda_intel '(null)'

# ----------------------------------------------------------- SR-IOV

step "boot 2, SR-IOV: vfs=2@$NVME_PF"
sriov_is() { # ADDR DRIVER: as the boot left it, before anything live
	local got
	got=$(live sriov-links | awk -v a="$1" '$1 == a { print $2 }')
	[ "$got" = "$2" ] || {
		printf "    %s after boot: got '%s', want '%s'\n" "$1" "$got" "$2"
		return 1
	}
}
check "after boot, $NVME_PF has sriov_numvfs 2" [ "$(live sriov-numvfs)" = 2 ]
for vf in $NVME_VFS; do
	check "after boot, VF $vf on vfio-pci" sriov_is "$vf" vfio-pci
done
check "after boot, the physical function $NVME_PF stays on nvme" sriov_is "$NVME_PF" nvme

# ------------------------------------------ variant and reset method

step "boot 2, beyond plain vfio-pci: the variant driver and reset_method"
variant_is() { # ADDR DRIVER OVERRIDE: as the boot left them
	local got
	got=$(live variant-links | awk -v a="$1" '$1 == a { print $2, $3 }')
	[ "$got" = "$2 $3" ] || {
		printf "    %s after boot: got '%s', want '%s %s'\n" "$1" "$got" "$2" "$3"
		return 1
	}
}
boot_entry() { # ADDR: its entry in status.json as the boot left it
	live boot-status | tr -d '\n' | grep -o "{[^{}]*\"address\": *\"$1\"[^{}]*}"
}
entry_has() { # ADDR KEY VALUE
	grep -q "\"$2\": *\"$3\"" <<<"$(boot_entry "$1")" || {
		printf "    %s: %s\n" "$1" "$(boot_entry "$1")"
		return 1
	}
}
check "$VARIANT_DEV on the variant's driver $VARIANT_DRIVER (module $VARIANT_MODULE), override the driver's name" \
	variant_is "$VARIANT_DEV" "$VARIANT_DRIVER" "$VARIANT_DRIVER"
check "status.json: $VARIANT_DEV bound" entry_has "$VARIANT_DEV" result bound
check "status.json: $VARIANT_DEV driver $VARIANT_DRIVER" entry_has "$VARIANT_DEV" driver "$VARIANT_DRIVER"
check "kernel log: the variant's probe ran for $VARIANT_DEV" \
	grep -q "$VARIANT_DRIVER $VARIANT_DEV: vfio-boot test variant bound" "$live_report"
check "$RESET_DEV on vfio-pci" variant_is "$RESET_DEV" vfio-pci vfio-pci
check "$RESET_DEV reset_method is bus (QEMU's nvme offers flr and bus)" [ "$(live reset-method)" = bus ]
check "status.json: $RESET_DEV reset_method bus" entry_has "$RESET_DEV" reset_method bus

say "  total $(($(date +%s) - t_all)) s"
summary
