#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh: benchmark vfio-boot-bind against the passthrough guides' shell loop
# and Debian's driverctl on the same synthetic sysfs trees, and count its system
# calls beside the syscall floor (bench/syscalls.sh); print a markdown table
# and write it to bench/results.md. See bench/README.md.
#
# Environment: BINDER (default build/vfio-boot-bind), BENCH_SIZES ("64 1024 8192"),
# BENCH_RUNS_FAST (15: binder, builtin-read shell, driverctl), BENCH_RUNS_SLOW (5: guide-style
# $(cat) shell; 3 above 1,024 functions), BENCH_TMPDIR (default /dev/shm),
# BENCH_OUT (default bench/results.md; "-" for stdout only).

set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$bench")
binder=${BINDER:-$top/build/vfio-boot-bind}
sizes=${BENCH_SIZES:-64 1024 8192}
runs_fast=${BENCH_RUNS_FAST:-15}
runs_slow=${BENCH_RUNS_SLOW:-5}
out=${BENCH_OUT:-$bench/results.md}
rss_size=1024

die() {
	echo "bench: $*" >&2
	exit 1
}

for tool in hyperfine dash busybox driverctl unshare cpio awk strip readelf; do
	command -v "$tool" >/dev/null || die "$tool not found (tools/deps.sh bench)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian package time)"
[ "$(id -u)" -eq 0 ] || die "driverctl runs in a private mount namespace: run as root"
have_binder=0
[ -x "$binder" ] && have_binder=1

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
tmpbase=${BENCH_TMPDIR:-/dev/shm}
[ -d "$tmpbase" ] && [ -w "$tmpbase" ] || tmpbase=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$tmpbase/vfio-boot-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work

# Tools, in table order: "key|label".
tools=(
	"bind|vfio-boot-bind"
	"sh_dash|sh loop, \$(cat), dash"
	"sh_bb|sh loop, \$(cat), busybox sh"
	"shb_dash|sh loop, read builtin, dash"
	"shb_bb|sh loop, read builtin, busybox sh"
	"dctl|driverctl --nosave set-override"
)
declare -A median rss nsel

# cmd KEY: the command line of a tool for hyperfine -N (split like a shell would).
cmd() {
	case $1 in
	bind) echo "$binder --root $work --modprobe true --quiet" ;;
	sh_dash) echo "dash $bench/shell-override.sh --read=cat $work/sys $selectors" ;;
	sh_bb) echo "busybox sh $bench/shell-override.sh --read=cat $work/sys $selectors" ;;
	shb_dash) echo "dash $bench/shell-override.sh --read=builtin $work/sys $selectors" ;;
	shb_bb) echo "busybox sh $bench/shell-override.sh --read=builtin $work/sys $selectors" ;;
	dctl) echo "$bench/driverctl-override.sh $work $expected_list" ;;
	esac
}

fresh() { rm -rf "$work" && cp -a "$pristine" "$work"; }

# overridden: the addresses whose driver_override is vfio-pci, one per line.
overridden() {
	grep -lx vfio-pci "$work"/sys/devices/*/*/driver_override | awk -F/ '{ print $(NF - 1) }' | sort
}

verify() {
	local got
	got=$(overridden)
	[ "$got" = "$expected" ] || {
		diff <(echo "$expected") <(echo "$got") >&2 || true
		die "$1 at $n functions did not set exactly the selected overrides"
	}
}

# time_tool KEY RUNS: median wall time (seconds) of RUNS runs, each on a fresh tree.
time_tool() {
	local key=$1 runs=$2 warm=1
	[ "$runs" -ge 5 ] || warm=0
	hyperfine -N --style basic --runs "$runs" --warmup "$warm" \
		--prepare "sh -c 'rm -rf $work && cp -a $pristine $work'" \
		--command-name "$key@$n" --export-csv "$tmp/$key.csv" "$(cmd "$key")" >&2
	verify "$key"
	median[$key@$n]=$(awk -F, 'NR == 2 { print $4 }' "$tmp/$key.csv")
}

# rss_of KEY: peak RSS in KiB (GNU time %M: the largest process of the tool's tree).
rss_of() {
	fresh
	# shellcheck disable=SC2046 # cmd prints a command line to split
	/usr/bin/time -o "$tmp/rss" -f %M $(cmd "$1") >/dev/null
	tail -n 1 "$tmp/rss"
}

# System calls of the binder's dry run beside the floor (not timed: counted).
syscall_table=
if [ "$have_binder" = 1 ]; then
	echo "== system calls: bench/syscalls.sh" >&2
	syscall_table=$(BINDER=$binder SYSCALL_SIZES=$sizes "$bench/syscalls.sh") || true
	[ -n "$syscall_table" ] || die "bench/syscalls.sh printed nothing"
fi

