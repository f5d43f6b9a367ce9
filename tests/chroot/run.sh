#!/bin/bash
# The configurator against real Debian 12 trees: a copy of the shared
# debootstrapped tree (tests/tree/debootstrap.sh: kernel, initramfs-tools,
# dracut-core, systemd), `make install DESTDIR=tree`, run the host's
# `vfio-boot --root tree configure` (which runs the tree's own update-grub and
# update-initramfs or dracut inside it with chroot), check the image the tree
# rebuilt, boot the tree's kernel and image in QEMU (the rig of tests/boot,
# tests/boot/lib-rig.sh), then `unconfigure` and check etc/ is back byte for
# byte and the image rebuilt without the configuration.
#
# Two trees: "itools" (initramfs-tools) and "dracut" (a copy of it with
# initramfs-tools purged, dracut-core left as the generator).
#
# Usage: tests/chroot/run.sh [path/to/vfio-boot]   (as root; default build/vfio-boot)
# Exit:  0 all passed, 1 a failure, 77 QEMU cannot run here or debootstrap
#        cannot reach the archive.
# Env:   VFIO_BOOT_TREE       the pristine tree to copy, made there by
#                             tests/tree/debootstrap.sh unless it is ready
#                             (default: one in the work directory); its
#                             VFIO_BOOT_MIRROR and VFIO_BOOT_DEB_CACHE apply
#        BOOT_TIMEOUT         seconds per boot (default 180)
#        KEEP=1               keep the work directory
#
# Nothing outside one mktemp -d directory under /var/tmp is written (the
# host's /boot, /etc and bootloader are never touched); VFIO_BOOT_TREE and
# VFIO_BOOT_DEB_CACHE, when given, are the exceptions. Nothing is mounted by
# this script; the exit trap unmounts anything left under the work directory.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vb=${1:-$repo/build/vfio-boot}
# shellcheck source=tests/boot/lib-rig.sh disable=SC1091 # followed when linted with it
. "$repo/tests/boot/lib-rig.sh"
report='' console='' wall='' # set by rig_boot

# shellcheck disable=SC2034 # read by tests/lib-check.sh
suite=chroot
# shellcheck source=tests/lib-check.sh disable=SC1091 # followed when linted with it
. "$repo/tests/lib-check.sh"
# shellcheck source=tests/tree/lib-tree.sh disable=SC1091 # followed when linted with it
. "$repo/tests/tree/lib-tree.sh"
t_all=$(date +%s.%N)

# ---------------------------------------------------------------- setup

[ "$(id -u)" -eq 0 ] || fatal "must run as root (debootstrap and chroot need it)"
why=$(rig_qemu_unusable)
[ -z "$why" ] || skip "$why"
for tool in debootstrap lsinitramfs lsinitrd make sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || fatal "$tool not found (tools/deps.sh check)"
done

