#!/bin/bash
# Boot tests: Debian's kernel in QEMU (q35, TCG, intel-iommu) with initramfs
# images built by the real mkinitramfs and the real dracut from the files
# `make install` stages. A test-only script in each image prints a report
# over the serial console and powers off; this driver asserts on the report.
#
# Usage: tests/boot/run.sh            (as root; see tests/boot/README.md)
# Exit:  0 all boots passed, 1 a failure, 77 QEMU cannot run here.
# Env:   VFIO_BOOT_KVER       kernel version (default: newest /boot/vmlinuz-*
#                             with /lib/modules/VERSION/modules.dep)
#        VFIO_BOOT_TEST_BIND  binder to put in the images instead of the one
#                             `make install` stages (debugging only)
#        BOOT_TIMEOUT         seconds per boot (default 180)
#        KEEP=1               keep the work directory
#
# Nothing outside a mktemp -d directory is written: /boot is only read, the
# generators get private config dirs, and dracut a private copy of its base
# directory.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
boot_timeout=${BOOT_TIMEOUT:-180}
qemu="qemu-system-x86_64"

# Addresses in the QEMU rig (see qemu_args).
BOOT_VGA=0000:00:01.0  # QEMU's default VGA, 1234:1111, boot_vga=1: the host GPU
PT_VGA=0000:01:00.0    # bochs-display: the emulated passthrough GPU, 1234:1111
PT_AUDIO=0000:01:00.1  # ich9-intel-hda beside it (snd_hda_intel)
PT_USB=0000:01:00.2    # qemu-xhci beside it (xhci_pci, driver xhci_hcd)
SERIAL=0000:00:04.0    # pci-serial, claimed by the built-in 8250_pci (serial)
PCI_CARD="$PT_VGA $PT_AUDIO $PT_USB"

