#!/bin/bash
# Builds the Debian package the way a packager does: `dpkg-buildpackage -us
# -uc -b` in a clean copy of the source tree (the files git knows, tracked or
# not ignored; every file but build/ outside a git checkout), then copies the
# .deb, .changes and .buildinfo files to OUTDIR (emptied first).
#
# Usage: tests/package/build.sh OUTDIR
# Exit:  0 built, 1 the build failed (its log's tail on stderr).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}

die() {
	printf 'package build: %s\n' "$*" >&2
	exit 1
}
command -v dpkg-buildpackage >/dev/null 2>&1 || die "dpkg-buildpackage not found (tools/deps.sh check)"

tmp=$(mktemp -d /var/tmp/vfio-boot-deb.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
src=$tmp/vfio-boot
mkdir "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$repo" && git ls-files -z -c -o --exclude-standard |
		xargs -0 cp -P --parents -t "$src") || die "cannot copy the tree"
else
	(cd "$repo" && tar -c --exclude=./build .) | tar -x -C "$src" || die "cannot copy the tree"
fi

t0=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -40 "$tmp/build.log" >&2
	die "dpkg-buildpackage failed (log tail above)"
fi
{ mkdir -p "$out" && rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo; } || die "cannot empty $out"
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out"/ || die "cannot copy the results to $out"
cp "$tmp/build.log" "$out/build.log"
printf 'package build: %s in %d s\n' "$(cd "$out" && echo *.deb)" "$(($(date +%s) - t0))"