tmp=$(mktemp -d /var/tmp/vfio-boot-chroot.XXXXXX) || fatal "mktemp failed"
# Background jobs (the variants), each in its own process group, so that the
# exit trap can stop each with everything it started (generators, QEMU).
jobs_pids=()
stop_jobs() {
	local pid
	for pid in "${jobs_pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null
	done
	wait 2>/dev/null
}
cleanup() {
	stop_jobs
	work_dir_remove
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ------------------------------------------------------------ the tree

# A copy of the shared pristine tree (tests/tree/lib-tree.sh).
t0=$(date +%s.%N)
base=$tmp/itools
tree_copy "$base"
timing "debootstrap (or the shared tree) and copy" "$(seconds_since "$t0")"

kvers=$(find "$base/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//')
if [ -z "$kvers" ] || [ "$(printf '%s\n' "$kvers" | wc -l)" -ne 1 ]; then
	fatal "expected one kernel in the tree, got: ${kvers:-none}"
fi
kver=$kvers
say "tree kernel: $kver"

# ------------------------------------------------- vfio-boot and test files

# make install with its default PREFIX (/usr/local): the hooks still go where
# each generator reads them, and name the binder where it went.
t0=$(date +%s.%N)
if ! make -C "$repo" install DESTDIR="$base" >"$tmp/make-install.log" 2>&1; then
	cat "$tmp/make-install.log" >&2
	fatal "make install DESTDIR=$base failed"
fi
[ -x "$vb" ] || fatal "$vb not found (make)"
init_top=$(ls "$repo/initramfs-hooks/scripts/init-top/")

# The tree has no GRUB: a stand-in (lib-rig.sh) takes the GRUB edit path and
# records the command line update-grub would have put in grub.cfg.
rig_write_grub_standin "$base"
rig_write_report "$base/usr/local/sbin/vfio-boot-test-report"

check "the configurator runs inside the tree (libkmod2, libpci3 there)" \
	chroot "$base" /usr/local/sbin/vfio-boot --version

# The dracut tree: the same tree with initramfs-tools purged (--force-depends:
# Debian's linux-image wants initramfs-tools | linux-initramfs-tool, which
# only the `dracut` package provides, not dracut-core).
droot=$tmp/dracut
cp -a "$base" "$droot"
chroot "$droot" dpkg --purge --force-depends initramfs-tools initramfs-tools-core \
	>"$tmp/dracut-purge.log" 2>&1 || fatal "purging initramfs-tools from $droot failed"
chroot "$base" dpkg --purge dracut-core >"$tmp/itools-purge.log" 2>&1 ||
	fatal "purging dracut-core from $base failed"

# The test-only boot scripts of tests/boot, added the way a user adds such
# things: under /etc/initramfs-tools, and a dracut module that
# /etc/dracut.conf.d enables.
rig_write_itools_test "$base/etc/initramfs-tools" /usr/local/sbin/vfio-boot-test-report
rig_write_dracut_test "$droot/usr/lib/dracut/modules.d/99vfio-boot-test" \
	/usr/local/sbin/vfio-boot-test-report
say 'add_dracutmodules+=" vfio-boot-test "' >"$droot/etc/dracut.conf.d/99-vfio-boot-test.conf"
# dracut-core picks gzip when nothing is set: 45 s of a 50 s rebuild here;
# zstd (initramfs-tools' default) takes 12 s.
say 'compress="zstd"' >"$droot/etc/dracut.conf.d/98-vfio-boot-test-compress.conf"
# The kinstall tree: initramfs-tools, and systemd-boot's way of booting
# kernels: kernel-install with the bls layout puts the kernel, the initrd and
# a loader entry whose options come from /etc/kernel/cmdline into the ESP
# (/boot/efi here). No GRUB. Nothing runs kernel-install when the initramfs
# is rebuilt: configure must.
kroot=$tmp/kinstall
cp -a "$base" "$kroot"
rm -f "$kroot/etc/default/grub" "$kroot/usr/sbin/update-grub"
mkdir -p "$kroot/etc/kernel" "$kroot/boot/efi/loader/entries"
printf 'layout=bls\n' >"$kroot/etc/kernel/install.conf"
printf 'root=/dev/vda rw\n' >"$kroot/etc/kernel/cmdline"
printf '%s\n' 0123456789abcdef0123456789abcdef >"$kroot/etc/machine-id"
timing "install, test files, dracut and kinstall copies" "$(seconds_since "$t0")"

# ------------------------------------------------------------ checks

snapshot_etc() { tree_snapshot_etc "$@"; } # ROOT

list_image() { # VARIANT IMAGE -> the generator's own listing
	case $1 in
	itools) lsinitramfs "$2" ;;
	dracut) lsinitrd "$2" ;;
	esac
}
# PATTERN (an extended regex for the path inside the image) is in LISTING:
# lsinitramfs prints bare paths, lsinitrd `ls -l` lines ending in the path.
in_listing() { grep -Eq "(^| )$2( -> .*)?\$" "$1"; }
not_in_listing() { ! in_listing "$@"; }
status_lacks() { [ -z "$(status_dev "$1")" ]; }
console_lacks() { ! grep -qF -- "$1" "$console"; }
same_in_image() { # IMAGE PATH ROOT: the image holds ROOT's file, byte for byte
	cmp -s <(lsinitrd "$1" -f "$2" 2>/dev/null) "$3/$2"
}