say() { printf '%s\n' "$*"; }
fatal() {
	say "FAIL: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- setup

[ "$(id -u)" -eq 0 ] || fatal "must run as root (mkinitramfs and dracut need it)"

if ! command -v "$qemu" >/dev/null 2>&1; then
	say "SKIP: $qemu not found"
	exit 77
fi
for dev in /dev/null /dev/zero /dev/urandom; do
	if [ ! -c "$dev" ]; then
		say "SKIP: $dev missing, QEMU cannot run"
		exit 77
	fi
done
if ! smoke=$(printf 'quit\n' | timeout 60 "$qemu" -machine q35,accel=tcg -display none \
	-nodefaults -monitor stdio -S 2>&1); then
	say "SKIP: $qemu cannot start a q35 TCG machine here: $smoke"
	exit 77
fi

for tool in mkinitramfs unmkinitramfs dracut lsinitrd make; do
	command -v "$tool" >/dev/null 2>&1 || fatal "$tool not found"
done

kver=${VFIO_BOOT_KVER:-}
if [ -z "$kver" ]; then
	for k in $(for f in /boot/vmlinuz-*; do printf '%s\n' "${f#/boot/vmlinuz-}"; done | sort -V); do
		[ -e "/lib/modules/$k/modules.dep" ] && kver=$k
	done
fi
[ -n "$kver" ] || fatal "no /boot/vmlinuz-VERSION with /lib/modules/VERSION (install linux-image-amd64)"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || fatal "$kernel not readable"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfio-boot-boot.XXXXXX") || fatal "mktemp failed"
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export TMPDIR=$tmp

say "kernel: $kernel"

# Stage the project exactly as a package would install it.
stage=$tmp/stage
if ! make -C "$repo" install DESTDIR="$stage" PREFIX=/usr >"$tmp/make-install.log" 2>&1; then
	cat "$tmp/make-install.log" >&2
	fatal "make install failed"
fi
if [ -n "${VFIO_BOOT_TEST_BIND:-}" ]; then
	say "binder: $VFIO_BOOT_TEST_BIND (VFIO_BOOT_TEST_BIND)"
	install -m 0755 "$VFIO_BOOT_TEST_BIND" "$stage/usr/sbin/vfio-boot-bind"
fi
for f in usr/sbin/vfio-boot-bind usr/share/initramfs-tools/hooks/vfio-boot \
	usr/lib/dracut/modules.d/50vfio-boot/module-setup.sh usr/lib/modprobe.d/vfio-boot.conf; do
	[ -e "$stage/$f" ] || fatal "make install did not stage /$f"
done
init_top=$(ls "$stage/usr/share/initramfs-tools/scripts/init-top/")
[ "$(printf '%s\n' "$init_top" | wc -l)" -eq 1 ] || fatal "expected one init-top script, got: $init_top"

# ------------------------------------------------------- test-only files

# Configurations: a good one (scenarios a, b, e) and garbage (scenario d).
mkdir -p "$tmp/conf"
cat >"$tmp/conf/good.conf" <<EOF
# tests/boot: the emulated card by ID. The boot VGA at 00:01.0 has the same
# ID and must be refused; companions=slot (default) adds 01:00.1 and 01:00.2.
1234:1111
# the pci-serial that the built-in 8250_pci claims before any initramfs
$SERIAL
EOF
{
	say "this is not a selector"
	say "zzzz:yyyy"
	say "1234:"
	say "companions=sideways"
	say "boot-vga=maybe"
	say "0000:zz:99.9"
	say "10de:2504@"
	printf '\001\002\377\376 binary junk\n'
	head -c 3000 /dev/zero | tr '\0' 'x'
	say ""
	printf 'no newline at end'
} >"$tmp/conf/garbage.conf"

# The report, run by both generators once udev has settled. Every report
# line starts with "VBR " so kernel messages on the console cannot pass for
# one; printk is turned down first anyway.
cat >"$tmp/vfio-boot-test-report" <<'EOF'
#!/bin/sh
# tests/boot only: print the vfio-boot report on the console, power off.
gen=$1
exec >/dev/console 2>&1 # under systemd, stdout would go to the journal
echo 1 >/proc/sys/kernel/printk 2>/dev/null
command -v udevadm >/dev/null 2>&1 && udevadm settle --timeout=30 2>/dev/null
p() { printf 'VBR %s\n' "$*"; }
echo "=== VFIO-BOOT-REPORT BEGIN ==="
p "generator $gen"
p "uptime $(cat /proc/uptime)"
p "cmdline $(cat /proc/cmdline)"
for d in /sys/bus/pci/devices/*; do
	drv=none
	[ -e "$d/driver" ] && drv=$(readlink "$d/driver") && drv=${drv##*/}
	id="$(cat "$d/vendor"):$(cat "$d/device")"
	id=$(echo "$id" | sed 's/0x//g')
	p "dev ${d##*/} $id driver=$drv override=$(cat "$d/driver_override")"
done
for m in vfio_pci vfio_iommu_type1; do
	[ -d "/sys/module/$m" ] && p "module $m loaded"
done
if [ -r /run/vfio-boot/status.json ]; then
	while IFS= read -r l || [ -n "$l" ]; do p "status $l"; done </run/vfio-boot/status.json
else
	p "nostatus"
fi
if [ -r /scripts/init-top/ORDER ]; then
	while IFS= read -r l; do p "order $l"; done </scripts/init-top/ORDER
fi
for h in /lib/dracut/hooks/pre-udev/*; do
	[ -e "$h" ] && p "pre-udev-hook ${h##*/}"
done
dmesg | while IFS= read -r l; do
	case $l in
	*vfio-boot*|*udevd*) p "kmsg $l" ;;
	*"0000:"*)
		case $l in
		*"bound to device"*|*"probing driver"*|*"matched device"*|*"bound device"*) p "kmsg $l" ;;
		esac ;;
	esac
done
echo "=== VFIO-BOOT-REPORT END ==="
echo o >/proc/sysrq-trigger
sleep 30
EOF
chmod 755 "$tmp/vfio-boot-test-report"

export VFIO_BOOT_TEST_REPORT=$tmp/vfio-boot-test-report
# Where a host with the package installed has it: /usr/lib/modprobe.d, which
# both generators copy into every image. The staged copy stands in for it.
export VFIO_BOOT_TEST_MODPROBE=$stage/usr/lib/modprobe.d/vfio-boot.conf
# The native drivers that vfio-boot has to beat must be in every image.
TEST_DRIVERS="bochs snd_hda_intel xhci_pci"

