#!/bin/bash
# The Debian 12 tree the system tests start from, made once and shared:
# tests/chroot, tests/system, tests/package and tests/ansible each copy it
# (cp -a) and work on their copy, so one debootstrap (60-90 s) serves them
# all.
#
# debootstrap --variant=minbase bookworm with a kernel, both initramfs
# generators (each test drops what it does not want), what the configurator
# links against, zstd (initramfs-tools' default), systemd as init (Debian's
# kernel-install for tests/chroot, a whole system for tests/system), and
# python3 with python3-apt (Ansible runs its modules with the tree's python;
# its apt module needs python3-apt).
#
# Usage: tests/tree/debootstrap.sh DIR   (as root)
#   Makes DIR the pristine tree, unless DIR/.vfio-boot-tree says it already
#   is one, made from the same package list and mirror less than a week ago
#   (then it does nothing). The tree is built beside DIR and renamed into
#   place, so an interrupted run never leaves a half tree that looks done;
#   a lock file beside DIR makes concurrent callers wait for one another.
#   The mirror and the .deb cache are tests/boot/lib-rig.sh's
#   (rig_debian_mirror, rig_debootstrap).
# Exit:  0 the tree is there, 1 a failure, 77 debootstrap cannot reach the
#        archive (the message says why).
# Env:   VFIO_BOOT_MIRROR     the Debian mirror (default: the machine's own,
#                             from /etc/apt/sources.list.d/*.sources or
#                             /etc/apt/sources.list)
#        VFIO_BOOT_DEB_CACHE  a directory that keeps the downloaded .debs
#                             between runs (default: a private cache, seeded
#                             from /var/cache/apt/archives, removed after)
set -u -o pipefail

suite=bookworm
packages=linux-image-amd64,initramfs-tools,dracut-core,kmod,busybox,libkmod2,libpci3,pci.ids,zstd
packages=$packages,systemd,systemd-sysv,udev,python3,python3-apt
max_age_days=7

say() { printf '%s\n' "$*"; }
die() {
	say "tree: $*" >&2
	exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/tree/lib-tree.sh disable=SC1091 # followed when linted with it
. "$here/lib-tree.sh"
# shellcheck source=tests/boot/lib-rig.sh disable=SC1091 # followed when linted with it
. "$here/../boot/lib-rig.sh"

dir=${1:?usage: debootstrap.sh DIR}
dir=${dir%/}
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap needs it)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (tools/deps.sh check)"

mirror=${VFIO_BOOT_MIRROR:-$(rig_debian_mirror "$suite")}
[ -n "$mirror" ] || die "no $suite mirror in /etc/apt/sources* (set VFIO_BOOT_MIRROR)"

stamp="suite=$suite mirror=$mirror packages=$packages"
fresh() {
	[ -f "$dir/.vfio-boot-tree" ] && [ "$(head -n 1 "$dir/.vfio-boot-tree")" = "$stamp" ] &&
		[ -n "$(find "$dir/.vfio-boot-tree" -mtime "-$max_age_days")" ]
}

mkdir -p "$(dirname "$dir")" || die "cannot create $(dirname "$dir")"
exec 9>"$dir.lock" || die "cannot create $dir.lock"
flock 9
if fresh; then
	say "tree: $dir is ready (debootstrapped $(date -r "$dir/.vfio-boot-tree" '+%F %R'))"
	exit 0
fi

new=$dir.new
work=$(mktemp -d "$dir.work.XXXXXX") || die "mktemp failed"
cleanup() {
	unmount_under "$new"
	rm -rf --one-file-system "$new" "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

unmount_under "$new"
rm -rf --one-file-system "$new"
say "tree: debootstrap $suite ($mirror) into $dir"
t0=$(date +%s)
rig_debootstrap "$work" "$new" "$suite" "$mirror" "$packages" "$work/debootstrap.log"
rc=$?
unmount_under "$new"
if [ "$rc" -eq 77 ]; then
	say "SKIP: debootstrap cannot reach the archive $mirror: $(grep -m1 -e '^E:' -e '^W:' "$work/debootstrap.log")"
	exit 77
elif [ "$rc" -ne 0 ]; then
	tail -30 "$work/debootstrap.log" >&2
	die "debootstrap failed (log above)"
fi
kvers=$(find "$new/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n')
[ "$(printf '%s\n' "$kvers" | grep -c .)" -eq 1 ] || die "expected one kernel in the tree, got: ${kvers:-none}"
printf '%s\n' "$stamp" >"$new/.vfio-boot-tree"

unmount_under "$dir"
rm -rf --one-file-system "$dir"
mv "$new" "$dir" || die "cannot move $new to $dir"
say "tree: done in $(($(date +%s) - t0)) s ($(du -sh "$dir" | cut -f1))"
