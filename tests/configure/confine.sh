#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Symlink confinement: in a fixture tree, each directory configure writes
# into (etc, etc/default, etc/modprobe.d, etc/kernel, var, var/lib,
# var/lib/vfio-boot) and each file it writes is replaced in turn by a link,
# absolute or relative, pointing at a copy outside the tree. Every command
# then runs on the tree; whatever it answers, nothing outside the tree may
# change (a hash of the outside directory before and after).
# Usage: tests/configure/confine.sh path/to/vfio-boot
set -u

here=$(cd "$(dirname "$0")" && pwd)
vb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/configure/lib.sh
. "$here/lib.sh"
lib_init

outside=$work/outside
# Everything outside the tree: names, modes, links and bytes.
hash_outside() {
	(cd "$outside" && find . -printf '%y %m %p %l\n' | sort && find . -type f -exec md5sum {} + | sort) |
		md5sum | cut -d' ' -f1
}

# The tree with PATH (a file or directory in it) replaced by a link to a copy outside.
planted() { # PATH absolute|relative
	local path=$1 kind=$2 copy target up
	# shellcheck disable=SC2119 # the spec argument is optional
	host_tree
	mkdir -p "$T/etc/kernel" "$T/var/lib/vfio-boot" "$T/etc/modprobe.d"
	printf 'root=/dev/sda1 ro\n' >"$T/etc/kernel/cmdline"
	printf 'options vfio-pci disable_vga=1\n' >"$T/etc/modprobe.d/vfio.conf"
	copy=$outside/${path//\//_}-$kind
	rm -rf "$copy"
	cp -a "$T/$path" "$copy" 2>/dev/null || echo "decoy" >"$copy"
	rm -rf "${T:?}/$path"
	if [ "$kind" = absolute ]; then
		target=$copy
	else
		# Enough ".." to climb out of the tree from where the link is.
		up=$(printf '../%.0s' $(seq 1 12))
		target=$up${copy#/}
	fi
	ln -s "$target" "$T/$path"
}

mkdir -p "$outside"
for path in etc etc/default etc/modprobe.d etc/kernel var var/lib var/lib/vfio-boot \
	etc/default/grub etc/modprobe.d/vfio.conf etc/kernel/cmdline etc/vfio-boot.conf \
	var/lib/vfio-boot/journal var/lib/vfio-boot/lock; do
	for kind in absolute relative; do
		begin "$kind-link-at-${path//\//-}"
		planted "$path" "$kind"
		before=$(hash_outside)
		for args in "configure 10de:2504@01:00.0" "configure --bootloader systemd-boot 02:00.0" \
			"--dry-run configure 10de:2504@01:00.0" status check list unconfigure; do
			# shellcheck disable=SC2086 # words on purpose
			"$vb" --root "$T" $args >"$T/out" 2>"$T/err"
			rc=$?
			case $rc in 0 | 1 | 2 | 3 | 4 | 6) ;; *) fail "$args: exit $rc: $(head -2 "$T/err")" ;; esac
		done
		[ "$(hash_outside)" = "$before" ] || fail "something outside the tree changed"
		end
	done
done
summary confine