# ---------------------------------------------------- initramfs-tools

itools_confdir=$tmp/itools
mkdir -p "$itools_confdir/hooks" "$itools_confdir/scripts/init-top" \
	"$itools_confdir/scripts/init-premount" "$itools_confdir/conf.d"
cat >"$itools_confdir/initramfs.conf" <<EOF
MODULES=list
BUSYBOX=y
KEYMAP=n
COMPRESS=zstd
DEVICE=
NFSROOT=auto
RUNSIZE=10%
FSTYPE=auto
EOF
: >"$itools_confdir/modules"
# The project's hook and boot script, as make install staged them: mkinitramfs
# runs CONFDIR/hooks after /usr/share/initramfs-tools/hooks and copies
# CONFDIR/scripts over /usr/share/initramfs-tools/scripts.
cp -p "$stage/usr/share/initramfs-tools/hooks/"* "$itools_confdir/hooks/"
cp -p "$stage/usr/share/initramfs-tools/scripts/init-top/"* "$itools_confdir/scripts/init-top/"
cat >"$itools_confdir/hooks/zz-vfio-boot-test" <<EOF
#!/bin/sh
# tests/boot only: native drivers, the staged modprobe.d file, the report.
PREREQ=""
case "\$1" in prereqs) echo "\$PREREQ"; exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
manual_add_modules $TEST_DRIVERS
copy_file config "\$VFIO_BOOT_TEST_MODPROBE" /usr/lib/modprobe.d/vfio-boot.conf || true
copy_exec "\$VFIO_BOOT_TEST_REPORT" /usr/bin/vfio-boot-test-report
exit 0
EOF
cat >"$itools_confdir/scripts/init-premount/zz-vfio-boot-test" <<'EOF'
#!/bin/sh
# tests/boot only: udev has settled (init-top/udev); report and power off.
PREREQ=""
case "$1" in prereqs) echo "$PREREQ"; exit 0 ;; esac
/usr/bin/vfio-boot-test-report initramfs-tools
EOF
chmod 755 "$itools_confdir/hooks/"* "$itools_confdir/scripts/init-top/"* \
	"$itools_confdir/scripts/init-premount/"*

build_itools() { # NAME CONF
	local img=$tmp/$1.img t0
	t0=$(date +%s)
	if ! VFIO_BOOT_BIND=$stage/usr/sbin/vfio-boot-bind VFIO_BOOT_CONF=$2 \
		mkinitramfs -d "$itools_confdir" -o "$img" "$kver" >"$tmp/$1.build.log" 2>&1; then
		cat "$tmp/$1.build.log" >&2
		fatal "mkinitramfs failed for $1"
	fi
	say "image $1: built in $(($(date +%s) - t0)) s ($(du -k "$img" | cut -f1) KiB)"
}

# ------------------------------------------------------------- dracut

dracut_base=$tmp/dracut-base
cp -a /usr/lib/dracut "$dracut_base"
cp -a "$stage/usr/lib/dracut/modules.d/50vfio-boot" "$dracut_base/modules.d/"
testmod=$dracut_base/modules.d/99vfio-boot-test
mkdir -p "$testmod" "$tmp/dracut.conf.d"
: >"$tmp/dracut.conf"
cat >"$testmod/module-setup.sh" <<EOF
#!/bin/bash
# tests/boot only: native drivers, the staged modprobe.d file, the report,
# and a stand-in root= so dracut reaches pre-mount without a root disk.
check() { return 255; }
depends() { echo vfio-boot; }
installkernel() { hostonly='' instmods $TEST_DRIVERS; }
install() {
	inst_simple "\$VFIO_BOOT_TEST_MODPROBE" /usr/lib/modprobe.d/vfio-boot.conf
	inst_script "\$VFIO_BOOT_TEST_REPORT" /usr/bin/vfio-boot-test-report
	inst_multiple cat readlink dmesg sed sleep
	inst_hook cmdline 99 "\$moddir/test-root.sh"
	inst_hook pre-mount 99 "\$moddir/test-report.sh"
}
EOF
cat >"$testmod/test-root.sh" <<'EOF'
#!/bin/sh
# tests/boot only: there is no root disk; let dracut go on to pre-mount.
# shellcheck disable=SC2034 # dracut reads root and rootok after this hook
[ -n "${root:-}" ] || root=vfio-boot-test
rootok=1
EOF
cat >"$testmod/test-report.sh" <<'EOF'
#!/bin/sh
# tests/boot only: udev has settled; report and power off.
/usr/bin/vfio-boot-test-report dracut
EOF
chmod 755 "$testmod/"*

