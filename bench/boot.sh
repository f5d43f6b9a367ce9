#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/boot.sh: what the initramfs-tools hook adds to a boot, measured in the
# QEMU rig of tests/boot (tests/boot/lib-rig.sh): Debian's kernel under TCG
# with the emulated passthrough card. Two images built by the real
# mkinitramfs, alike but for the vfio-boot files: "with" carries the staged
# hook, init-top script, the softdeps configure writes and a config selecting 1234:1111
# (the card; the boot VGA with the same ID is refused); "without" carries no
# vfio-boot file. Both carry the card's native drivers and bench-only
# markers that write to /dev/kmsg, so every time below is read from the
# guest kernel's clock:
#
#   init-top begin   first init-top script (00-vfio-boot-bench-begin)
#   init-top end     the next one after 00vfio-boot (00zz-vfio-boot-bench-end)
#   init-premount    the bench's init-premount script, which then runs the
#                    report of tests/boot (serial console) and powers off
#   binder           the "in X ms" of vfio-boot-bind's summary line
#
# The kernel command line is the rig's without its debug options, plus
# Debian's default "quiet". The variants boot in alternating pairs (AB, BA,
# ...) to spread the noise of a shared host. Also measured: the image sizes
# (and, not booted, a pair of MODULES=most images, Debian's default) and the
# stripped binder's size. Prints a markdown table on stdout (progress on
# stderr) and writes it to bench/boot-results.md.
#
# Usage: bench/boot.sh                 (as root)
# Exit:  0 done, 1 a failure, 77 QEMU cannot run here.
# Env:   BOOT_BENCH_RUNS   boots per variant (default 7, at least 5)
#        BOOT_BENCH_OUT    results file (default bench/boot-results.md; "-": stdout only)
#        VFIO_BOOT_KVER    kernel version (default: newest /boot/vmlinuz-* with modules)
#        BOOT_TIMEOUT      seconds per boot (default 180)
#        KEEP=1            keep the work directory
#
# Nothing outside one mktemp -d directory is written but the results file:
# /boot is only read and mkinitramfs gets private config dirs.
set -u -o pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench")
runs=${BOOT_BENCH_RUNS:-7}
out=${BOOT_BENCH_OUT:-$bench/boot-results.md}
t_start=$(date +%s)

# shellcheck source=tests/boot/lib-rig.sh disable=SC1091 # followed with -x
. "$repo/tests/boot/lib-rig.sh"
report= # set by rig_boot: the report lines of the last boot
wall=   # set by rig_boot: its host wall time (s)

say() { printf '%s\n' "$*" >&2; } # progress; stdout is the table
die() {
	say "bench/boot: $*"
	exit 1
}

# ---------------------------------------------------------------- setup

[ "$(id -u)" -eq 0 ] || die "must run as root (mkinitramfs needs it)"
case $runs in '' | *[!0-9]*) die "BOOT_BENCH_RUNS must be a number" ;; esac
[ "$runs" -ge 5 ] || die "BOOT_BENCH_RUNS must be at least 5"
why=$(rig_qemu_unusable)
if [ -n "$why" ]; then
	say "SKIP: $why"
	exit 77
fi
for tool in mkinitramfs lsinitramfs make awk; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done

kver=${VFIO_BOOT_KVER:-$(rig_newest_kver)}
[ -n "$kver" ] || die "no /boot/vmlinuz-VERSION with /lib/modules/VERSION (install linux-image-amd64)"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "$kernel not readable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfio-boot-bench-boot.XXXXXX") || die "mktemp failed"
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export TMPDIR=$tmp # mkinitramfs works under it

say "kernel: $kernel; $runs boots per variant"
stage=$tmp/stage
if ! make -C "$repo" install DESTDIR="$stage" >"$tmp/make-install.log" 2>&1; then
	cat "$tmp/make-install.log" >&2
	die "make install failed"
fi
binder=$repo/build/vfio-boot-bind
init_top=$(ls "$stage/usr/share/initramfs-tools/scripts/init-top/")
[ "$(printf '%s\n' "$init_top" | wc -l)" -eq 1 ] || die "expected one init-top script, got: $init_top"

# ------------------------------------------------------ bench-only files

cat >"$tmp/vfio-boot.conf" <<'EOF'
# bench/boot.sh: the emulated card by ID; companions=slot (default) adds
# 01:00.1 and 01:00.2. The boot VGA at 00:01.0 has the same ID: refused.
1234:1111
EOF