# The host's configurator; returns its exit status. Shows its own lines (the
# generators' chatter stays in LOG), or the tail of LOG when it failed.
run_vfio_boot() { # LOG ARGS...
	local log=$1 rc
	shift
	say "  \$ vfio-boot $*"
	"$vb" "$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		grep -E '^(note|running|checked|not root|configured|unconfigured|unchanged|not configured|no bootloader|vfio-boot|selected|companion|refused|  )' \
			"$log" | sed 's/^/    | /'
	else
		tail -40 "$log" | sed 's/^/    | /'
	fi
	return "$rc"
}

grub_cmdline() { rig_grub_cmdline "$@"; } # ROOT

no_grub_flags() { [ -z "$(grub_cmdline "$1")" ]; } # ROOT
grub_ran_times() { [ "$(wc -l <"$1/var/log/vfio-boot-test-calls")" -eq "$2" ]; } # ROOT N
grub_flags_are() { [ "$(grub_cmdline "$1")" = "$2" ]; } # ROOT FLAGS

check_configured_image() { # VARIANT ROOT IMAGE LISTING
	local v=$1 root=$2 img=$3 list=$4 p
	for p in usr/sbin/vfio-boot-bind etc/vfio-boot.conf \
		'.*/vfio-pci\.ko' '.*/vfio_iommu_type1\.ko' usr/bin/vfio-boot-test-report \
		'.*/bochs\.ko' '.*/snd-hda-intel\.ko' '.*/xhci-pci\.ko'; do
		check "$v: image has $p" in_listing "$list" "$p"
	done
	check "$v: image's etc/vfio-boot.conf is the tree's" same_in_image "$img" etc/vfio-boot.conf "$root"
	case $v in
	itools)
		check "$v: image has scripts/init-top/$init_top" in_listing "$list" "scripts/init-top/$init_top"
		;;
	dracut)
		check "$v: image has the pre-udev hook" in_listing "$list" \
			'usr/lib/dracut/hooks/pre-udev/[0-9]*-vfio-boot-pre-udev\.sh'
		# The tree has systemd, so dracut's systemd modules come in: the
		# hook runs from dracut-pre-udev.service (tests/boot boots both modes).
		check "$v: image runs systemd (dracut-systemd)" in_listing "$list" 'usr/lib/systemd/systemd'
		;;
	esac
}

check_boot() { # VARIANT SELECTOR
	local v=$1 sel=$2 a gen=$1
	[ "$v" = dracut ] || gen=initramfs-tools
	check "$v: report from generator $gen" grep -q "^generator $gen\$" "$report"
	check "$v: kernel command line has intel_iommu=on iommu=pt" \
		grep -q '^cmdline .*intel_iommu=on.* iommu=pt' "$report"
	for a in $PCI_CARD; do
		check "$v: $a on vfio-pci at init-premount" has_driver "$a" vfio-pci
		check "$v: $a driver_override vfio-pci" [ "$(override_of "$a")" = vfio-pci ]
		check "$v: kernel log: only vfio-pci ever probed/bound $a" only_vfio_seen "$a"
		check "$v: status.json $a result bound" status_is "$a" result bound
		check "$v: status.json $a driver_after vfio-pci" status_is "$a" driver_after vfio-pci
	done
	check "$v: status.json $PT_VGA selected_by $sel" status_is "$PT_VGA" selected_by "$sel"
	check "$v: status.json $PT_AUDIO selected_by companion" status_is "$PT_AUDIO" selected_by companion
	check "$v: status.json $PT_USB selected_by companion" status_is "$PT_USB" selected_by companion
	check "$v: status.json is valid and lists devices" status_valid
	check "$v: boot VGA $BOOT_VGA kept bochs-drm, no override" \
		grep -q "^dev $BOOT_VGA [^ ]* driver=bochs-drm override=(null)\$" "$report"
	check "$v: console: vfio-pci never took the boot VGA" console_lacks "vfio-pci $BOOT_VGA"
	case $sel in
	*@*) check "$v: status.json does not list $BOOT_VGA" status_lacks "$BOOT_VGA" ;;
	*) check "$v: status.json $BOOT_VGA result refused" status_is "$BOOT_VGA" result refused ;;
	esac
	check "$v: pci-serial $SERIAL kept serial" has_driver "$SERIAL" serial
}

# ------------------------------------------------------------ variants