build_dracut() { # NAME CONF "OPTIONS" "MODULES"
	local img=$tmp/$1.img t0
	t0=$(date +%s)
	# shellcheck disable=SC2086 # the options are split on purpose
	if ! dracutbasedir=$dracut_base VFIO_BOOT_BIND=$stage/usr/sbin/vfio-boot-bind \
		VFIO_BOOT_CONF=$2 dracut --conf "$tmp/dracut.conf" --confdir "$tmp/dracut.conf.d" \
		--tmpdir "$tmp" --kver "$kver" $3 --no-early-microcode \
		--compress zstd --modules "$4" --force "$img" >"$tmp/$1.build.log" 2>&1; then
		cat "$tmp/$1.build.log" >&2
		fatal "dracut failed for $1"
	fi
	say "image $1: built in $(($(date +%s) - t0)) s ($(du -k "$img" | cut -f1) KiB)"
}

# --------------------------------------------------------------- boots

qemu_args() { # IMAGE
	printf '%s\n' -machine q35,accel=tcg -cpu max -m 1024 -smp 2 \
		-display none -monitor none -no-reboot -nodefaults -vga std \
		-device intel-iommu,intremap=on \
		-device pcie-root-port,id=rp1,chassis=1,slot=1,bus=pcie.0,addr=02.0 \
		-device bochs-display,bus=rp1,addr=00.0,multifunction=on \
		-device ich9-intel-hda,bus=rp1,addr=00.1 \
		-device qemu-xhci,bus=rp1,addr=00.2 \
		-device pci-serial,bus=pcie.0,addr=04.0 \
		-kernel "$kernel" -initrd "$1"
}

# Kernel log: driver core debug (really_probe/driver_bound) shows every
# driver that probes or binds a device, so "never bound" can be proved.
BASE_APPEND='console=ttyS0 intel_iommu=on iommu=pt panic=-1 log_buf_len=1M dyndbg="file drivers/base/dd.c +p"'
# rd.udev.log_level=info: udevd announces its start on the console (order
# evidence), as it does under initramfs-tools.
DRACUT_APPEND='rd.shell=0 rd.emergency=poweroff rd.udev.log_level=info'

report=  # current boot's report (VBR lines)
console= # current boot's serial console log, printable text
boot_ok=1
passed=0
failed=0
wall_times=()