# init-top markers around the project's script: tsort emits independent
# names in byte order, so 00-... < 00vfio-boot < 00zz-... < udev.
mark_begin=00-vfio-boot-bench-begin
mark_end=00zz-vfio-boot-bench-end
{
	rig_itools_head "bench/boot.sh only: mark this point of init-top in the kernel log."
	cat <<'EOF'
echo "<6>vfio-boot-bench: init-top ${0##*/}" >/dev/kmsg
exit 0
EOF
} >"$tmp/marker"
# init-premount: a marker, then tests/boot's test-only script (byte order
# again: zz-vfio-boot-bench < zz-vfio-boot-test), which runs the report.
{
	rig_itools_head "bench/boot.sh only: udev has settled (init-top/udev); mark."
	echo 'echo "<6>vfio-boot-bench: init-premount" >/dev/kmsg'
} >"$tmp/premount-marker"

# The report of tests/boot (lib-rig.sh); its kmsg lines include the markers
# (*vfio-boot*).
rig_write_report "$tmp/vfio-boot-test-report"
rig_write_softdeps "$tmp/00-vfio-boot.conf"
chmod 755 "$tmp/marker" "$tmp/premount-marker"

# make_confdir DIR MODULES WITH BENCH: an initramfs-tools config dir, the
# rig's settings with MODULES=$2 (lib-rig.sh); WITH=1 adds the vfio-boot files
# as a package would install them; BENCH=1 adds the card's native drivers and
# the report (tests/boot's test-only scripts, in both variants) and the
# markers.
make_confdir() {
	local d=$1
	if [ "$3" = 1 ]; then
		rig_itools_confdir "$d" "$2" "$stage"
	else
		rig_itools_confdir "$d" "$2"
	fi
	if [ "$4" = 1 ] && [ "$3" = 1 ]; then
		rig_write_itools_test "$d" "$tmp/vfio-boot-test-report" \
			"copy_file config \"$tmp/00-vfio-boot.conf\" /etc/modprobe.d/00-vfio-boot.conf || true"
	elif [ "$4" = 1 ]; then
		rig_write_itools_test "$d" "$tmp/vfio-boot-test-report"
	fi
	if [ "$4" = 1 ]; then
		cp -p "$tmp/marker" "$d/scripts/init-top/$mark_begin"
		cp -p "$tmp/marker" "$d/scripts/init-top/$mark_end"
		cp -p "$tmp/premount-marker" "$d/scripts/init-premount/zz-vfio-boot-bench"
	fi
}

build_image() { # NAME MODULES WITH BENCH
	local img=$tmp/$1.img t0
	make_confdir "$tmp/conf-$1" "$2" "$3" "$4"
	t0=$(date +%s)
	if ! VFIO_BOOT_BIND=$stage/usr/local/sbin/vfio-boot-bind VFIO_BOOT_CONF=$tmp/vfio-boot.conf \
		mkinitramfs -d "$tmp/conf-$1" -o "$img" "$kver" >"$tmp/$1.build.log" 2>&1; then
		cat "$tmp/$1.build.log" >&2
		die "mkinitramfs failed for $1"
	fi
	lsinitramfs -l "$img" >"$tmp/$1.list" || die "lsinitramfs failed for $1"
	say "image $1: $(stat -c %s "$img") bytes, built in $(($(date +%s) - t0)) s"
}

# vfio_files LIST: the entries of an lsinitramfs -l listing that come from
# vfio-boot (its files and the vfio modules its hook adds), bench files aside.
vfio_files() { awk '$NF ~ /vfio/ && $NF !~ /vfio-boot-(bench|test)/ { print $NF }' "$1"; }

# only_in A B: "COUNT BYTES" of the regular files listed in image A and not
# in image B (uncompressed sizes).
only_in() {
	awk 'NR == FNR { if ($1 ~ /^-/) seen[$NF] = 1; next }
		$1 ~ /^-/ && !($NF in seen) { n++; s += $5 }
		END { printf "%d %d\n", n, s }' "$tmp/$2.list" "$tmp/$1.list"
}

# ---------------------------------------------------------------- images

build_image with list 1 1
build_image without list 0 1
[ -z "$(vfio_files "$tmp/without.list")" ] ||
	die "the image without the hook has vfio files: $(vfio_files "$tmp/without.list" | tr '\n' ' ')"