# A generator that fails in the chroot (MODULES=dep needs /sys): configure
# must exit 1 and put every file back, the bootloader run again on them.
rollback_scenario() { # VARIANT ROOT IMAGE
	local v=$1 root=$2 img=$3 conf=$2/etc/initramfs-tools/initramfs.conf sum rc
	sum=$(sha256sum <"$img")
	cp -p "$conf" "$tmp/initramfs.conf.orig"
	sed -i 's/^MODULES=.*/MODULES=dep/' "$conf"
	run_vfio_boot "$tmp/$v.rollback.log" --root "$root" configure --force --all-matching 1234:1111 --cpu intel
	rc=$?
	cp -p "$tmp/initramfs.conf.orig" "$conf"
	check "$v: configure with a failing update-initramfs (MODULES=dep) exits 1" [ "$rc" -eq 1 ]
	check "$v: it says the files are put back" \
		grep -q 'putting the files back' "$tmp/$v.rollback.log"
	snapshot_etc "$root" >"$tmp/$v.etc.rolledback"
	check "$v: etc/ after the rollback is byte for byte as before" \
		cmp -s "$tmp/$v.etc.before" "$tmp/$v.etc.rolledback"
	check "$v: no var/lib/vfio-boot after the rollback" [ ! -e "$root/var/lib/vfio-boot" ]
	check "$v: update-grub ran twice, last on the restored file" \
		grub_ran_times "$root" 2
	check "$v: update-grub saw no flags last" no_grub_flags "$root"
	check "$v: the image is untouched" [ "$(sha256sum <"$img")" = "$sum" ]
}

