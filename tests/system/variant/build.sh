#!/bin/bash
# tests/system only: builds vbtest_vfio_pci.ko (the stand-in variant driver
# beside this script) for kernel KVER, out of tree, in WORKDIR, and prints
# the module's path. The headers are /lib/modules/KVER/build when this
# machine has them; otherwise the linux-headers packages of KVER are taken
# from VFIO_BOOT_DEB_CACHE or fetched with apt-get download (the machine's
# own apt sources) and unpacked in WORKDIR, with this machine's
# linux-kbuild (linux-headers-amd64 installs it, and the compiler).
#
# Usage: tests/system/variant/build.sh KVER WORKDIR
# Exit:  0 built; 1 failed (the reason on stderr, the build log in WORKDIR)
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kver=${1:?usage: build.sh KVER WORKDIR}
work=${2:?usage: build.sh KVER WORKDIR}
die() { printf 'variant module: %s\n' "$*" >&2; exit 1; }

mkdir -p "$work/src" || die "cannot make $work/src"
cp "$here/vbtest_vfio_pci.c" "$here/Kbuild" "$work/src/" || die "cannot copy the source"

headers=/lib/modules/$kver/build
if [ ! -e "$headers/Makefile" ]; then
	# Debian's split: linux-headers-KVER (config, Module.symvers) includes
	# linux-headers-ABI-common (the tree); both link scripts and tools to
	# /usr/lib/linux-kbuild-X.Y.
	common=${kver%-*}-common
	pkgs="linux-headers-$kver linux-headers-$common"
	debs=$work/debs
	mkdir -p "$debs"
	for p in $pkgs; do
		for d in "${VFIO_BOOT_DEB_CACHE:-/nonexistent}" /var/cache/apt/archives; do
			cp -t "$debs" "$d/${p}_"*.deb 2>/dev/null && break
		done
		compgen -G "$debs/${p}_*.deb" >/dev/null && continue
		(cd "$debs" && apt-get download "$p") >"$work/download.log" 2>&1 ||
			die "apt-get download $p failed: $(grep -m1 '^E:' "$work/download.log")"
	done
	for f in "$debs"/*.deb; do
		dpkg-deb -x "$f" "$work/root" || die "dpkg-deb -x $f failed"
	done
	headers=$work/root/usr/src/linux-headers-$kver
	[ -e "$headers/Makefile" ] || die "no $headers/Makefile in $pkgs"
	kbuild=$(readlink "$headers/scripts") # ../../lib/linux-kbuild-X.Y/scripts
	kbuild=/usr/lib/$(basename "$(dirname "$kbuild")")
	[ -d "$kbuild/scripts" ] || die "$kbuild missing (install linux-headers-amd64)"
	printf 'include %s/Makefile\n' "$work/root/usr/src/linux-headers-$common" >"$headers/Makefile"
	for d in "$headers" "$work/root/usr/src/linux-headers-$common"; do
		ln -sfn "$kbuild/scripts" "$d/scripts" || die "cannot link $kbuild into $d"
		ln -sfn "$kbuild/tools" "$d/tools" || die "cannot link $kbuild into $d"
	done
fi

make -C "$headers" M="$work/src" modules >"$work/build.log" 2>&1 ||
	die "make modules failed: $(grep -m3 -e rror -e 'No such' "$work/build.log")"
printf '%s\n' "$work/src/vbtest_vfio_pci.ko"