for f in usr/sbin/vfio-boot-bind etc/vfio-boot.conf "scripts/init-top/$init_top" \
	etc/modprobe.d/00-vfio-boot.conf /vfio-pci.ko; do
	vfio_files "$tmp/with.list" | grep -q -- "$f" || die "the image with the hook lacks $f"
done
# Not booted: the same pair with Debian's default MODULES=most, for size.
build_image most-with most 1 0
build_image most-without most 0 0

# ---------------------------------------------------------------- boots

append="console=ttyS0 quiet intel_iommu=on iommu=pt panic=-1"
samples=$tmp/samples # one line per boot, see collect
: >"$samples"

# mark LABEL: the kernel timestamp (s) of a marker line in $report.
mark() {
	sed -n "s/^kmsg \\[ *\\([0-9.]*\\)\\] vfio-boot-bench: $1\$/\\1/p" "$report" | head -1
}

# check_boot VARIANT: the boot did what its variant should, or die.
check_boot() {
	local a order
	order=$(sed -n 's|^order /scripts/init-top/\([^ ]*\).*|\1|p' "$report" | tr '\n' ' ')
	if [ "$1" = with ]; then
		case " $order" in
		*" $mark_begin $init_top $mark_end "*udev*) ;;
		*) die "with: init-top ORDER is not begin, $init_top, end, ..., udev: $order" ;;
		esac
		for a in $PCI_CARD; do
			has_driver "$a" vfio-pci || die "with: $a on $(driver_of "$a"), not vfio-pci"
		done
		not_driver "$BOOT_VGA" vfio-pci || die "with: boot VGA $BOOT_VGA on vfio-pci"
		kmsg | grep -q 'vfio-boot: 3 bound, 0 already bound, 1 refused, 0 failed in ' ||
			die "with: no summary '3 bound, 0 already bound, 1 refused, 0 failed'"
	else
		case " $order" in
		*" $mark_begin $mark_end "*udev*) ;;
		*) die "without: init-top ORDER is not begin, end, ..., udev: $order" ;;
		esac
		if ! has_driver "$PT_VGA" bochs-drm || ! has_driver "$PT_AUDIO" snd_hda_intel ||
			! has_driver "$PT_USB" xhci_hcd; then
			die "without: the card is not on its native drivers"
		fi
		if kmsg | grep -q 'vfio-boot:'; then die "without: vfio-boot ran"; fi
	fi
}

# collect VARIANT RUN: appends to $samples the columns
#   1 variant  2 run  3 host wall time (s)  4 init-top begin (s)  5 end (s)
#   6 init-premount (s)  7 binder (ms, "-" without)  8 load average (1 min)
#   9 other QEMU processes  10 begin to end (ms)  11 end to init-premount (s)
collect() {
	local b e p ms
	b=$(mark "init-top $mark_begin")
	e=$(mark "init-top $mark_end")
	p=$(mark init-premount)
	if [ -z "$b" ] || [ -z "$e" ] || [ -z "$p" ]; then
		die "$1 boot $2: a marker is missing"
	fi
	ms=$(kmsg | sed -n 's/.*vfio-boot: .* in \([0-9.]*\) ms$/\1/p' | head -1)
	awk -v v="$1" -v r="$2" -v w="$wall" -v b="$b" -v e="$e" -v p="$p" -v ms="${ms:--}" \
		-v l="$load1" -v o="$others" \
		'BEGIN { print v, r, w, b, e, p, ms, l, o, (e - b) * 1000, p - e }' >>"$samples"
}

boot_one() { # VARIANT RUN
	others=$(pgrep -c -x qemu-system-x86) # someone else's boots
	load1=$(cut -d' ' -f1 /proc/loadavg)
	rig_boot "$1-$2" "$kernel" "$tmp/$1.img" "$append" >&2 || die "$1 boot $2 did not report"
	check_boot "$1"
	collect "$1" "$2"
	say "boot $1 #$2: init-premount at $(mark init-premount) s, wall $wall s"
}

for i in $(seq 1 "$runs"); do
	if [ $((i % 2)) = 1 ]; then pair="with without"; else pair="without with"; fi
	for v in $pair; do boot_one "$v" "$i"; done
done

# ---------------------------------------------------------------- table

# stats VARIANT COLUMN: "median min max" of a column of $samples (see
# collect) over the boots of a variant.
stats() {
	awk -v v="$1" -v c="$2" '$1 == v { print $c }' "$samples" | sort -g | awk '
		{ x[NR] = $1 }
		END {
			m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
			print m, x[1], x[NR]
		}'
}

