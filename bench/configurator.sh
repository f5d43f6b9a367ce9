#!/bin/bash
# Benchmark: `vfio-boot list` and `vfio-boot configure --dry-run` on the
# synthetic 1,024-function tree (tests/fixture/gen-spec + mksysfs), with the
# module indexes of the installed kernel, as `--root` trees. Prints a markdown
# table and writes it to bench/configurator-results.md. Target: under 50 ms.
# Usage: bench/configurator.sh [N]   (N functions, default 1024)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1024}
vb=$top/build/vfio-boot
[ -x "$vb" ] || { echo "build first: make" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (tools/deps.sh bench)" >&2; exit 1; }
kdir=$(find /lib/modules/ -mindepth 2 -maxdepth 2 -name modules.alias.bin -printf '%h\n' | sort | head -n 1)

work=$(mktemp -d "${BENCH_TMPDIR:-/dev/shm}/vb-conf-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/tree
"$top/tests/fixture/gen-spec" "$n" >"$work/spec"
"$top/tests/fixture/mksysfs" "$tree" <"$work/spec"
printf 'vendor_id\t: GenuineIntel\n' >"$tree/proc/cpuinfo"
mkdir -p "$tree/etc/default" "$tree/lib/modules/$(basename "$kdir")"
cp "$kdir"/modules.* "$tree/lib/modules/$(basename "$kdir")/"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$tree/etc/default/grub"

# The same selection as bench/run.sh: GPUs and their audio by ID (every card:
# --all-matching), NVMe by address.
selectors=$(awk 'BEGIN { s = "10de:2504,10de:228e" }
	$2 == "144d:a80a" { s = s "," $1 } END { print s }' "$work/spec")
functions=$(grep -c '^[0-9a-f]' "$work/spec")

hyperfine --style none --warmup 3 --runs 40 --export-json "$work/h.json" \
	-n list "$vb --root $tree list" \
	-n "configure --dry-run" "$vb --root $tree --dry-run configure --all-matching $selectors" >/dev/null

table=$(jq -r '.results[] | "| vfio-boot \(.command) | \(.median * 1000 | . * 100 | round / 100) ms | \(.min * 1000 | . * 100 | round / 100) ms | \(.max * 1000 | . * 100 | round / 100) ms |"' "$work/h.json")
{
	echo "## vfio-boot on a $functions-function tree"
	echo
	echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)."
	echo "Command: \`bench/configurator.sh $n\` (hyperfine, 3 warm-ups, 40 runs; the tree on tmpfs;"
	echo "module indexes of kernel $(basename "$kdir"); selection: $selectors)."
	echo
	echo "| command | median | min | max |"
	echo "| --- | --- | --- | --- |"
	echo "$table"
	echo
	echo "Target: under 50 ms each at 1,024 functions."
} | tee "$top/bench/configurator-results.md"