ok() { say "  ok   $*"; }
bad() {
	say "  FAIL $*"
	boot_ok=0
}
check() { # DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

boot() { # NAME IMAGE APPEND
	local name=$1 img=$2 log=$tmp/$1.serial t0 t1 rc
	local -a args
	mapfile -t args < <(qemu_args "$img")
	boot_ok=1
	report=$tmp/$name.report
	console=$tmp/$name.console
	say "--- boot $name: $3"
	t0=$(date +%s.%N)
	timeout -k 10 "$boot_timeout" "$qemu" "${args[@]}" -serial "file:$log" \
		-append "$3" </dev/null >"$tmp/$name.qemu.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	wall_times+=("$name ${wall}s")
	say "  wall time ${wall} s (qemu exit $rc)"
	# Printable text only: the garbage config puts binary bytes in the log.
	tr -cd '\11\12\40-\176' <"$log" >"$console"
	sed -n '/=== VFIO-BOOT-REPORT BEGIN ===/,/=== VFIO-BOOT-REPORT END ===/p' "$console" |
		sed -n 's/^VBR //p' >"$report"
	if ! grep -q '=== VFIO-BOOT-REPORT END ===' "$console"; then
		bad "boot reached the report (qemu exit $rc); serial log tail:"
		tail -40 "$console" | sed 's/^/    | /'
		cat "$tmp/$name.qemu.log"
		return 1
	fi
	ok "boot reached the report"
	return 0
}

finish_boot() {
	if [ "$boot_ok" = 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

# Report queries.
driver_of() { sed -n "s/^dev $1 [^ ]* driver=\\([^ ]*\\) .*/\\1/p" "$report"; }
has_driver() { [ "$(driver_of "$1")" = "$2" ]; }
not_driver() { local d; d=$(driver_of "$1"); [ -n "$d" ] && [ "$d" != "$2" ]; }
kmsg() { sed -n 's/^kmsg //p' "$report"; }
# Drivers that the kernel log shows probing or binding ADDR.
drivers_seen() {
	kmsg | grep -F "$1" | sed -n \
		-e "s/.*probing driver \\([^ ]*\\) with device $1\$/\\1/p" \
		-e "s/.*matched device $1 with driver \\([^ ]*\\)\$/\\1/p" \
		-e "s/.*bound device $1 to driver \\([^ ]*\\)\$/\\1/p" \
		-e "s/.*driver: '\\([^']*\\)': driver_bound: bound to device '$1'\$/\\1/p" | sort -u
}
only_vfio_seen() { # ADDR: nothing but vfio-pci ever probed or bound it
	local seen
	seen=$(drivers_seen "$1")
	[ "$seen" = vfio-pci ] || {
		say "    drivers seen for $1: ${seen:-none}"
		return 1
	}
}
seen_driver() { drivers_seen "$1" | grep -qx "$2"; }

# status.json: flattened; device objects hold no nested objects.
status_flat() { sed -n 's/^status //p' "$report" | tr -d '\n'; }
status_dev() { status_flat | grep -o "{[^{}]*\"address\": *\"$1\"[^{}]*}"; }
status_field() { # ADDR FIELD -> value (string without quotes, or null)
	status_dev "$1" | grep -o "\"$2\": *\\(\"[^\"]*\"\\|null\\)" | head -1 |
		sed -e 's/^"[^"]*": *//' -e 's/^"\(.*\)"$/\1/'
}
status_is() { # ADDR FIELD VALUE
	local v
	v=$(status_field "$1" "$2")
	[ "$v" = "$3" ] || {
		say "    status.json $1 $2: got '${v}', want '$3'"
		return 1
	}
}
status_valid() {
	grep -q '^status ' "$report" || return 1
	if command -v jq >/dev/null 2>&1; then
		sed -n 's/^status //p' "$report" | jq -e .devices >/dev/null
	fi
}
status_disabled() { status_flat | grep -q '"disabled": *true'; }

# Line number in the report of the first kmsg line matching a pattern.
first_kmsg() { kmsg | grep -n -m1 -e "$1" | cut -d: -f1; }
before() { # PATTERN_A PATTERN_B: first A comes before first B
	local a b
	a=$(first_kmsg "$1")
	b=$(first_kmsg "$2")
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
		return 0
	fi
	say "    kernel log order: '$1' at ${a:-none}, '$2' at ${b:-none}"
	return 1
}
# Serial console, before the report: the last vfio-boot line comes before
# udevd announces itself (initramfs-tools: "Starting systemd-udevd version",
# dracut: the same with rd.udev.info, systemd: "Starting systemd-udevd...").
vfio_before_udevd() {
	local last first
	last=$(sed '/=== VFIO-BOOT-REPORT BEGIN ===/q' "$console" | grep -n 'vfio-boot:' | tail -1 | cut -d: -f1)
	first=$(sed '/=== VFIO-BOOT-REPORT BEGIN ===/q' "$console" |
		grep -n -m1 -i 'starting.*systemd-udevd\|systemd-udevd.*starting' | cut -d: -f1)
	if [ -n "$last" ] && [ -n "$first" ] && [ "$last" -lt "$first" ]; then
		say "    console: last vfio-boot line $last, udevd starts at line $first"
		return 0
	fi
	say "    console: last vfio-boot line ${last:-none}, udevd starts at line ${first:-none}"
	return 1
}

# ------------------------------------------------------------ scenarios

scenario_select() { # a, b, e
	local a
	for a in $PCI_CARD; do
		check "a: $a on vfio-pci at report time" has_driver "$a" vfio-pci
		check "a: kernel log: only vfio-pci ever probed/bound $a" only_vfio_seen "$a"
		check "e: status.json $a result bound" status_is "$a" result bound
		check "e: status.json $a driver_after vfio-pci" status_is "$a" driver_after vfio-pci
		check "e: status.json $a driver_before null" status_is "$a" driver_before null
	done
	check "e: status.json $PT_VGA selected_by 1234:1111" status_is "$PT_VGA" selected_by 1234:1111
	check "e: status.json $PT_AUDIO selected_by companion" status_is "$PT_AUDIO" selected_by companion
	check "e: status.json $PT_USB selected_by companion" status_is "$PT_USB" selected_by companion
	check "a: boot VGA $BOOT_VGA is not on vfio-pci" not_driver "$BOOT_VGA" vfio-pci
	check "a: boot VGA $BOOT_VGA kept bochs-drm, no override" \
		grep -q "^dev $BOOT_VGA [^ ]* driver=bochs-drm override=(null)\$" "$report"
	check "e: status.json $BOOT_VGA result refused" status_is "$BOOT_VGA" result refused
	check "b: pci-serial $SERIAL on vfio-pci" has_driver "$SERIAL" vfio-pci
	check "b: kernel log: $SERIAL was bound to serial (8250_pci) first" seen_driver "$SERIAL" serial
	check "e: status.json $SERIAL driver_before serial" status_is "$SERIAL" driver_before serial
	check "e: status.json $SERIAL result bound" status_is "$SERIAL" result bound
	check "e: status.json $SERIAL driver_after vfio-pci" status_is "$SERIAL" driver_after vfio-pci
	check "e: status.json is valid and lists devices" status_valid
	check "a: vfio_iommu_type1 (vfio's softdep) loaded" grep -q '^module vfio_iommu_type1 loaded' "$report"
	check "order: kernel log: vfio-pci took $PT_VGA before bochs-drm bound anything" \
		before "bound to device '$PT_VGA'" "'bochs-drm': driver_bound"
	check "order: console: vfio-boot finished before udevd started" vfio_before_udevd
}

natives_kept() { # c, d
	check "$1: $PT_VGA kept bochs-drm" has_driver "$PT_VGA" bochs-drm
	check "$1: $PT_AUDIO kept snd_hda_intel" has_driver "$PT_AUDIO" snd_hda_intel
	check "$1: $PT_USB kept xhci_hcd" has_driver "$PT_USB" xhci_hcd
	check "$1: $SERIAL kept serial" has_driver "$SERIAL" serial
	check "$1: $BOOT_VGA kept bochs-drm" has_driver "$BOOT_VGA" bochs-drm
	check "$1: no device on vfio-pci or overridden" \
		bash -c "! grep -q -e '^dev .* driver=vfio-pci ' -e '^dev .* override=vfio-pci' '$report'"
}

scenario_disabled() { # c
	natives_kept c
	check "c: status.json says disabled" status_disabled
	check "c: kernel log says disabled" bash -c "grep -q '^kmsg .*vfio-boot:.*disabl' '$report'"
	# Nothing loaded vfio-pci but the softdeps of the shipped modprobe.d file
	# (udev loading bochs/snd_hda_intel/xhci_pci).
	check "c: softdep loaded vfio-pci with the native drivers" grep -q '^module vfio_pci loaded' "$report"
}

scenario_garbage() { # d
	natives_kept d
	check "d: status.json written, no device selected" \
		bash -c "sed -n 's/^status //p' '$report' | tr -d '\\n' | grep -q '\"devices\": *\\[ *\\]'"
	check "d: status.json reports the selector matching nothing" \
		bash -c "grep -q '^status .*ffff:fff0' '$report'"
}

itools_order_in_image() { # IMAGE
	local x=$tmp/unpacked order
	rm -rf "$x"
	unmkinitramfs "$1" "$x" || return 1
	order=$(find "$x" -path '*/scripts/init-top/ORDER' | head -1)
	[ -n "$order" ] || return 1
	say "    ORDER (image): $(grep -o '/scripts/init-top/[^ ]*' "$order" | tr '\n' ' ')"
	order_ok "$(cat "$order")"
}
order_ok() { # ORDER text: our script before udev
	local ours theirs
	ours=$(printf '%s\n' "$1" | grep -n -m1 "/scripts/init-top/$init_top " | cut -d: -f1)
	theirs=$(printf '%s\n' "$1" | grep -n -m1 '/scripts/init-top/udev ' | cut -d: -f1)
	[ -n "$ours" ] && [ -n "$theirs" ] && [ "$ours" -lt "$theirs" ]
}
itools_order_at_boot() { order_ok "$(sed -n 's/^order //p' "$report")"; }

# A hostonly dracut image (not booted) must still carry vfio-pci: its
# modalias matches no device, so only hostonly='' instmods brings it.
dracut_hostonly_contents() {
	local img=$tmp/dracut-hostonly.img list f
	build_dracut dracut-hostonly "$good" "--hostonly --hostonly-mode strict" "base vfio-boot"
	list=$(lsinitrd "$img") || return 1
	for f in usr/sbin/vfio-boot-bind etc/vfio-boot.conf \
		usr/lib/dracut/hooks/pre-udev/05-vfio-boot-pre-udev.sh \
		/vfio-pci.ko /vfio-pci-core.ko /vfio.ko /vfio_iommu_type1.ko; do
		printf '%s\n' "$list" | grep -q -- "$f" || {
			say "    hostonly image lacks $f"
			return 1
		}
	done
}

item() { # DESCRIPTION COMMAND...: a pass/fail item outside any boot
	local desc=$1
	shift
	if "$@"; then
		say "  ok   $desc"
		passed=$((passed + 1))
	else
		say "  FAIL $desc"
		failed=$((failed + 1))
	fi
}

# ---------------------------------------------------------------- run

good=$tmp/conf/good.conf
garbage=$tmp/conf/garbage.conf
t_all=$(date +%s)

say "=== initramfs-tools"
build_itools itools-good "$good"
build_itools itools-garbage "$garbage"
item "ORDER in the built image: init-top/$init_top runs before init-top/udev" \
	itools_order_in_image "$tmp/itools-good.img"

if boot itools-select "$tmp/itools-good.img" "$BASE_APPEND"; then
	scenario_select
	check "order: ORDER in the booted image runs $init_top before udev" itools_order_at_boot
fi
finish_boot
if boot itools-disabled "$tmp/itools-good.img" "$BASE_APPEND vfio_boot.disable=1"; then
	scenario_disabled
fi
finish_boot
if boot itools-garbage "$tmp/itools-garbage.img" "$BASE_APPEND vfio_boot.devices=ffff:fff0"; then
	scenario_garbage
fi
finish_boot

say "=== dracut"
# Only the dracut modules needed (kernel-modules would pull in hundreds of
# drivers); dracut's own depends() resolution adds udev-rules etc.
dracut_mods="base vfio-boot vfio-boot-test"
build_dracut dracut-good "$good" --no-hostonly "$dracut_mods"
build_dracut dracut-garbage "$garbage" --no-hostonly "$dracut_mods"
build_dracut dracut-systemd-good "$good" --no-hostonly "systemd systemd-initrd dracut-systemd $dracut_mods"
item "dracut --hostonly image carries the binder, config, hook and vfio modules" \
	dracut_hostonly_contents

for variant in dracut dracut-systemd; do
	if boot "$variant-select" "$tmp/$variant-good.img" "$BASE_APPEND $DRACUT_APPEND"; then
		scenario_select
		check "order: pre-udev hook in the booted image" \
			grep -q '^pre-udev-hook .*vfio-boot' "$report"
	fi
	finish_boot
done
if boot dracut-disabled "$tmp/dracut-good.img" "$BASE_APPEND $DRACUT_APPEND vfio_boot.disable=1"; then
	scenario_disabled
fi
finish_boot
if boot dracut-garbage "$tmp/dracut-garbage.img" "$BASE_APPEND $DRACUT_APPEND vfio_boot.devices=ffff:fff0"; then
	scenario_garbage
fi
finish_boot

say "=== wall times"
for w in "${wall_times[@]}"; do say "  $w"; done
say "  total $(($(date +%s) - t_all)) s (image builds included)"
say "boot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
