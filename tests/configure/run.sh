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
mksysfs=$here/../fixture/mksysfs
busybox=$(command -v busybox) || { echo "configure: busybox is required" >&2; exit 1; }
kdir=$(find /lib/modules/ -mindepth 2 -maxdepth 2 -name modules.alias.bin -printf '%h\n' | sort | head -n 1)
[ -d "$kdir" ] || { echo "configure: no installed kernel module index" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 case_failed=0 current=

begin() { current=$1 case_failed=0; T=$work/$1; }
fail() { echo "FAIL [$current]: $*" >&2; case_failed=1; }
end() {
	if [ "$case_failed" = 0 ]; then passed=$((passed + 1)); echo "ok   $current"
	else failed=$((failed + 1)); fi
}

# shellcheck disable=SC2016 # the backquotes belong to the file
grub_default='# If you change this file, run update-grub afterwards.
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""'

# stand_in NAME: a command that logs its arguments, talks on stdout as the
# real ones do, and fails when /fail-NAME exists.
stand_in() {
	mkdir -p "$T/usr/sbin"
	cat >"$T/usr/sbin/$1" <<STUB
#!/bin/sh
echo "$1 \$*" >>/var/log/calls
echo "stand-in $1 ran"
[ ! -e /fail-$1 ]
STUB
	chmod +x "$T/usr/sbin/$1"
}

# The example host of tests/fixture/host.spec, or the host of the spec given.
host_tree() {
	{ echo "!cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet"
	  cat "${1:-$here/../fixture/host.spec}"; } | "$mksysfs" "$T" || fail "mksysfs"
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n' >"$T/proc/cpuinfo"
	printf '  24:  0  IR-PCI-MSI 512000-edge  ahci\n' >"$T/proc/interrupts"
	mkdir -p "$T/etc/default" "$T/lib/modules" "$T/bin" "$T/var/log"
	printf '%s\n' "$grub_default" >"$T/etc/default/grub"
	mkdir "$T/lib/modules/$(basename "$kdir")"
	cp "$kdir"/modules.* "$T/lib/modules/$(basename "$kdir")/"
	cp "$busybox" "$T/bin/sh"
	stand_in update-grub
	stand_in update-initramfs
	# vfio-boot installed as `make install` puts it (check looks for it).
	make -s -C "$here/../.." install DESTDIR="$T" >/dev/null || fail "make install"
	# What the tests compare "unchanged" and "restored" against.
	snapshot_tree >"$work/$current.before"
}

# The tree with vfio-boot installed as `make install` puts it, the running
# kernel's version, and a stand-in generator NAME that builds a real image
# (busybox cpio and gzip, inside the chroot) the way that generator lays it
# out: the binder and /etc/vfio-boot.conf, and the hook unless /drop-hook
# exists. Images land where the generator writes them.
installed_tree() { # GENERATOR
	host_tree
	rm -f "$T/usr/sbin/update-initramfs"
	cp "$busybox" "$T/bin/busybox"
	mkdir -p "$T/proc/sys/kernel"
	printf '%s\n' "$kver" >"$T/proc/sys/kernel/osrelease"
	mkdir -p "$T/boot" "$T/tmp"
	{
		printf '#!/bin/sh\n# tests/configure: stands in for %s, building a real image.\n' "$1"
		printf 'echo "%s $*" >>/var/log/calls\n[ ! -e /fail-%s ] || exit 1\n' "$1" "$1"
		cat <<'EOF'
b=busybox d=/tmp/image
$b rm -rf $d && $b mkdir -p $d/usr/sbin $d/etc || exit 1
$b cp /usr/local/sbin/vfio-boot-bind $d/usr/sbin/ || exit 1
[ ! -e /etc/vfio-boot.conf ] || $b cp /etc/vfio-boot.conf $d/etc/
EOF
		case $1 in
		update-initramfs) cat <<'EOF'
$b mkdir -p $d/conf $d/scripts/init-top && : >$d/conf/initramfs.conf
if [ ! -e /drop-hook ]; then
	$b cp /usr/share/initramfs-tools/scripts/init-top/00vfio-boot $d/scripts/init-top/
	echo '/scripts/init-top/00vfio-boot "$@"' >$d/scripts/init-top/ORDER
fi
image=/boot/initrd.img-KVER
EOF
			;;
		mkinitcpio) cat <<'EOF'
# Like mkinitcpio: the hooks of mkinitcpio.conf and of the drop-ins after it.
$b mkdir -p $d/hooks && : >$d/init_functions
early=udev
if $b cat /etc/mkinitcpio.conf.d/*.conf 2>/dev/null | $b grep -q '^HOOKS+=(vfio-boot)$' &&
	[ ! -e /drop-hook ]; then
	$b cp /usr/lib/initcpio/hooks/vfio-boot $d/hooks/
	early="udev vfio-boot"
fi
echo "EARLYHOOKS=\"$early\"" >$d/config
image=/boot/initramfs-linux.img
EOF
			;;
		esac
		cat <<'EOF'
(cd $d && $b find . | $b cpio -o -H newc 2>/dev/null | $b gzip) >/boot/image.new &&
	$b mv /boot/image.new $image
EOF
	} | sed "s/KVER/$kver/" >"$T/usr/sbin/$1"
	chmod 755 "$T/usr/sbin/$1"
	[ "$1" != mkinitcpio ] || printf 'linux\n' >"$T/lib/modules/$kver/pkgbase"
	snapshot_tree >"$work/$current.before"
}
kver=$(basename "$kdir")

# A listing of every regular file and link under etc/ and var/lib with checksums.
snapshot_tree() {
	(cd "$T" && find etc var/lib -type f -o -type l 2>/dev/null | sort | while read -r f; do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
		else echo "$f $(stat -c %a "$f") $(md5sum <"$f" | cut -d' ' -f1)"; fi
	done)
}
tree_unchanged() {
	snapshot_tree >"$work/$current.after"
	cmp -s "$work/$current.before" "$work/$current.after" ||
		fail "$1: files changed: $(diff "$work/$current.before" "$work/$current.after" | head -5)"
}
# Every run is guarded: one that waits for ever fails the case (124).
vboot() {
	timeout -k 5 60 "$vb" --root "$T" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	[ "$(cat "$T/rc")" != 124 ] || fail "vfio-boot $* did not return within 60 s"
}
rc_is() { [ "$(cat "$T/rc")" = "$1" ] || fail "exit status $(cat "$T/rc"), want $1: $(head -c 400 "$T/err")"; }
has() { grep -qF -- "$2" "$T/$1" || fail "$1 lacks '$2'"; }
lacks() { ! grep -qF -- "$2" "$T/$1" || fail "$1 has '$2'"; }
calls_are() {
	local got
	got=$(cat "$T/var/log/calls" 2>/dev/null)
	[ "$got" = "$1" ] || fail "commands run: '$got', want '$1'"
}
one_line_err() { [ "$(wc -l <"$T/err")" = 1 ] || fail "want one error line, got: $(cat "$T/err")"; }

begin configure-by-id-at-address
host_tree
vboot configure 10de:2504@0000:01:00.0
rc_is 0
has out "selected  0000:01:00.0 [10de:2504]"
has out "companion 0000:01:00.1 [10de:228e]"
lacks out "0000:02:00"
has etc/vfio-boot.conf "10de:2504@0000:01:00.0"
has etc/vfio-boot.conf "companions=slot"
lacks etc/modprobe.d/vfio.conf "ids="
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
[ ! -e "$T/etc/modprobe.d/vfio.conf" ] || fail "vfio.conf created by configure not removed"
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
lacks etc/modprobe.d/vfio.conf "options vfio-pci ids="
has etc/modprobe.d/vfio.conf "softdep nouveau pre: vfio-pci"
has etc/vfio-boot.conf "0000:02:00.0"
end

begin existing-modprobe-file-kept-and-restored
host_tree
mkdir -p "$T/etc/modprobe.d"
printf 'options vfio-pci ids=dead:beef\n' >"$T/etc/modprobe.d/vfio.conf"
chmod 600 "$T/etc/modprobe.d/vfio.conf"
snapshot_tree >"$work/$current.before"
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
vboot configure --force 10de:2504@01:00.0,1234:5678
rc_is 0
has etc/vfio-boot.conf "1234:5678"
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
snapshot_tree >"$work/$current.before"
vboot configure 10de:2504@01:00.0
rc_is 4
has out "add these flags to the kernel command line:"
has out "  intel_iommu=on iommu=pt"
has etc/vfio-boot.conf "10de:2504"
vboot configure --bootloader none 10de:2504@01:00.0
rc_is 0
has out "--bootloader none: add these flags to the kernel command line yourself:"
has out "  intel_iommu=on iommu=pt"
end

begin systemd-boot
host_tree
mkdir -p "$T/etc/kernel"
printf 'root=UUID=1234 rw iommu=soft\n' >"$T/etc/kernel/cmdline"
vboot configure --cpu amd 02:00.0
rc_is 0
has etc/kernel/cmdline "root=UUID=1234 rw iommu=pt amd_iommu=on"
lacks etc/kernel/cmdline "iommu=soft"
end

begin grubby
host_tree
stand_in grubby
vboot configure 10de:2504@01:00.0 --no-regenerate
rc_is 0
calls_are "grubby --update-kernel=ALL --args intel_iommu=on iommu=pt"
: >"$T/var/log/calls"
vboot unconfigure --no-regenerate
rc_is 0
calls_are "grubby --update-kernel=ALL --remove-args intel_iommu=on iommu=pt"
end

begin blacklist-spares-host-drivers
host_tree
vboot configure --blacklist 10de:2504@01:00.0
rc_is 0
has etc/modprobe.d/vfio.conf "blacklist xhci_pci"
lacks etc/modprobe.d/vfio.conf "blacklist snd_hda_intel"
has out "not blacklisting snd_hda_intel: the host keeps 0000:00:1f.3, which needs it"
# The identical card the host keeps needs nouveau.
lacks etc/modprobe.d/vfio.conf "blacklist nouveau"
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
vboot configure --no-regenerate 10de:2504,01:00.0
rc_is 0
has out "not checked against hardware"
lacks etc/modprobe.d/vfio.conf "ids="
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
installed_tree update-initramfs
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
has out "0000:01:00.0: IOMMU group 12 also holds 0000:01:00.1 (not selected), 0000:01:00.2 (not selected), 0000:01:00.3 (not selected)"
{ echo "01:00.0"; head -c 70000 /dev/zero | tr '\0' '#'; echo; } >"$T/etc/vfio-boot.conf"
vboot check
rc_is 3
has out "fail  selection        cannot read /etc/vfio-boot.conf: File too large"
end

begin framebuffer-on-bar
installed_tree update-initramfs
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
	etc/default/grub etc/vfio-boot.conf etc/modprobe.d/vfio.conf var/lib/vfio-boot/manifest \
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

begin messages-escaped
# A config line with control bytes reaches the terminal escaped.
host_tree
printf '\033[2Jzz\xff\n10de:2504\n' >"$T/etc/vfio-boot.conf"
vboot check
has out "invalid selector '\x1b[2Jzz\xff'"
! LC_ALL=C grep -q '[[:cntrl:]]' "$T/out" "$T/err" || fail "raw control bytes in the output"
end

# --------------------------------------------- the images configure rebuilds


begin make-install-and-uninstall
# Default PREFIX: programs and man pages under /usr/local, each generator's
# files where it reads them, naming the binder where it went.
d=$work/destdir
make -s -C "$here/../.." install DESTDIR="$d" >/dev/null || fail "make install"
(cd "$d" && find . -type f | sort) >"$work/installed"
cat >"$work/expected" <<'EOF'
./usr/lib/dracut/modules.d/50vfio-boot/module-setup.sh
./usr/lib/dracut/modules.d/50vfio-boot/vfio-boot-pre-udev.sh
./usr/lib/initcpio/hooks/vfio-boot
./usr/lib/initcpio/install/vfio-boot
./usr/local/sbin/vfio-boot
./usr/local/sbin/vfio-boot-bind
./usr/local/share/bash-completion/completions/vfio-boot
./usr/local/share/man/man8/vfio-boot-bind.8
./usr/local/share/man/man8/vfio-boot.8
./usr/share/initramfs-tools/hooks/vfio-boot
./usr/share/initramfs-tools/scripts/init-top/00vfio-boot
EOF
[ "$(pkg-config --variable=dracutmodulesdir dracut 2>/dev/null || echo /usr/lib/dracut/modules.d)" = \
	/usr/lib/dracut/modules.d ] || sed -i "s|/usr/lib/dracut/modules.d|$(pkg-config --variable=dracutmodulesdir dracut)|" "$work/expected"
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
vboot configure --no-regenerate 01:00.0
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
vboot configure 01:00.0
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
grep -q "softdep nouveau pre: vfio-pci" "$T$work/outside/vfio.conf" ||
	fail "vfio.conf not written where the link points in the tree"
vboot unconfigure
rc_is 0
[ ! -e "$T$work/outside/vfio.conf" ] || fail "unconfigure left vfio.conf"
end

begin fifo-as-manifest
# A FIFO where the manifest belongs: refused at once, not waited for.
host_tree
mkdir -p "$T/var/lib/vfio-boot"
mkfifo "$T/var/lib/vfio-boot/manifest"
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

# shellcheck source=tests/configure/safety.sh
. "$here/safety.sh"


# --json: one object on stdout and nothing else (jq -s sees exactly one value).
json_is() { # DESCRIPTION JQ-FILTER
	jq -s -e 'length == 1' "$T/out" >/dev/null 2>&1 || {
		fail "$1: stdout is not one JSON value: $(head -c 300 "$T/out")"
		return
	}
	jq -e "$2" "$T/out" >/dev/null || fail "$1: jq '$2' is not true on: $(head -c 1500 "$T/out")"
}
# The documented fields, with their types, in every object.
json_shape='(.command | type == "string") and (.root | type == "string") and
	(.dry_run | type == "boolean") and (.changed | type == "boolean") and
	(.exit_status | type == "number") and (.selection | type == "array") and
	(.bootloader | type == "string" or . == null) and (.kernel_flags | type == "array") and
	(.files | type == "array") and (.diff | type == "string") and
	(.commands | type == "array") and (.warnings | type == "array") and
	(.errors | type == "array") and .complete == true and
	all(.selection[]; (.address | type == "string") and (.vendor | test("^[0-9a-f]{4}$")) and
		(.device | test("^[0-9a-f]{4}$")) and (.name | type == "string") and
		(.selected_by | type == "string") and
		(.verdict | IN("bind", "already-bound", "refuse")) and (.why | type == "string")) and
	all(.files[]; (.path | startswith("/")) and
		(.action | IN("unchanged", "create", "modify", "remove"))) and
	all(.commands[]; (.argv | type == "array" and length > 0) and
		(.status | type == "number" or . == null))'

begin json-configure-changed
host_tree
vboot --json configure 10de:2504@01:00.0
rc_is 0
json_is shape "$json_shape"
json_is fields '.command == "configure" and .changed == true and .dry_run == false and
	.exit_status == 0 and .errors == [] and .bootloader == "grub" and
	.kernel_flags == ["intel_iommu=on", "iommu=pt"]'
json_is selection '[.selection[] | .address] == ["0000:01:00.0", "0000:01:00.1",
	"0000:01:00.2", "0000:01:00.3"]'
json_is "selected by ID@address" '.selection[0] | .selected_by == "10de:2504@01:00.0" and
	.verdict == "bind" and .why == "selected by 10de:2504@01:00.0" and .vendor == "10de" and
	.device == "2504" and (.name | test("NVIDIA"))'
json_is companion '.selection[1] | .selected_by == "companion" and .verdict == "bind" and
	.why == "same slot as 0000:01:00.0"'
json_is files '.files == [{"path": "/etc/vfio-boot.conf", "action": "create"},
	{"path": "/etc/modprobe.d/vfio.conf", "action": "create"},
	{"path": "/etc/default/grub", "action": "modify"}]'
json_is commands "[.commands[] | {argv, status, chroot}] == [
	{\"argv\": [\"update-grub\"], \"status\": 0, \"chroot\": \"$T\"},
	{\"argv\": [\"update-initramfs\", \"-u\", \"-k\", \"all\"], \"status\": 0, \"chroot\": \"$T\"}]"
json_is diff '(.diff | contains("+++ b/etc/vfio-boot.conf")) and
	(.diff | contains("+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""))'
has err "stand-in update-initramfs ran"
has etc/vfio-boot.conf "10de:2504"
end

begin json-configure-unchanged
host_tree
vboot configure 10de:2504@01:00.0
rc_is 0
: >"$T/var/log/calls"
snapshot_tree >"$work/$current.before"
vboot --json configure 10de:2504@01:00.0
rc_is 0
json_is shape "$json_shape"
json_is unchanged '.changed == false and .exit_status == 0 and .commands == [] and
	.diff == "" and (.files | length == 3) and all(.files[]; .action == "unchanged") and
	(.selection | length == 4)'
calls_are ""
tree_unchanged "unchanged configure --json"
end

begin json-dry-run
host_tree
vboot --json --dry-run configure 10de:2504@01:00.0
rc_is 0
json_is shape "$json_shape"
json_is "dry run" '.dry_run == true and .changed == true and .exit_status == 0 and
	([.commands[] | .status] == [null, null]) and
	([.commands[] | .argv[0]] == ["update-grub", "update-initramfs"]) and
	(.diff | contains("+++ b/etc/modprobe.d/vfio.conf")) and
	(.files | map(.action) == ["create", "create", "modify"])'
tree_unchanged "dry run --json"
calls_are ""
end

begin json-refused
host_tree
vboot --json configure 10de:2504@01:00.0,1234:5678
rc_is 2
json_is shape "$json_shape"
json_is "unmatched selector" '.changed == false and .exit_status == 2 and .files == [] and
	.commands == [] and .errors == ["argument: selector '"'"'1234:5678'"'"' matches no PCI device (--force keeps it)"]'
# The text output goes to stderr with --json; the error line is there once.
[ "$(grep -c '^vfio-boot: ' "$T/err")" = 1 ] || fail "want one error line on stderr: $(cat "$T/err")"
vboot --json configure 10de:25x4
rc_is 2
json_is "bad selector" '.exit_status == 2 and .changed == false and
	(.errors | length == 1) and (.errors[0] | contains("invalid selector"))'
tree_unchanged "refused --json"
vboot --json configure --force 10de:2504@01:00.0,1234:5678
rc_is 0
json_is "--force" '.changed == true and .errors == [] and
	(.warnings | index("argument: selector '"'"'1234:5678'"'"' matches no PCI device (kept: --force)") != null)'
end

begin json-refused-function
host_tree
vboot --json configure --dry-run 00:02.0
rc_is 2
json_is "boot VGA refused" '.exit_status == 2 and .changed == false and .files == [] and
	.selection == [.selection[0]] and
	(.selection[0] | .address == "0000:00:02.0" and .verdict == "refuse" and
	 (.why | test("boot VGA"))) and (.errors[0] | test("selects nothing for vfio-pci"))'
tree_unchanged "refused function --json"
end

begin json-failure
host_tree
touch "$T/fail-update-initramfs"
vboot --json configure 10de:2504@01:00.0
rc_is 1
json_is shape "$json_shape"
# update-grub runs again on the files put back.
json_is failure '.changed == false and .exit_status == 1 and
	([.commands[] | [.argv[0], .status]] == [["update-grub", 0], ["update-initramfs", 1],
		["update-grub", 0]]) and
	(.errors | index("update-initramfs failed with status 1") != null) and
	(.errors | index("putting the files back as they were") != null)'
tree_unchanged "failed configure --json"
end

begin json-bootloader
host_tree
rm "$T/etc/default/grub"
vboot --json configure --bootloader none 10de:2504@01:00.0
rc_is 0
json_is "explicit none" '.exit_status == 0 and .bootloader == "none" and
	.kernel_flags == ["intel_iommu=on", "iommu=pt"] and
	all(.warnings[]; startswith("no bootloader") | not)'
vboot --json configure 10de:2504@01:00.0
rc_is 4
json_is "none recognised" '.exit_status == 4 and .bootloader == "none" and
	(.warnings | any(startswith("no bootloader recognised: add these flags")))'
end

begin json-unconfigure
host_tree
vboot configure 10de:2504@01:00.0
snapshot_tree >"$work/$current.configured"
: >"$T/var/log/calls"
vboot --json --dry-run unconfigure
rc_is 0
json_is shape "$json_shape"
json_is "dry run" '.command == "unconfigure" and .dry_run == true and .changed == true and
	.selection == [] and (.files | map(.action) | sort == ["modify", "remove", "remove"]) and
	([.commands[] | .status] == [null, null])'
snapshot_tree | cmp -s - "$work/$current.configured" || fail "unconfigure --dry-run changed files"
vboot --json unconfigure
rc_is 0
json_is undone '.changed == true and .exit_status == 0 and
	([.commands[] | .status] == [0, 0]) and
	(.files | map(select(.action == "remove") | .path) | sort ==
		["/etc/modprobe.d/vfio.conf", "/etc/vfio-boot.conf"])'
tree_unchanged "unconfigure --json"
vboot --json unconfigure
rc_is 0
json_is "nothing to undo" '.changed == false and .files == [] and .commands == []'
end

echo "configure: $passed passed, $failed failed"
[ "$failed" = 0 ]
