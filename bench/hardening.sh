#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/hardening.sh: what Debian's hardening flags cost the static binder.
# Builds vfio-boot-bind five ways (plain -static as before; static-pie; the
# flags of dpkg-buildflags with hardening=+all, plain static and static-pie,
# the latter with and without ld's separate-code layout),
# then prints each one's stripped size and its median time on the bench's
# 1,024-function fixture tree (hyperfine, each run on a fresh copy), as a
# markdown table, also written to bench/hardening-results.md.
#
# Environment: BENCH_RUNS (default 30), BENCH_OUT (default
# bench/hardening-results.md; "-" for stdout only), BENCH_TMPDIR (/dev/shm).
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")
runs=${BENCH_RUNS:-30}
out=${BENCH_OUT:-$bench/hardening-results.md}
n=1024

for tool in hyperfine dpkg-buildflags make strip; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found" >&2; exit 1; }
done
tmpbase=${BENCH_TMPDIR:-/dev/shm}
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$tmpbase/vfio-boot-hardening.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

hard_cppflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS)
hard_cflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS)
hard_ldflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)

# variant NAME PIE LAYOUT CPPFLAGS CFLAGS LDFLAGS: builds $tmp/NAME (stripped).
variant() {
	make -s -C "$top" B="$tmp/build-$1" "$tmp/build-$1/vfio-boot-bind" BIND_PIE="$2" \
		BIND_LAYOUT="$3" CPPFLAGS="$4" CFLAGS="$5" LDFLAGS="$6" >/dev/null
	strip -o "$tmp/$1" "$tmp/build-$1/vfio-boot-bind"
}
nosep=-Wl,-z,noseparate-code
names=(plain pie hard hard-pie-sep hard-pie)
labels=("-static, no flags (before)" "static-pie, no flags, noseparate-code"
	"-static, dpkg-buildflags" "static-pie, dpkg-buildflags"
	"static-pie, dpkg-buildflags, noseparate-code (shipped)")
variant plain no "" "" "" ""
variant pie yes "$nosep" "" "" ""
variant hard no "" "$hard_cppflags" "$hard_cflags" "$hard_ldflags"
variant hard-pie-sep yes "" "$hard_cppflags" "$hard_cflags" "$hard_ldflags"
variant hard-pie yes "$nosep" "$hard_cppflags" "$hard_cflags" "$hard_ldflags"

pristine=$tmp/pristine
"$top/tests/fixture/gen-spec" "$n" >"$tmp/spec"
"$top/tests/fixture/mksysfs" "$pristine" <"$tmp/spec"
sel=$(awk '$2 == "144d:a80a" { print $1 }' "$tmp/spec" | tr '\n' ' ')
# shellcheck disable=SC2086 # one selector per word
printf '%s\n' 10de:2504 10de:228e $sel >"$pristine/etc/vfio-boot.conf"

cmds=()
for v in "${names[@]}"; do
	cmds+=(--command-name "$v" "$tmp/$v --root $tmp/work --modprobe true --quiet")
done
hyperfine -N --style basic --runs "$runs" --warmup 3 \
	--prepare "sh -c 'rm -rf $tmp/work && cp -a $pristine $tmp/work'" \
	--export-csv "$tmp/times.csv" "${cmds[@]}" >&2

{
	echo "| binder build | stripped size | median, $n functions | mean +- sd |"
	echo "| --- | ---: | ---: | ---: |"
	for i in "${!names[@]}"; do
		v=${names[$i]}
		awk -F, -v v="$v" -v label="${labels[$i]}" -v size="$(stat -c %s "$tmp/$v")" '
			$1 == v { printf "| %s | %d bytes | %.2f ms | %.2f +- %.2f ms |\n",
				label, size, $4 * 1000, $2 * 1000, $3 * 1000 }' "$tmp/times.csv"
	done
	echo
	echo "dpkg-buildflags (hardening=+all): CPPFLAGS \`$hard_cppflags\`;" \
		"CFLAGS \`$hard_cflags\`; LDFLAGS \`$hard_ldflags\`. The binder adds -Os after" \
		"CFLAGS. $runs runs each, $(nproc) CPUs, $(date -u +%Y-%m-%d)."
} >"$tmp/table"
cat "$tmp/table"
[ "$out" = - ] || cp "$tmp/table" "$out"