# row LABEL UNIT DECIMALS COLUMN: a table row comparing the variants. The
# boots distinguish the variants when their min - max ranges do not overlap.
row() {
	local w wo
	w=$(stats with "$4")
	wo=$(stats without "$4")
	# shellcheck disable=SC2086 # "median min max" of each variant
	set -- "$1" "$2" "$3" $w $wo
	awk -v l="$1" -v u="$2" -v f="%.$3f" -v wm="$4" -v wl="$5" -v wh="$6" \
		-v om="$7" -v ol="$8" -v oh="$9" 'BEGIN {
		verdict = (wl > oh || ol > wh) ? "**yes**: the ranges do not overlap" : \
			"no: within the spread"
		printf "| %s | " f " | " f " - " f " | " f " | " f " - " f " | %+" substr(f, 2) " | %s |\n",
			l " (" u ")", wm, wl, wh, om, ol, oh, wm - om, verdict
	}'
}

size() { stat -c %s "$tmp/$1.img"; }
size_row() { # LABEL WITH WITHOUT
	local w wo
	w=$(size "$2")
	wo=$(size "$3")
	read -r n bytes < <(only_in "$2" "$3")
	printf '| %s | %s | %s | %+d (%+.1f%%) | %s files, %s bytes |\n' "$1" "$w" "$wo" \
		"$((w - wo))" "$(awk -v a="$w" -v b="$wo" 'BEGIN { print (a - b) * 100 / b }')" "$n" "$bytes"
}

binder_size=$(stat -c %s "$binder")
stripped=stripped
readelf -S "$binder" 2>/dev/null | grep -q '\.symtab' && stripped="NOT stripped"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
qemu_version=$($RIG_QEMU --version | head -1)
kpkg=$(dpkg-query -S "$kernel" 2>/dev/null | cut -d: -f1)
kpkg_version=$([ -n "$kpkg" ] && dpkg-query -W -f '${Version}' "$kpkg" 2>/dev/null)
command_line="bench/boot.sh"
[ -n "${BOOT_BENCH_RUNS:-}" ] && command_line="BOOT_BENCH_RUNS=$runs $command_line"
[ -n "${VFIO_BOOT_KVER:-}" ] && command_line="VFIO_BOOT_KVER=$kver $command_line"
mapfile -t qargs < <(rig_qemu_args "$kernel" IMAGE)
load_range=$(awk '{ print $8 }' "$samples" | sort -g | sed -n '1p;$p' | paste -sd-)
others_max=$(awk '$9 > m { m = $9 } END { print m + 0 }' "$samples")
elapsed=$(($(date +%s) - t_start))

