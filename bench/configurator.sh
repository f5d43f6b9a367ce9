#!/bin/bash
# Benchmark: `vfio-boot list` and `vfio-boot configure --dry-run` on the
# synthetic 1,024-function tree (tests/fixture/gen-spec + mksysfs), with the
# module indexes of the installed kernel, vfio-boot installed into the tree
# (`make install DESTDIR`) and a stand-in update-initramfs, as `--root` trees.
# Prints a markdown table (wall time, and system calls counted with strace)
# and writes it to bench/configurator-results.md. Target: under 20 ms each on
# an idle machine. Beside them, bench/floor.c on the same tree (list the
# functions, read each modalias once, check nothing): what this machine's
# system calls cost, the least any reader of the tree takes; and floor.c
# --confined: what list shows (IDs, IOMMU group, driver) read the least way a
# reader confined to the tree can, with no other check.
# Usage: bench/configurator.sh [N]   (N functions, default 1024)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1024}
vb=$top/build/vfio-boot
[ -x "$vb" ] || { echo "build first: make" >&2; exit 1; }
musl=${MUSLCC:-musl-gcc}
for tool in hyperfine strace jq "$musl"; do
	command -v "$tool" >/dev/null || { echo "needs $tool (tools/deps.sh bench)" >&2; exit 1; }
done
kdir=$(find /lib/modules/ -mindepth 2 -maxdepth 2 -name modules.alias.bin -printf '%h\n' | sort | head -n 1)

work=$(mktemp -d "${BENCH_TMPDIR:-/dev/shm}/vb-conf-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/tree
"$musl" -static -Os -Wall -Wextra -o "$work/floor" "$top/bench/floor.c"
"$top/tests/fixture/gen-spec" "$n" >"$work/spec"
"$top/tests/fixture/mksysfs" "$tree" <"$work/spec"
printf 'vendor_id\t: GenuineIntel\n' >"$tree/proc/cpuinfo"
mkdir -p "$tree/etc/default" "$tree/lib/modules/$(basename "$kdir")"
cp "$kdir"/modules.* "$tree/lib/modules/$(basename "$kdir")/"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$tree/etc/default/grub"
# What configure looks for: its hooks and the binder, and a generator to run them.
make -s -C "$top" install DESTDIR="$tree" >/dev/null
mkdir -p "$tree/usr/sbin"
# Stand-ins for update-initramfs and update-grub (configure --dry-run runs
# neither; without update-grub it would exit 4: nothing refreshes grub.cfg).
for tool in update-initramfs update-grub; do
	printf '#!/bin/sh\n# bench: stands in for %s\n' "$tool" >"$tree/usr/sbin/$tool"
	chmod 755 "$tree/usr/sbin/$tool"
done

# The same selection as bench/run.sh: GPUs and their audio by ID (every card:
# --all-matching), NVMe by address.
selectors=$(awk 'BEGIN { s = "10de:2504,10de:228e" }
	$2 == "144d:a80a" { s = s "," $1 } END { print s }' "$work/spec")
functions=$(grep -c '^[0-9a-f]' "$work/spec")
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# calls ARGS...: the system calls of one run of vfio-boot ARGS (it must succeed).
calls() {
	strace -f -c -o "$work/counts" "$vb" "$@" >/dev/null || {
		echo "vfio-boot $* failed" >&2
		exit 1
	}
	awk '$NF == "total" { print $4 }' "$work/counts"
}
calls_list=$(calls --root "$tree" list)
calls_configure=$(calls --root "$tree" --dry-run configure --all-matching "$selectors")
strace -f -c -o "$work/counts" "$work/floor" "$tree" >/dev/null
calls_floor=$(awk '$NF == "total" { print $4 }' "$work/counts")
# Each floor must read every function: a failed openat2 would time nothing.
for how in "" --confined; do
	# shellcheck disable=SC2086 # how: no option, or one
	[ "$("$work/floor" $how "$tree")" = "$functions" ] ||
		{ echo "bench/floor.c $how did not read $functions modalias files" >&2; exit 1; }
done
strace -f -c -o "$work/counts" "$work/floor" --confined "$tree" >/dev/null
calls_confined=$(awk '$NF == "total" { print $4 }' "$work/counts")

hyperfine --style none --shell=none --warmup 3 --runs 40 --export-json "$work/h.json" \
	-n list "$vb --root $tree list" \
	-n "configure --dry-run" "$vb --root $tree --dry-run configure --all-matching $selectors" \
	-n floor "$work/floor $tree" \
	-n confined "$work/floor --confined $tree" >/dev/null

table=$(jq -r --arg list "$calls_list" --arg configure "$calls_configure" --arg floor "$calls_floor" --arg confined "$calls_confined" '.results[] | "| \(if .command == "floor" then "bench/floor.c (no checks)" elif .command == "confined" then "bench/floor.c --confined (no checks)" else "vfio-boot " + .command end) | \(.median * 1000 | . * 100 | round / 100) ms | \(.min * 1000 | . * 100 | round / 100) ms | \(.max * 1000 | . * 100 | round / 100) ms | \(if .command == "list" then $list elif .command == "floor" then $floor elif .command == "confined" then $confined else $configure end) |"' "$work/h.json")
{
	echo "## vfio-boot on a $functions-function tree"
	echo
	echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)."
	echo "Load average at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(anything near or above $(nproc) means other jobs shared the CPUs: times are noisy)."
	echo "Command: \`bench/configurator.sh $n\` (hyperfine without a shell, 3 warm-ups, 40 runs; the tree on tmpfs;"
	echo "module indexes of kernel $(basename "$kdir"); selection: $selectors)."
	echo
	echo "| command | median | min | max | system calls |"
	echo "| --- | --- | --- | --- | --- |"
	echo "$table"
	echo
	echo "System calls: \`strace -f -c\` of one run (they do not depend on the load)."
	echo "Target: under 20 ms each at 1,024 functions on an idle machine (the min column is"
	echo "the closest to that on a shared one). The floor lists the functions and reads each"
	echo "modalias once with no check at all (bench/floor.c, static): it shows what this"
	echo "machine's system calls cost. The confined floor reads what list shows (IDs, IOMMU"
	echo "group, driver) the least way a reader kept inside the tree can: each function's"
	echo "directory opened with openat2 (RESOLVE_IN_ROOT), modalias opened below it and read,"
	echo "the two links read, no check of what an entry is. vfio-boot does that and checks"
	echo "(its directory listing tells a FIFO or a device from a file, and shows boot_vga,"
	echo "physfn and bridges), looks each function up in the module indexes and pci.ids, and"
	echo "prints it; its start (the loader, the module indexes) alone takes a few ms."
} | tee "$top/bench/configurator-results.md"