run_variant() { # VARIANT ROOT SELECTOR
	local v=$1 root=$2 sel=$3 img=$2/boot/initrd.img-$kver t0 rc list configured_sum append
	say "=== $v: $root"
	[ -r "$img" ] || bad "$v: debootstrap left no $img"
	snapshot_etc "$root" >"$tmp/$v.etc.before"
	[ "$v" = itools ] && rollback_scenario "$v" "$root" "$img"

	t0=$(date +%s.%N)
	# The tree has no sys/: a bare ID is saved only with --all-matching (every
	# card with the ID, the boot VGA refused at boot); ID@address as it is.
	run_vfio_boot "$tmp/$v.configure.log" --root "$root" configure --force --all-matching "$sel" --cpu intel
	rc=$?
	timing "$v: configure (incl. regenerate)" "$(seconds_since "$t0")"
	check "$v: configure exit 0" [ "$rc" -eq 0 ]
	check "$v: configure ran update-grub in the tree" \
		grep -q "^running: update-grub .*(chroot $root)" "$tmp/$v.configure.log"
	case $v in
	itools) check "$v: configure ran update-initramfs -u -k all in the tree" \
		grep -q "^running: update-initramfs -u -k all .*(chroot $root)" "$tmp/$v.configure.log" ;;
	dracut) check "$v: configure ran dracut --regenerate-all --force in the tree" \
		grep -q "^running: dracut --regenerate-all --force .*(chroot $root)" "$tmp/$v.configure.log" ;;
	esac
	check "$v: configure read back the rebuilt image: binder, hook and config in it" \
		grep -q "^checked: /boot/initrd.img-$kver carries the binder, its hook and /etc/vfio-boot.conf" \
		"$tmp/$v.configure.log"
	check "$v: etc/vfio-boot.conf selects $sel" grep -qx "$sel" "$root/etc/vfio-boot.conf"
	# Without sys/ no module is known to claim the card: nothing to order, no file.
	check "$v: no etc/modprobe.d/00-vfio-boot.conf (nothing to order without sys/)" \
		[ ! -e "$root/etc/modprobe.d/00-vfio-boot.conf" ]
	check "$v: etc/default/grub has intel_iommu=on iommu=pt" \
		grep -q '^GRUB_CMDLINE_LINUX_DEFAULT=".*intel_iommu=on.*iommu=pt' "$root/etc/default/grub"
	check "$v: update-grub ran inside the tree and saw the flags" grub_flags_are "$root" \
		"intel_iommu=on iommu=pt"
	check "$v: originals kept in var/lib/vfio-boot" [ -d "$root/var/lib/vfio-boot" ]

	list=$tmp/$v.configured.list
	if list_image "$v" "$img" >"$list" 2>"$tmp/$v.list.err"; then
		ok "$v: the host's $(list_image_tool "$v") reads $img"
		check_configured_image "$v" "$root" "$img" "$list"
	else
		bad "$v: the host's $(list_image_tool "$v") cannot read $img: $(head -3 "$tmp/$v.list.err")"
	fi
	configured_sum=$(sha256sum <"$img")

	say "--- boot $v, with the flags update-grub saw: $(grub_cmdline "$root")"
	append="$RIG_APPEND $(grub_cmdline "$root")"
	[ "$v" = dracut ] && append="$append $RIG_DRACUT_APPEND"
	if rig_boot "$v" "$root/boot/vmlinuz-$kver" "$img" "$append"; then
		ok "$v: boot reached the report"
		check_boot "$v" "$sel"
	else
		bad "$v: boot reached the report"
	fi
	timing "$v: boot" "$wall"

	t0=$(date +%s.%N)
	run_vfio_boot "$tmp/$v.unconfigure.log" --root "$root" unconfigure
	rc=$?
	timing "$v: unconfigure (incl. regenerate)" "$(seconds_since "$t0")"
	check "$v: unconfigure exit 0" [ "$rc" -eq 0 ]
	snapshot_etc "$root" >"$tmp/$v.etc.after"
	if diff -u "$tmp/$v.etc.before" "$tmp/$v.etc.after" >"$tmp/$v.etc.diff"; then
		ok "$v: etc/ after unconfigure is byte for byte as before configure"
	else
		bad "$v: etc/ after unconfigure differs from before configure:"
		sed 's/^/    /' "$tmp/$v.etc.diff" | head -40
	fi
	check "$v: var/lib/vfio-boot gone" [ ! -e "$root/var/lib/vfio-boot" ]
	check "$v: update-grub ran on the restored file" no_grub_flags "$root"
	check "$v: image rebuilt by unconfigure" [ "$(sha256sum <"$img")" != "$configured_sum" ]
	list=$tmp/$v.unconfigured.list
	if list_image "$v" "$img" >"$list" 2>/dev/null; then
		check "$v: rebuilt image has no etc/vfio-boot.conf" not_in_listing "$list" etc/vfio-boot.conf
		check "$v: rebuilt image has no etc/modprobe.d/00-vfio-boot.conf" \
			not_in_listing "$list" etc/modprobe.d/00-vfio-boot.conf
		check "$v: rebuilt image still has the installed binder" \
			in_listing "$list" usr/sbin/vfio-boot-bind
	else
		bad "$v: cannot list the rebuilt $img"
	fi
}
list_image_tool() { case $1 in itools) say lsinitramfs ;; dracut) say lsinitrd ;; esac; }

# A variant in the background: its output, counts and timings go to files.
variant_job() { # VARIANT ROOT SELECTOR
	passed=0 failed=0 timings=()
	run_variant "$@"
	printf '%s\n' "${timings[@]}" >"$tmp/$1.timings"
	printf '%s %s\n' "$passed" "$failed" >"$tmp/$1.counts"
}

# initramfs-tools: the card by ID (the identical boot VGA must be refused at
# boot); dracut: the card by address, guarded by its ID. Side by side: the
# generators are mostly single-threaded.
say "=== itools and dracut side by side (each one's log follows when it is done)"
set -m
variant_job itools "$base" 1234:1111 >"$tmp/itools.out" 2>&1 &
jobs_pids+=($!)
variant_job dracut "$droot" 1234:1111@0000:01:00.0 >"$tmp/dracut.out" 2>&1 &
jobs_pids+=($!)
set +m
for v in itools dracut; do
	wait "${jobs_pids[0]}"
	jobs_pids=("${jobs_pids[@]:1}")
	cat "$tmp/$v.out"
	if read -r p f <"$tmp/$v.counts" 2>/dev/null; then
		passed=$((passed + p))
		failed=$((failed + f))
		mapfile -t -O "${#timings[@]}" timings <"$tmp/$v.timings"
	else
		bad "$v: the variant did not finish"
	fi
done