table() {
	cat <<EOF
## Boot-time benchmark: initramfs-tools image with and without vfio-boot

Command: \`$command_line\` (as root; $runs boots per variant, in alternating pairs). Run time: $elapsed s.

Machine: $(nproc) x $cpu, $mem RAM, host Linux $(uname -r), Debian $(cat /etc/debian_version), $qemu_version (TCG). Guest kernel: $kver${kpkg_version:+ ($kpkg $kpkg_version)}. Load average (1 min) before the boots: ${load_range}; other QEMU processes running before a boot: at most $others_max. Generated $(date -u +%Y-%m-%d).

QEMU: \`$RIG_QEMU ${qargs[*]} -serial file:LOG -append "$append"\`, the image "with" or "without".

### Boot times (guest kernel clock; host wall time for information)

| measure | with: median | with: min - max | without: median | without: min - max | with - without | distinguishable? |
|---|---:|---:|---:|---:|---:|---|
$(row "time to init-premount" s 3 6)
$(row "time to init-top: kernel, initramfs unpacked" s 3 4)
$(row "init-top begin to end marker: the vfio-boot script" ms 1 10)
$(row "init-top end marker to init-premount: udev coldplug and settle" s 3 11)
$(row "host wall time per boot, QEMU start to exit" s 1 3)

Binder's own time (its summary line \`vfio-boot: 3 bound, 0 already bound, 1 refused, 0 failed in X ms\`, loading vfio-pci included): median $(stats with 7 | awk '{ printf "%.3f ms, min %.3f, max %.3f", $1, $2, $3 }').

$(verdict)

### Sizes

| image (zstd) | with (bytes) | without (bytes) | difference | files only in "with" (uncompressed) |
|---|---:|---:|---:|---:|
$(size_row "booted above (MODULES=list + the card's native drivers)" with without)
$(size_row "MODULES=most (Debian's default), not booted" most-with most-without)

Stripped static binary \`build/vfio-boot-bind\`: $binder_size bytes ($(awk -v b="$binder_size" 'BEGIN { printf "%.1f", b / 1024 }') KiB, $stripped).

Files only in "with" (booted images): $(comm -13 <(awk '$1 ~ /^-/ { print $NF }' "$tmp/without.list" | sort) \
	<(awk '$1 ~ /^-/ { print $NF }' "$tmp/with.list" | sort) |
	sed 's|^usr/lib/modules/[^/]*/kernel/.*/||' | paste -sd' ' | sed 's/ /, /g').

### Per boot, in boot order

| boot | variant | init-top (s) | begin to end (ms) | init-premount (s) | binder (ms) | wall (s) | load (1 min) |
|---:|---|---:|---:|---:|---:|---:|---:|
$(awk '{ printf "| %d | %s | %.3f | %.1f | %.3f | %s | %s | %s |\n", NR, $1, $4, $10, $6, $7, $3, $8 }' "$samples")

How: both images are built by \`mkinitramfs -d CONFDIR -o IMAGE\` from the files \`make install\` stages, with the settings of tests/boot (MODULES=list, BUSYBOX=y, COMPRESS=zstd) and the card's native drivers (bochs, snd_hda_intel, xhci_pci) in both; "with" adds the hook, \`scripts/init-top/$init_top\`, the softdeps configure writes (/etc/modprobe.d/00-vfio-boot.conf) and a config selecting 1234:1111. Bench-only init-top scripts \`$mark_begin\` and \`$mark_end\` (before and after \`$init_top\`, checked in the booted ORDER) and an init-premount script write markers to /dev/kmsg; times are their kernel timestamps. Under TCG the guest clock follows the host's, so host load slows these times as much as the wall time (see the load column). Each boot is checked: "with" has the card on vfio-pci and the boot VGA refused; "without" has it on bochs-drm, snd_hda_intel and xhci_hcd. "Distinguishable" means the min - max ranges of the two variants do not overlap (with $runs boots each, two-sided Mann-Whitney p = $(awk -v n="$runs" 'BEGIN { c = 1; for (i = 1; i <= n; i++) c = c * (n + i) / i; printf "%.4f", 2 / c }')).
EOF
}

# paired COLUMN: "median min max later pairs" of with - without over the
# pairs of boots that ran one after the other (same run number); "later":
# the pairs where "with" took longer.
paired() {
	awk -v c="$1" '{ x[$2, $1] = $c; n = $2 > n ? $2 : n }
		END { for (i = 1; i <= n; i++) print x[i, "with"] - x[i, "without"] }' "$samples" |
		sort -g | awk '
		{ x[NR] = $1; later += $1 > 0 }
		END {
			m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
			print m, x[1], x[NR], later + 0, NR
		}'
}

# verdict: what the boots say about time to init-premount.
verdict() {
	local w wo p
	w=$(stats with 6)
	wo=$(stats without 6)
	p=$(paired 6)
	# shellcheck disable=SC2086 # "median min max" of each variant, then the pairs
	set -- $w $wo $p
	awk -v wm="$1" -v wl="$2" -v wh="$3" -v om="$4" -v ol="$5" -v oh="$6" \
		-v pm="$7" -v pl="$8" -v ph="$9" -v later="${10}" -v n="${11}" 'BEGIN {
		d = (wm - om) * 1000
		if (wl > oh || ol > wh)
			printf "Time to init-premount: the medians differ by %+.0f ms and the ranges do not overlap: the QEMU boots distinguish the variants.", d
		else
			printf "Time to init-premount: no boot-time difference that the QEMU medians can distinguish: the difference of the medians, %+.0f ms, lies within the spread of either variant (%.3f - %.3f s with, %.3f - %.3f s without).", d, wl, wh, ol, oh
		printf " Paired by adjacent boots (with - without): median %+.0f ms, min %+.0f, max %+.0f; \"with\" took longer in %d of %d pairs", pm * 1000, pl * 1000, ph * 1000, later, n
		if (later == 0 || later == n)
			printf " (sign test, two-sided p = %.3f).\n", 2 / 2 ^ n
		else
			printf ".\n"
	}'
}

result=$(table)
printf '%s\n' "$result"
if [ "$out" != - ]; then
	printf '%s\n' "$result" >"$out"
	say "written to $out"
fi
say "run time: $elapsed s"