for n in $sizes; do
	echo "== $n functions" >&2
	pristine=$tmp/pristine-$n
	"$top/tests/fixture/gen-spec" "$n" >"$tmp/spec-$n"
	"$top/tests/fixture/mksysfs" "$pristine" <"$tmp/spec-$n"
	# Selection: the distinctive GPUs and their audio by ID, the NVMe drives by address.
	by_addr=$(awk '$2 == "144d:a80a" { print $1 }' "$tmp/spec-$n")
	selectors="10de:2504 10de:228e $(echo "$by_addr" | tr '\n' ' ')"
	{
		echo "# bench: ${n} functions"
		for s in $selectors; do echo "$s"; done
	} >"$pristine/etc/vfio-boot.conf"
	expected=$(awk '$2 == "10de:2504" || $2 == "10de:228e" || $2 == "144d:a80a" { print $1 }' \
		"$tmp/spec-$n" | sort)
	expected_list=$(echo "$expected" | tr '\n' ' ')
	nsel[$n]=$(echo "$expected" | wc -l)
	slow=$runs_slow
	[ "$n" -le 1024 ] || [ "$slow" -le 3 ] || slow=3

	if [ "$have_binder" = 1 ]; then
		time_tool bind "$runs_fast"
		rss[bind@$n]=$(rss_of bind)
		# The same run with vfio_pci already loaded forks no modprobe: the binder alone.
		fresh
		mkdir "$work/sys/module/vfio_pci"
		rss[bindonly@$n]=$(/usr/bin/time -f %M "$binder" --root "$work" --modprobe true --quiet 2>&1 >/dev/null | tail -n 1)
	fi
	time_tool sh_dash "$slow"
	time_tool sh_bb "$slow"
	time_tool shb_dash "$runs_fast"
	time_tool shb_bb "$runs_fast"
	time_tool dctl "$runs_fast"
	if [ "$n" = "$rss_size" ]; then
		for key in sh_dash sh_bb shb_dash shb_bb dctl; do rss[$key@$n]=$(rss_of "$key"); done
	fi
	# driverctl-override.sh's own cost: namespace, bind mounts, no driverctl call.
	if [ "$n" = "${sizes%% *}" ]; then
		expected_save=$expected_list
		expected_list=
		hyperfine -N --style basic --runs "$runs_fast" --warmup 1 \
			--command-name "driverctl harness only" --export-csv "$tmp/ns.csv" "$(cmd dctl)" >&2
		ns_overhead=$(awk -F, 'NR == 2 { print $4 }' "$tmp/ns.csv")
		expected_list=$expected_save
	fi
	rm -rf "$pristine" "$work"
done

# ---- report ----------------------------------------------------------------------

ms() { awk -v s="$1" 'BEGIN { printf (s < 0.01 ? "%.2f ms" : s < 1 ? "%.1f ms" : "%.2f s"), (s < 1 ? s * 1000 : s) }'; }
us_per_fn() { awk -v s="$1" -v n="$2" 'BEGIN { v = s * 1e6 / n; printf (v < 100 ? "%.1f" : "%.0f"), v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r >= 100 ? "%.0fx" : "%.1fx"), r }'; }
kib() { awk -v k="$1" 'BEGIN { printf "%d KiB", k }'; }
fmt_n() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

size_stripped=
if [ "$have_binder" = 1 ]; then
	strip -o "$tmp/bind.stripped" "$binder"
	size_stripped=$(stat -c %s "$tmp/bind.stripped")
	if readelf -l "$binder" | grep -q 'Requesting program interpreter'; then
		linkage="dynamic"
	else
		linkage="static"
	fi
fi

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
fstype=$(stat -f -c %T "$tmpbase")

