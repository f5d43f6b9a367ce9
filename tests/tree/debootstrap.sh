#!/bin/bash
# The Debian 12 tree the system tests start from, made once and shared:
# tests/chroot, tests/package and tests/ansible each copy it (cp -a) and
# work on their copy, so one debootstrap (60-90 s) serves them all.
#
# debootstrap --variant=minbase bookworm with a kernel, both initramfs
# generators (each test drops what it does not want), what the configurator
# links against, zstd (initramfs-tools' default), and python3 with
# python3-apt (Ansible runs its modules with the tree's python; its apt
# module needs python3-apt).
#
# Usage: tests/tree/debootstrap.sh DIR   (as root)
#   Makes DIR the pristine tree, unless DIR/.vfio-boot-tree says it already
#   is one, made from the same package list and mirror less than a week ago
#   (then it does nothing). The tree is built beside DIR and renamed into
#   place, so an interrupted run never leaves a half tree that looks done;
#   a lock file beside DIR makes concurrent callers wait for one another.
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
packages=linux-image-amd64,initramfs-tools,dracut-core,kmod,busybox,libkmod2,libpci3,pci.ids,zstd,python3,python3-apt
max_age_days=7

say() { printf '%s\n' "$*"; }
die() {
	say "tree: $*" >&2
	exit 1
}

# shellcheck source=tests/tree/lib-tree.sh disable=SC1091 # followed when linted with it
. "$(dirname "${BASH_SOURCE[0]}")/lib-tree.sh"

dir=${1:?usage: debootstrap.sh DIR}
dir=${dir%/}
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap needs it)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (tools/deps.sh check)"

# The first deb822 stanza (or sources.list line) of Debian's main archive
# for this suite: the mirror this machine already uses.
machine_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v suite="$suite" '
			/^[ \t]*$/ { if (uri != "" && ok) exit; uri = ""; ok = 0; next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
			END { if (uri != "" && ok) print uri }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v suite="$suite" '{
			line = $0
			sub(/\[[^]]*\]/, "", line) # [ options ]
			if (split(line, w) >= 3 && w[1] == "deb" && w[3] == suite) print w[2]
		}' "$f"
	done
}
mirror=${VFIO_BOOT_MIRROR:-$(machine_mirror | head -n 1)}
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

# The .debs: a private cache seeded with hard links from the host's apt cache
# (only read; debootstrap checks every checksum), or VFIO_BOOT_DEB_CACHE.
if [ -n "${VFIO_BOOT_DEB_CACHE:-}" ]; then
	mkdir -p "$VFIO_BOOT_DEB_CACHE" || die "cannot create $VFIO_BOOT_DEB_CACHE"
	debs=$(cd "$VFIO_BOOT_DEB_CACHE" && pwd)
else
	debs=$work/debs
	mkdir "$debs"
	find /var/cache/apt/archives -maxdepth 1 -name '*.deb' \
		-exec cp -l -t "$debs" {} + 2>/dev/null || true
fi

unmount_under "$new"
rm -rf --one-file-system "$new"
say "tree: debootstrap $suite ($mirror) into $dir"
t0=$(date +%s)
if ! debootstrap --variant=minbase --cache-dir="$debs" --include="$packages" \
	"$suite" "$new" "$mirror" >"$work/debootstrap.log" 2>&1; then
	unmount_under "$new"
	if grep -q -e 'Failed getting release file' -e "Couldn't download" \
		-e 'Failure trying to run: .*wget' "$work/debootstrap.log"; then
		say "SKIP: debootstrap cannot reach the archive $mirror: $(grep -m1 -e '^E:' -e '^W:' "$work/debootstrap.log")"
		exit 77
	fi
	tail -30 "$work/debootstrap.log" >&2
	die "debootstrap failed (log above)"
fi
unmount_under "$new"
rm -f "$new"/var/cache/apt/archives/*.deb
kvers=$(find "$new/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n')
[ "$(printf '%s\n' "$kvers" | grep -c .)" -eq 1 ] || die "expected one kernel in the tree, got: ${kvers:-none}"
printf '%s\n' "$stamp" >"$new/.vfio-boot-tree"

unmount_under "$dir"
rm -rf --one-file-system "$dir"
mv "$new" "$dir" || die "cannot move $new to $dir"
say "tree: done in $(($(date +%s) - t0)) s ($(du -sh "$dir" | cut -f1))"
