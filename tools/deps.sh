#!/bin/sh
# Installs the Debian packages a make target needs, when they are missing.
# Usage: tools/deps.sh build|check|bench
set -eu

build="make gcc libc6-dev musl-tools pkg-config libkmod-dev libpci-dev pci.ids cpio"
check="$build jq shellcheck util-linux qemu-system-x86 linux-image-amd64 linux-headers-amd64 initramfs-tools dracut-core
       busybox-static zstd lz4 xz-utils bzip2 kmod udev debootstrap libarchive-tools e2fsprogs
       python3 patch clang libclang-rt-14-dev strace attr acl dpkg-dev debhelper lintian bash-completion
       ansible ansible-lint"
bench="$check dash driverctl hyperfine time"

case "${1:-}" in
build) wanted=$build ;;
check) wanted=$check ;;
bench) wanted=$bench ;;
*) echo "usage: $0 build|check|bench" >&2; exit 2 ;;
esac

missing=""
for pkg in $wanted; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages:$missing" >&2
	echo "run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
