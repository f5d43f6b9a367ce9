#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the configurator's test scripts (sourced, not run): fixture
# system trees for `vfio-boot --root`, stand-in commands that a static busybox
# runs inside the tree's chroot, and the checks.
#
# The sourcing script sets vb (the configurator), here (tests/configure) and
# calls lib_init.
# shellcheck disable=SC2154 # vb and here come from the sourcing script

mksysfs=$here/../fixture/mksysfs
busybox=$(command -v busybox) || { echo "configure: busybox is required" >&2; exit 1; }
kdir=$(find /lib/modules/ -mindepth 2 -maxdepth 2 -name modules.alias.bin -printf '%h\n' | sort | head -n 1)
[ -d "$kdir" ] || { echo "configure: no installed kernel module index" >&2; exit 1; }

# The harness: begin, fail, end, summary and the T= filter.
# shellcheck source=tests/lib-check.sh
. "$here/../lib-check.sh"

lib_init() {
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
}

# shellcheck disable=SC2016 # the backquotes belong to the file
grub_default='# If you change this file, run update-grub afterwards.
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""'

# stand_in NAME: a command that logs its arguments (and its PATH and TMPDIR), and fails
# when /fail-NAME exists.
stand_in() {
	mkdir -p "$T/usr/sbin"
	cat >"$T/usr/sbin/$1" <<STUB
#!/bin/sh
echo "$1 \$*" >>/var/log/calls
echo "\$PATH" >/var/log/path-$1
echo "\${TMPDIR-unset}" >/var/log/tmpdir-$1
echo "stand-in $1 ran"
[ ! -e /fail-$1 ]
STUB
	chmod +x "$T/usr/sbin/$1"
}