{
	echo "## Benchmark results"
	echo
	echo "Command: \`make bench\` (runs \`bench/run.sh\`; sizes \`$sizes\`," \
		"$runs_fast runs each, $runs_slow for the \$(cat) loops (3 above 1,024 functions))."
	echo
	echo "Machine: $(nproc) x $cpu, $mem RAM, Linux $(uname -r), Debian $(cat /etc/debian_version);" \
		"trees on $tmpbase ($fstype). dash $(pkgver dash), busybox $(pkgver busybox-static)," \
		"driverctl $(pkgver driverctl), hyperfine $(pkgver hyperfine). Generated $(date -u +%Y-%m-%d)."
	echo "Load average at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg)" \
		"(anything near or above $(nproc) means other jobs shared the CPUs: numbers are noisy)."
	echo
	head="| tool |"
	rule="|---|"
	for n in $sizes; do
		head="$head $(fmt_n "$n") fns |"
		rule="$rule---:|"
	done
	for n in $sizes; do
		head="$head x bind @$(fmt_n "$n") |"
		rule="$rule---:|"
	done
	for n in $sizes; do
		head="$head us/fn @$(fmt_n "$n") |"
		rule="$rule---:|"
	done
	echo "$head peak RSS @$(fmt_n $rss_size) |"
	echo "$rule---:|"
	for t in "${tools[@]}"; do
		key=${t%%|*} label=${t#*|}
		row="| $label |"
		if [ "$key" = bind ] && [ "$have_binder" = 0 ]; then
			row="| $label (not built) |"
			for _ in $sizes $sizes $sizes; do row="$row n/a |"; done
			echo "$row n/a |"
			continue
		fi
		for n in $sizes; do row="$row $(ms "${median[$key@$n]}") |"; done
		for n in $sizes; do
			if [ "$have_binder" = 1 ]; then
				row="$row $(ratio "${median[$key@$n]}" "${median[bind@$n]}") |"
			else
				row="$row n/a |"
			fi
		done
		for n in $sizes; do row="$row $(us_per_fn "${median[$key@$n]}" "$n") |"; done
		r=${rss[$key@$rss_size]-}
		if [ "$key" = bind ] && [ -n "$r" ]; then
			row="$row $(kib "${rss[bindonly@$rss_size]}") (1) |"
		elif [ -n "$r" ]; then
			row="$row $(kib "$r") |"
		else
			row="$row - |"
		fi
		echo "$row"
	done
	echo
	echo "Wall time is the median over runs, each on a fresh copy of the tree (the copy is"
	echo "not timed). Every tool sets driver_override to vfio-pci on the same functions"
	printf '%s' "(selected per size:"
	for n in $sizes; do printf ' %s' "${nsel[$n]}@$(fmt_n "$n")"; done
	echo "; checked after each tool): GPUs 10de:2504 and their"
	echo "audio 10de:228e by ID, NVMe 144d:a80a by address."
	echo
	if [ "$have_binder" = 1 ]; then
		echo "vfio-boot-bind: \`--root TREE --modprobe true --quiet\`; it also unbinds, probes,"
		echo "writes status.json and kmsg lines. Stripped binary: $size_stripped bytes" \
			"($(awk -v b="$size_stripped" 'BEGIN { printf "%.1f", b / 1024 }') KiB, $linkage)."
		printf '%s' "(1) Peak RSS of the binder alone (vfio_pci already loaded, nothing forked):"
		for n in $sizes; do printf ' %s' "$(kib "${rss[bindonly@$n]}") @$(fmt_n "$n");"; done
		echo " with \`--modprobe true\` the largest process is the"
		printf '%s' "forked /usr/bin/true:"
		for n in $sizes; do printf ' %s' "$(kib "${rss[bind@$n]}") @$(fmt_n "$n");"; done
		echo " (GNU time %M)."
	fi
	echo "The driverctl column includes \`unshare\` and four bind mounts per run"
	echo "($(ms "$ns_overhead") measured alone); modprobe/udevadm are a no-op stub there."
	echo
	echo "Peak RSS of the other tools is that of their largest process (a forked cat,"
	echo "the shell, bash running driverctl)."
	echo
	if [ -n "$syscall_table" ]; then
		echo "### System calls: the binder's dry run beside the syscall floor"
		echo
		echo "\`bench/syscalls.sh\` counts with \`strace -f -c\` \`vfio-boot-bind --root TREE --dry-run\`"
		echo "and \`bench/floor.c\` (list sys/bus/pci/devices, read each modalias once: the"
		echo "least any binder must do, with none of its checks) on the same trees."
		echo
		echo "$syscall_table"
		echo
	fi
	echo "Targets (at 1,024 functions). The issue's shell approach is the guides' loop"
	echo "(\$(cat) per attribute); the read-builtin loop is a best-case shell, shown for scale."
	if [ "$have_binder" = 1 ] && [ -n "${median[bind@1024]-}" ]; then
		for key in sh_dash sh_bb shb_dash shb_bb dctl; do
			r=$(awk -v a="${median[$key@1024]}" -v b="${median[bind@1024]}" 'BEGIN { printf "%.1f", a / b }')
			verdict=$(awk -v r="$r" 'BEGIN { print (r >= 50 ? "met" : "MISSED") }')
			label=$(printf '%s\n' "${tools[@]}" | awk -F'|' -v k="$key" '$1 == k { print $2 }')
			case $key in
			shb_*) echo "- for scale, not a target: ${r}x faster than $label" ;;
			*) echo "- >= 50x faster than $label: ${r}x, $verdict" ;;
			esac
		done
		verdict=$(awk -v s="$size_stripped" 'BEGIN { print (s <= 96 * 1024 ? "met" : "MISSED") }')
		echo "- stripped static binary <= 96 KiB: $size_stripped bytes, $verdict"
		verdict=$(awk -v k="${rss[bindonly@1024]}" 'BEGIN { print (k <= 1024 ? "met" : "MISSED") }')
		echo "- peak RSS <= 1 MiB: $(kib "${rss[bindonly@1024]}") (binder alone), $verdict;" \
			"$(kib "${rss[bind@1024]}") with the forked /usr/bin/true"
	else
		echo "- not evaluated: need build/vfio-boot-bind and the 1,024 size"
	fi
	if [ "$have_binder" = 1 ] && [ -n "${median[bind@1024]-}" ] && [ -n "${median[bind@8192]-}" ]; then
		echo "- linear growth: $(us_per_fn "${median[bind@1024]}" 1024) us/function at 1,024," \
			"$(us_per_fn "${median[bind@8192]}" 8192) at 8,192" \
			"(8x the functions took $(ratio "${median[bind@8192]}" "${median[bind@1024]}") the time)"
	fi
} >"$tmp/results.md"

cat "$tmp/results.md"
if [ "$out" != - ]; then
	cp "$tmp/results.md" "$out"
	echo "bench: wrote $out" >&2
fi