run_kinstall() {
	local v=kinstall mid dir entry rc
	mid=$(cat "$kroot/etc/machine-id")
	dir=$kroot/boot/efi/$mid/$kver
	# kernel-install's entry: its options come from /etc/kernel/cmdline.
	entry=$kroot/boot/efi/loader/entries/$mid-$kver.conf
	say "=== kinstall: $kroot"
	snapshot_etc "$kroot" >"$tmp/$v.etc.before"
	run_vfio_boot "$tmp/$v.configure.log" --root "$kroot" configure --force --all-matching 1234:1111 --cpu intel
	rc=$?
	check "$v: configure exit 0" [ "$rc" -eq 0 ]
	check "$v: configure ran Debian's kernel-install after update-initramfs" \
		grep -q "^running: kernel-install add $kver /boot/vmlinuz-$kver /boot/initrd.img-$kver .*(chroot $kroot)" \
		"$tmp/$v.configure.log"
	check "$v: /etc/kernel/cmdline has the flags" \
		grep -qx 'root=/dev/vda rw intel_iommu=on iommu=pt' "$kroot/etc/kernel/cmdline"
	check "$v: the loader entry's options carry the flags" \
		grep -q '^options *root=/dev/vda rw intel_iommu=on iommu=pt' "$entry"
	check "$v: the ESP's initrd is the rebuilt one" cmp -s "$dir/initrd.img-$kver" "$kroot/boot/initrd.img-$kver"
	check "$v: configure read back the ESP's copy of the image" \
		grep -q "^checked: /boot/efi/$mid/$kver/initrd.img-$kver carries the binder" "$tmp/$v.configure.log"
	say "--- boot $v: the entry's linux, initrd and options"
	if rig_boot "$v" "$dir/linux" "$dir/initrd.img-$kver" \
		"$RIG_APPEND $(sed -n 's/^options *//p' "$entry")"; then
		ok "$v: boot reached the report"
		check_boot "$v" 1234:1111
	else
		bad "$v: boot reached the report"
	fi
	run_vfio_boot "$tmp/$v.unconfigure.log" --root "$kroot" unconfigure
	rc=$?
	check "$v: unconfigure exit 0" [ "$rc" -eq 0 ]
	check "$v: unconfigure ran kernel-install again" \
		grep -q "^running: kernel-install add $kver" "$tmp/$v.unconfigure.log"
	check "$v: the loader entry's options lost the flags" \
		grep -q '^options *root=/dev/vda rw systemd' "$entry"
	snapshot_etc "$kroot" >"$tmp/$v.etc.after"
	check "$v: etc/ after unconfigure is byte for byte as before" \
		cmp -s "$tmp/$v.etc.before" "$tmp/$v.etc.after"
}
t0=$(date +%s.%N)
run_kinstall
timing "kinstall: configure, boot, unconfigure" "$(seconds_since "$t0")"