# A grubby that keeps its entries in /var/lib/fake-grubby (one file per
# kernel: "KERNEL ARGS..."), answers --info=ALL, and adds (replacing a word of
# the same key) and removes words as grubby does.
stand_in_grubby() { # KERNEL:ARGS...
	local e i=0
	mkdir -p "$T/usr/sbin" "$T/var/lib/fake-grubby"
	for e in "$@"; do
		echo "${e%%:*} ${e#*:}" >"$T/var/lib/fake-grubby/$i"
		i=$((i + 1))
	done
	cat >"$T/usr/sbin/grubby" <<'STUB'
#!/bin/sh
echo "grubby $*" >>/var/log/calls
[ ! -e /fail-grubby ] || exit 1
d=/var/lib/fake-grubby target= add= del=
while [ $# -gt 0 ]; do
	case $1 in
	--info=ALL)
		i=0
		for f in "$d"/*; do
			read -r k a <"$f"
			printf 'index=%s\nkernel="%s"\nargs="%s"\nroot="UUID=1"\n' "$i" "$k" "$a"
			i=$((i + 1))
		done
		exit 0 ;;
	--update-kernel=*) target=${1#--update-kernel=} ;;
	--args) add=$2; shift ;;
	--remove-args) del=$2; shift ;;
	esac
	shift
done
for f in "$d"/*; do
	read -r k a <"$f"
	[ "$target" = ALL ] || [ "$target" = "$k" ] || continue
	new=
	for w in $a; do
		keep=1
		for r in $del; do [ "$w" = "$r" ] && keep=0; done
		for x in $add; do [ "${w%%=*}" = "${x%%=*}" ] && keep=0; done
		[ $keep = 0 ] || new="$new $w"
	done
	for x in $add; do new="$new $x"; done
	echo "$k$new" >"$f"
done
STUB
	chmod +x "$T/usr/sbin/grubby"
}
grubby_args() { # KERNEL -> its args
	local f k a
	for f in "$T"/var/lib/fake-grubby/*; do
		read -r k a <"$f"
		[ "$k" = "$1" ] && echo "$a"
	done
}

# A kernelstub keeping its options in /var/lib/fake-kernelstub (one line),
# adding and removing them by exact word as kernelstub does.
stand_in_kernelstub() { # OPTIONS...
	mkdir -p "$T/usr/sbin" "$T/var/lib"
	echo "$*" >"$T/var/lib/fake-kernelstub"
	cat >"$T/usr/sbin/kernelstub" <<'STUB'
#!/bin/sh
echo "kernelstub $*" >>/var/log/calls
f=/var/lib/fake-kernelstub
read -r have <"$f"
new=
case $1 in
-p | --print-config)
	echo "kernelstub.Config   : INFO     System information:" >&2
	echo "    Kernel Boot Options:.$have" >&2
	exit 0 ;;
-a)
	new=$have
	for x in $2; do
		case " $have " in *" $x "*) ;; *) new="$new $x" ;; esac
	done ;;
-d)
	for w in $have; do
		keep=1
		for x in $2; do [ "$w" = "$x" ] && keep=0; done
		[ $keep = 0 ] || new="$new $w"
	done ;;
esac
echo "${new# }" >"$f"
STUB
	chmod +x "$T/usr/sbin/kernelstub"
}

# The example host of tests/fixture/host.spec, or the host of the spec given.
# The example host is made once ($work/.host) and copied after that: every
# case gets the same files, made anew by mksysfs or not.
# shellcheck disable=SC2120 # the spec is optional
host_tree() { # [SPEC]
	if [ $# -gt 0 ]; then
		host_tree_make "$T" "$1"
	elif [ -d "$work/.host" ] ||
		{ rm -rf "$work/.host.new" && host_tree_make "$work/.host.new" &&
			mv "$work/.host.new" "$work/.host"; }; then
		if ! mkdir -p "$T" || ! cp -a --no-preserve=timestamps "$work/.host/." "$T/"; then
			fail "copying the example host"
		fi
	fi
	baseline
}
# The host of SPEC (the example host without one) in DIR; 1 when a step failed.
host_tree_make() { # DIR [SPEC]
	local T=$1 ok=0
	{ echo "!cmdline BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet"
	  cat "${2:-$here/../fixture/host.spec}"; } | "$mksysfs" "$T" || { fail "mksysfs"; ok=1; }
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n' >"$T/proc/cpuinfo"
	printf '  24:  0  IR-PCI-MSI 512000-edge  ahci\n' >"$T/proc/interrupts"
	mkdir -p "$T/etc/default" "$T/lib/modules" "$T/bin" "$T/var/log" "$T/var/lib"
	printf '%s\n' "$grub_default" >"$T/etc/default/grub"
	mkdir "$T/lib/modules/$(basename "$kdir")"
	cp "$kdir"/modules.* "$T/lib/modules/$(basename "$kdir")/"
	cp "$busybox" "$T/bin/sh"
	stand_in update-grub
	stand_in update-initramfs
	# vfio-boot installed as `make install` puts it (check looks for it).
	install_into "$T" || { fail "make install"; ok=1; }
	return $ok
}
# `make install DESTDIR=DIR`: made once in $work/.installed (or staged by
# make configure-tests in $TEST_INSTALLED), copied after that.
install_into() { # DIR
	if [ -n "${TEST_INSTALLED:-}" ]; then
		cp -a "$TEST_INSTALLED/"* "$1/"
		return
	fi
	if [ ! -d "$work/.installed" ]; then
		rm -rf "$work/.installing"
		make -s -C "$here/../.." install DESTDIR="$work/.installing" >/dev/null &&
			mv "$work/.installing" "$work/.installed" || return 1
	fi
	cp -a "$work/.installed/"* "$1/"
}
# What the tests compare "unchanged" and "restored" against: the tree now.
baseline() { snapshot_tree >"$work/$current.before"; }

# The tree with vfio-boot installed as `make install` puts it, the running
# kernel's version, and a stand-in generator NAME that builds a real image
# (busybox cpio and gzip, inside the chroot) the way that generator lays it
# out: the binder and /etc/vfio-boot.conf, and the hook unless /drop-hook
# exists; /image-extra, when there, is run to add more. Images land where
# the generator writes them.
installed_tree() { # GENERATOR
	# shellcheck disable=SC2119 # the example host
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
# A case's additions to the image ($d), such as modules.
[ ! -e /image-extra ] || . /image-extra
(cd $d && $b find . | $b cpio -o -H newc 2>/dev/null | $b gzip) >/boot/image.new &&
	$b mv /boot/image.new $image
EOF
	} | sed "s/KVER/$kver/" >"$T/usr/sbin/$1"
	chmod 755 "$T/usr/sbin/$1"
	[ "$1" != mkinitcpio ] || printf 'linux\n' >"$T/lib/modules/$kver/pkgbase"
	baseline
}
kver=$(basename "$kdir")
# configure's modprobe.d file (src/configure/modprobe/softdeps.h).
# shellcheck disable=SC2034 # for the sourcing scripts
own=etc/modprobe.d/00-vfio-boot.conf

# A listing of every regular file and link under etc/ and var/lib with
# checksums, and of every directory there.
snapshot_tree() {
	(cd "$T" && find etc var/lib -type f -o -type l -o -type d 2>/dev/null | sort | while read -r f; do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
		elif [ -d "$f" ]; then echo "$f/ $(stat -c %a "$f")"
		else echo "$f $(stat -c '%a %u:%g' "$f") $(md5sum <"$f" | cut -d' ' -f1)"; fi
	done)
}
tree_unchanged() {
	snapshot_tree >"$work/$current.after"
	cmp -s "$work/$current.before" "$work/$current.after" ||
		fail "$1: files changed: $(diff "$work/$current.before" "$work/$current.after" | head -8)"
}
# Every run is guarded: one that waits for ever fails the case (124). In a
# subshell whose stderr is closed: a run the test kills is not told of.
vboot() {
	(timeout -k 5 60 "$vb" --root "$T" "$@" >"$T/out" 2>"$T/err"; exit $?) 2>/dev/null
	echo $? >"$T/rc"
	[ "$(cat "$T/rc")" != 124 ] || fail "vfio-boot $* did not return within 60 s"
}
rc_is() { [ "$(cat "$T/rc")" = "$1" ] || fail "exit status $(cat "$T/rc"), want $1: $(head -c 600 "$T/err")"; }
has() { grep -qsF -- "$2" "$T/$1" || fail "$1 lacks '$2'"; }
lacks() { ! grep -qsF -- "$2" "$T/$1" || fail "$1 has '$2'"; }
calls_are() {
	local got
	got=$(cat "$T/var/log/calls" 2>/dev/null)
	[ "$got" = "$1" ] || fail "commands run: '$got', want '$1'"
}
no_calls() { : >"$T/var/log/calls"; }
one_line_err() { [ "$(wc -l <"$T/err")" = 1 ] || fail "want one error line, got: $(cat -A "$T/err")"; }
# No temporary file of vfio-boot's anywhere in the tree.
no_temp_files() {
	local left
	left=$(find "$T" -name '.*.vfio-boot-new' 2>/dev/null)
	[ -z "$left" ] || fail "temporary files left: $left"
}
