#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/syscalls.sh: the system calls of vfio-boot-bind's dry run beside the
# syscall floor, bench/floor.c (list sys/bus/pci/devices, read each modalias
# once: the least any binder must do), on the bench's synthetic trees. Prints
# a markdown table; exits 1 when the binder is not within 1.5x of the floor
# at 1,024 and 8,192 functions. bench/run.sh puts the table in results.md.
# Counts are `strace -f -c` totals: they do not depend on the machine's load.
#
# Environment: BINDER (default build/vfio-boot-bind), SYSCALL_SIZES
# ("64 1024 8192"), MUSLCC (musl-gcc: the floor is built as the binder is,
# static with musl), BENCH_TMPDIR (default /dev/shm).

set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")
binder=${BINDER:-$top/build/vfio-boot-bind}
sizes=${SYSCALL_SIZES:-64 1024 8192}
musl=${MUSLCC:-musl-gcc}
target=1.5

die() {
	echo "syscalls: $*" >&2
	exit 2
}

for tool in strace "$musl" awk; do
	command -v "$tool" >/dev/null || die "$tool not found (tools/deps.sh bench)"
done
[ -x "$binder" ] || die "no binder at $binder (make)"
tmpbase=${BENCH_TMPDIR:-/dev/shm}
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$tmpbase/vfio-boot-syscalls.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$musl" -static -Os -Wall -Wextra -o "$tmp/floor" "$bench/floor.c"

# count CMD...: the system calls CMD makes, all processes included.
count() {
	strace -f -c -o "$tmp/counts" "$@" >/dev/null 2>&1 || die "$* failed under strace"
	awk '$NF == "total" { print $4 }' "$tmp/counts"
}

echo "| functions | vfio-boot-bind --dry-run | floor (bench/floor.c) | binder / floor |"
echo "|---:|---:|---:|---:|"
missed=
for n in $sizes; do
	tree=$tmp/tree-$n
	"$top/tests/fixture/gen-spec" "$n" >"$tmp/spec"
	"$top/tests/fixture/mksysfs" "$tree" <"$tmp/spec"
	# The selection of bench/run.sh: GPUs and their audio by ID, NVMe by address.
	awk 'BEGIN { print "10de:2504"; print "10de:228e" } $2 == "144d:a80a" { print $1 }' \
		"$tmp/spec" >"$tree/etc/vfio-boot.conf"
	[ "$("$tmp/floor" "$tree")" = "$n" ] || die "the floor did not read $n modalias files"
	calls_bind=$(count "$binder" --root "$tree" --dry-run)
	calls_floor=$(count "$tmp/floor" "$tree")
	ratio=$(awk -v b="$calls_bind" -v f="$calls_floor" 'BEGIN { printf "%.2f", b / f }')
	printf '| %s | %s | %s | %sx |\n' "$n" "$calls_bind" "$calls_floor" "$ratio"
	case $n in
	1024 | 8192)
		awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r > t) }' && missed="$missed $n"
		;;
	esac
	rm -rf "$tree"
done
echo
if [ -n "$missed" ]; then
	echo "Target: the binder's dry run within ${target}x of the floor at 1,024 and 8,192 functions: MISSED at$missed."
	exit 1
fi
echo "Target: the binder's dry run within ${target}x of the floor at 1,024 and 8,192 functions: met."