# What the tree's own modprobe would load for MODULE, in order: the .ko
# files' names ("vfio-pci", "bochs"), one per line.
chroot_depends() { # ROOT MODULE
	chroot "$1" modprobe -S "$kver" --show-depends "$2" 2>/dev/null |
		sed -n 's,^insmod .*/\([^/]*\)\.ko[^ ]* .*$,\1,p'
}
loads_before() { # ROOT A B MODULE: A is loaded before B
	local list a b
	list=$(chroot_depends "$1" "$4")
	a=$(printf '%s\n' "$list" | grep -nx -- "$2" | head -n 1 | cut -d: -f1)
	b=$(printf '%s\n' "$list" | grep -nx -- "$3" | head -n 1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# Softdeps that take effect, checked with the tree's own `modprobe -S KVER
# --show-depends` in the chroot. kmod uses only the first softdep line for a
# module and reads modules.softdep before /etc/modprobe.d/vfio.conf. bochs
# (the rig's card) gets a module softdep: the line depmod writes into
# modules.softdep for a bochs.ko with MODULE_SOFTDEP("pre: crc8 post: crc7"),
# appended to the tree's file, which kmod reads as a config file, line for
# line as it reads depmod's (running depmod would rebuild the file from the
# modules and drop it). snd-hda-intel gets an admin's softdep in a file that
# sorts after configure's. The tree has no sys/: the rig's functions
# (tests/fixture/hosts/qemu-rig.spec) are put there for configure to find
# the modules that claim them, and taken out again.
run_softdeps() {
	local v=softdeps root=$kroot sd=$kroot/lib/modules/$kver/modules.softdep rc
	say "=== softdeps: $root"
	cp -p "$sd" "$tmp/modules.softdep.orig"
	printf 'softdep bochs pre: crc8 post: crc7\n' >>"$sd"
	mkdir -p "$root/etc/modprobe.d"
	printf 'softdep snd-hda-intel pre: crc-itu-t\n' >"$root/etc/modprobe.d/sound.conf"
	# The issue's case: 0.1.0's line in vfio.conf loads no vfio-pci at all.
	printf 'softdep bochs pre: vfio-pci\n' >"$root/etc/modprobe.d/vfio.conf"
	check "$v: with the softdep in vfio.conf, modprobe bochs loads no vfio-pci" \
		not_loads "$root" vfio-pci bochs
	rm "$root/etc/modprobe.d/vfio.conf"
	"$repo/tests/fixture/mksysfs" "$tmp/rig-sys" <"$repo/tests/fixture/hosts/qemu-rig.spec" ||
		fatal "mksysfs"
	cp -a "$tmp/rig-sys/sys/." "$root/sys/"
	snapshot_etc "$root" >"$tmp/$v.etc.before"
	run_vfio_boot "$tmp/$v.configure.log" --root "$root" configure --bootloader none \
		--no-regenerate --cpu intel 1234:1111@0000:01:00.0
	rc=$?
	check "$v: configure exit 0" [ "$rc" -eq 0 ]
	sed 's/^/    | /' "$root/etc/modprobe.d/00-vfio-boot.conf"
	say "    modprobe bochs: $(chroot_depends "$root" bochs | tr '\n' ' ')"
	check "$v: modprobe bochs loads vfio-pci before bochs" loads_before "$root" vfio-pci bochs bochs
	check "$v: modprobe bochs still loads its own pre: crc8 before it" \
		loads_before "$root" crc8 bochs bochs
	check "$v: modprobe bochs still loads its own post: crc7 after it" \
		loads_before "$root" bochs crc7 bochs
	check "$v: modprobe snd-hda-intel loads vfio-pci before it" \
		loads_before "$root" vfio-pci snd-hda-intel snd-hda-intel
	check "$v: modprobe snd-hda-intel still loads the admin's crc-itu-t before it" \
		loads_before "$root" crc-itu-t snd-hda-intel snd-hda-intel
	check "$v: modprobe xhci_pci loads vfio-pci before it" \
		loads_before "$root" vfio-pci xhci-pci xhci_pci
	"$vb" --root "$root" check >"$tmp/$v.check.log" 2>&1
	check "$v: check says vfio-pci loads first" grep -q \
		"^ok    softdeps         $kver: vfio-pci loads before bochs, snd_hda_intel, xhci_pci" \
		"$tmp/$v.check.log"
	run_vfio_boot "$tmp/$v.unconfigure.log" --root "$root" unconfigure --no-regenerate
	rc=$?
	check "$v: unconfigure exit 0" [ "$rc" -eq 0 ]
	snapshot_etc "$root" >"$tmp/$v.etc.after"
	check "$v: etc/ after unconfigure is byte for byte as before" \
		cmp -s "$tmp/$v.etc.before" "$tmp/$v.etc.after"
	check "$v: modprobe bochs loads no vfio-pci again" not_loads "$root" vfio-pci bochs
	rm -rf "${root:?}/sys/"* "$root/etc/modprobe.d/sound.conf"
	cp -p "$tmp/modules.softdep.orig" "$sd"
}
not_loads() { ! chroot_depends "$1" "$3" | grep -qx -- "$2"; } # ROOT A MODULE
t0=$(date +%s.%N)
run_softdeps
timing "softdeps: configure, modprobe, unconfigure" "$(seconds_since "$t0")"

say "=== timings (itools and dracut ran side by side)"
for t in "${timings[@]}"; do say "  $t"; done
say "  $(printf '%-40s %6s s' total "$(seconds_since "$t_all")")"
summary
