#!/bin/bash
# Runs vfio-boot-bind against fixture sysfs trees and checks what it wrote
# where: driver_override, unbind, modprobe, status.json, the kernel log.
# Usage: tests/bind/run.sh path/to/vfio-boot-bind
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mksysfs=$here/../fixture/mksysfs
command -v jq >/dev/null || { echo "bind: jq is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bind: python3 is required" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The harness: begin, fail, end, summary and the T= filter.
# shellcheck source=tests/lib-check.sh
. "$here/../lib-check.sh"

# status.json, wherever a case left one, must be JSON in strictly decoded UTF-8.
strict_json() {
	python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' \
		"$1" 2>"$T/json-err" || fail "$1 is not strict UTF-8 JSON: $(tail -1 "$T/json-err")"
}
end_checks() { # run by end in every case
	[ ! -e "$T/run/vfio-boot/status.json" ] || strict_json "$T/run/vfio-boot/status.json"
}

# tree: builds $T from the spec on stdin.
tree() { "$mksysfs" "$T" || fail "mksysfs failed"; }
conf() { printf '%s\n' "$@" >"$T/etc/vfio-boot.conf"; }
# Every run is guarded: a binder that waits for ever fails the case (124).
BIND_LIMIT=30
bind() {
	local t0 t1
	t0=$(date +%s%N)
	FAKE_ROOT=$T timeout -k 5 "$BIND_LIMIT" "$bin" --root "$T" --modprobe "$here/fake-modprobe" \
		"$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >"$T/ms"
	[ "$(cat "$T/rc")" != 124 ] || fail "the binder did not return within $BIND_LIMIT s"
}
took_under() { [ "$(cat "$T/ms")" -lt "$1" ] || fail "the binder took $(cat "$T/ms") ms, want under $1"; }
# The kernel log and stderr carry no raw control bytes but the newline ending each line.
log_printable() {
	! LC_ALL=C grep -q '[[:cntrl:]]' "$T/dev/kmsg" "$T/err" ||
		fail "raw control bytes in the kernel log or on stderr"
}
rc_is() { [ "$(cat "$T/rc")" = "$1" ] || fail "exit status $(cat "$T/rc"), want $1 ($(head -c 300 "$T/err"))"; }
override_is() {
	local got
	got=$(tail -n 1 "$T/sys/bus/pci/devices/$1/driver_override")
	[ "$got" = "$2" ] || fail "$1 driver_override is '$got', want '$2'"
}
driver_is() {
	local got=""
	[ -L "$T/sys/bus/pci/devices/$1/driver" ] &&
		got=$(basename "$(readlink "$T/sys/bus/pci/devices/$1/driver")")
	[ "$got" = "$2" ] || fail "$1 driver is '$got', want '$2'"
}
# status ADDR FIELD VALUE: a field of the device's status.json entry.
status() {
	local got
	got=$(jq -r --arg a "$1" --arg f "$2" \
		'.devices[] | select(.address == $a) | .[$f] | tostring' \
		"$T/run/vfio-boot/status.json" 2>&1)
	[ "$got" = "$3" ] || fail "status.json $1 .$2 is '$got', want '$3'"
}
status_has() {
	local got
	got=$(jq -r "$1" "$T/run/vfio-boot/status.json" 2>&1)
	[ "$got" = "$2" ] || fail "status.json $1 is '$got', want '$2'"
}
device_count() { status_has '.devices | length' "$1"; }
message_has() {
	jq -e --arg m "$1" '[.messages[] | select(contains($m))] | length > 0' \
		"$T/run/vfio-boot/status.json" >/dev/null || fail "no status.json message contains '$1'"
}
kmsg_has() { grep -qF -- "$1" "$T/dev/kmsg" || fail "kernel log lacks '$1'"; }
events_are() {
	local got
	got=$(cat "$T/events" 2>/dev/null)
	[ "$got" = "$1" ] || fail "events were:
$got
want:
$1"
}

# The example host of tests/fixture/host.spec.
host_spec() { cat "$here/../fixture/host.spec"; }

begin bind-by-id
# A file that selects by ID takes every match: both identical cards (configure
# writes such a file only with --all-matching).
host_spec | tree
conf "# the guest GPU" "10de:2504"
bind
rc_is 0
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3 0000:02:00.0 0000:02:00.1; do
	override_is $a vfio-pci
	driver_is $a vfio-pci
	status $a result bound
	status $a driver_after vfio-pci
done
override_is 0000:00:02.0 "(null)"
override_is 0000:03:00.0 "(null)"
driver_is 0000:03:00.0 igb
device_count 6
status 0000:01:00.0 selected_by 10de:2504
status 0000:01:00.0 driver_before nouveau
status 0000:01:00.0 reason "taken from nouveau"
status 0000:01:00.0 vendor 10de
status 0000:01:00.0 device 2504
status 0000:01:00.0 class 030000
status 0000:01:00.0 iommu_group 12
status 0000:01:00.1 selected_by companion
status 0000:01:00.3 driver_before null
status 0000:01:00.3 reason "same slot as 0000:01:00.0"
status 0000:01:00.1 reason "same slot as 0000:01:00.0; taken from snd_hda_intel"
status_has .disabled false
kmsg_has "<6>vfio-boot: 0000:01:00.0 [10de:2504] bound: taken from nouveau (selected by 10de:2504)"
kmsg_has "vfio-boot: 6 bound, 0 already bound, 0 refused, 0 failed in"
grep -q "vfio-boot: 6 bound" "$T/err" || fail "stderr lacks the summary"
end

begin unbind-before-modprobe
host_spec | tree
conf "02:00.0"
bind
events_are "modprobe vfio-pci
unbind 0000:02:00.0 from nouveau
unbind 0000:02:00.1 from snd_hda_intel
bind 0000:02:00.0 vfio-pci
bind 0000:02:00.1 vfio-pci"
[ "$(wc -l <"$T/sys/bus/pci/devices/0000:02:00.0/driver_override")" = 2 ] ||
	fail "driver_override written more than once"
end

begin identical-cards-by-address
host_spec | tree
conf "0000:02:00.0"
bind
rc_is 0
status 0000:02:00.0 result bound
status 0000:02:00.1 result bound
status 0000:02:00.1 selected_by companion
driver_is 0000:01:00.0 nouveau
override_is 0000:01:00.0 "(null)"
override_is 0000:01:00.1 "(null)"
device_count 2
end

begin id-address-mismatch
host_spec | tree
conf "10de:2504@0000:01:00.0" "10de:2504@0000:03:00.0"
bind
status 0000:01:00.0 result bound
status 0000:03:00.0 result refused
status 0000:03:00.0 reason "ID guard: expected 10de:2504 at 0000:03:00.0, found 8086:1533"
override_is 0000:03:00.0 "(null)"
driver_is 0000:03:00.0 igb
kmsg_has "0000:03:00.0 [8086:1533] refused: ID guard"
end

begin id-guard-keeps-the-card-whole
# Another card at the configured address whose audio function carries the
# configured audio's ID: a guard failed on the card, so nothing on it is taken.
host_spec | tree
conf "10de:1e87@0000:01:00.0" "10de:228e@0000:01:00.1"
bind
device_count 4
status_has '[.devices[] | select(.result == "refused")] | length' 4
status 0000:01:00.0 reason "ID guard: expected 10de:1e87 at 0000:01:00.0, found 10de:2504"
status 0000:01:00.1 result refused
status 0000:01:00.1 reason "card kept whole: 0000:01:00.0 stays with the host (ID guard: expected 10de:1e87 at 0000:01:00.0, found 10de:2504)"
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do override_is $a "(null)"; done
driver_is 0000:01:00.1 snd_hda_intel
end

begin subsystem-id
host_spec | tree
conf "10de:2504:1462:3976"
bind
status 0000:02:00.0 result bound
device_count 2
override_is 0000:01:00.0 "(null)"
end

begin companions-none
host_spec | tree
conf "01:00.0" "companions=none"
bind
device_count 1
status 0000:01:00.0 result bound
override_is 0000:01:00.1 "(null)"
driver_is 0000:01:00.1 snd_hda_intel
status_has .companions none
end

begin boot-vga-refused
host_spec | tree
conf "8086:3e92"
bind --strict
rc_is 0
status 0000:00:02.0 result refused
status 0000:00:02.0 reason "boot VGA device: it drives the host console (boot-vga=allow takes it)"
override_is 0000:00:02.0 "(null)"
driver_is 0000:00:02.0 i915
kmsg_has "<4>vfio-boot: 0000:00:02.0 [8086:3e92] refused: boot VGA device"
end

begin boot-vga-allowed
host_spec | tree
conf "8086:3e92" "boot-vga=allow"
bind
status 0000:00:02.0 result bound
driver_is 0000:00:02.0 vfio-pci
end

begin bridge-in-group
host_spec | tree
conf "01:00.0" "companions=group"
bind
status 0000:00:01.0 result refused
status 0000:00:01.0 reason "PCI bridge: bridges are never bound"
status 0000:00:01.0 selected_by companion
driver_is 0000:00:01.0 pcieport
override_is 0000:00:01.0 "(null)"
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do status $a result bound; done
device_count 5
end

begin bridge-selected
host_spec | tree
conf "0000:00:01.0" "8086:3e30"
bind
status 0000:00:01.0 result refused
status 0000:00:00.0 result refused
override_is 0000:00:01.0 "(null)"
end

begin bridge-header-with-other-class
# Only the header type says bridge here; the class does not.
printf '%s\n' "0000:05:00.0 1b21:1182 088000 group=5 header=1" "0000:05:00.1 1b21:1183 088000 group=5" | tree
conf "05:00.0" "05:00.1"
bind
status 0000:05:00.0 result refused
status 0000:05:00.0 reason "PCI bridge: bridges are never bound"
status 0000:05:00.1 result bound
end

begin ids-from-modalias-alone
# The IDs come from modalias in one read; the single attributes are not needed.
host_spec | tree
for f in vendor device subsystem_vendor subsystem_device class; do
	rm "$T/sys/devices/pci0000:00/0000:01:00.0/$f"
done
conf "10de:2504:1462:3975" "companions=none"
bind
status 0000:01:00.0 result bound
status 0000:01:00.0 class 030000
status 0000:01:00.0 subsystem_vendor 1462
end

begin ids-without-modalias
# Without modalias the binder falls back to the single attributes.
host_spec | tree
rm "$T/sys/devices/pci0000:00/0000:01:00.0/modalias"
conf "10de:2504:1462:3975" "companions=none"
bind
status 0000:01:00.0 result bound
status 0000:01:00.0 class 030000
end

begin already-on-vfio
{ host_spec; echo "!module vfio_pci"; } | sed 's/driver=igb/driver=vfio-pci/' | tree
conf "8086:1533"
bind
status 0000:03:00.0 result already-bound
override_is 0000:03:00.0 vfio-pci
[ ! -e "$T/events" ] || fail "modprobe ran although nothing needed binding"
end

begin module-loaded-probe-after-unbind
# vfio-pci is loaded: the binder must unbind, then write drivers_probe. The
# probe file is a FIFO, held open here (the binder opens without blocking, so
# it needs a reader there first); its reader notes what the unbind file held
# as soon as the probe arrives.
{ host_spec; echo "!module vfio_pci"; } | tree
conf "03:00.0"
rm "$T/sys/bus/pci/drivers_probe"
mkfifo "$T/sys/bus/pci/drivers_probe"
exec 3<>"$T/sys/bus/pci/drivers_probe"
( read -r -t 20 probe <&3
  echo "probe $probe after unbind '$(cat "$T/sys/bus/pci/drivers/igb/unbind")'" >"$T/events" ) &
reader=$!
bind
wait $reader
exec 3<&-
events_are "probe 0000:03:00.0 after unbind '0000:03:00.0'"
override_is 0000:03:00.0 vfio-pci
# The fixture kernel does not bind on probe: the binder must say so, not claim success.
status 0000:03:00.0 result failed
end

begin refused-device-taken-by-ids-option
# vfio-pci, loaded by the binder, also takes IDs from its ids= option: the
# report must show where the refused device really ended up.
host_spec | tree
conf "10de:2504"
echo "quiet vfio_boot.skip=01:00.3" >"$T/proc/cmdline"
FAKE_VFIO_IDS="10de:1adb" bind
status 0000:01:00.3 result refused
status 0000:01:00.3 driver_after vfio-pci
status 0000:01:00.3 reason "skipped by vfio_boot.skip=01:00.3; yet vfio-pci took it (vfio-pci ids= option?)"
status 0000:01:00.0 result bound
end

begin no-iommu-group-fails-strict
printf '%s\n' "0000:05:00.0 1b36:0002 070002" | tree
conf "05:00.0"
bind --strict
rc_is 1
status 0000:05:00.0 result failed
override_is 0000:05:00.0 vfio-pci
kmsg_has "<3>vfio-boot: 0000:05:00.0 [1b36:0002] failed:"
bind
rc_is 0
end

begin modprobe-fails
host_spec | tree
conf "01:00.1" "companions=none"
FAKE_MODPROBE_FAIL=1 bind
rc_is 0
status 0000:01:00.1 result failed
status 0000:01:00.1 reason "$here/fake-modprobe vfio-pci exited with status 1"
end

begin cmdline-disable
{ host_spec; echo "!cmdline root=/dev/sda1 vfio_boot.disable=1"; } | tree
conf "10de:2504"
bind --strict
rc_is 0
status_has .disabled true
device_count 0
override_is 0000:01:00.0 "(null)"
driver_is 0000:01:00.0 nouveau
kmsg_has "vfio-boot: disabled by vfio_boot.disable"
end

begin cmdline-disable-spellings
# The escape hatch fails safe: every value but an explicit false disables
# binding (those the kernel's kstrtobool reads as true, an empty value, any
# other word), and so does the bare word; the report names what was read.
for word in vfio_boot.disable=Y vfio_boot.disable=ON vfio_boot.disable=True \
	vfio_boot.disable=2 vfio_boot.disable= vfio_boot.disable=-1 vfio_boot.disable; do
	rm -rf "$T"
	{ host_spec; echo "!cmdline root=/dev/sda1 $word quiet"; } | tree
	conf "10de:2504@0000:01:00.0"
	bind
	rc_is 0
	said=$word
	[ "$word" != vfio_boot.disable= ] || said="vfio_boot.disable= (an empty value)"
	status_has .disabled true
	status_has .disabled_by "$said on the kernel command line"
	device_count 0
	override_is 0000:01:00.0 "(null)"
	driver_is 0000:01:00.0 nouveau
	kmsg_has "vfio-boot: disabled by $said on the kernel command line: nothing is bound"
done
# An explicit false (kstrtobool's reading) leaves binding on.
for value in 0 n N off f F; do
	rm -rf "$T"
	{ host_spec; echo "!cmdline root=/dev/sda1 vfio_boot.disable=$value quiet"; } | tree
	conf "10de:2504@0000:01:00.0"
	bind
	rc_is 0
	status_has .disabled false
	status_has .disabled_by null
	status 0000:01:00.0 result bound
	driver_is 0000:01:00.0 vfio-pci
	! grep -q "disabled by" "$T/dev/kmsg" || fail "vfio_boot.disable=$value disabled binding"
done
end

begin cmdline-devices-and-skip
{ host_spec; echo "!cmdline quiet vfio_boot.devices=10de:228e vfio_boot.skip=02:00.1,01:00.2"; } | tree
conf "01:00.0"
bind
status 0000:01:00.0 result bound
status 0000:01:00.1 result bound
status 0000:01:00.2 result refused
status 0000:01:00.2 reason "skipped by vfio_boot.skip=01:00.2"
status 0000:02:00.1 result refused
status 0000:02:00.1 selected_by 10de:228e
driver_is 0000:01:00.2 xhci_hcd
override_is 0000:02:00.1 "(null)"
end

begin missing-config
host_spec | tree
bind --strict
rc_is 0
device_count 0
message_has "/etc/vfio-boot.conf: not found"
kmsg_has "vfio-boot: nothing selected"
end

begin missing-explicit-config
host_spec | tree
bind --strict --config "$T/etc/nonexistent.conf"
rc_is 3
message_has "nonexistent.conf: cannot read: No such file or directory"
end

begin empty-config
host_spec | tree
: >"$T/etc/vfio-boot.conf"
bind --strict
rc_is 0
device_count 0
[ "$(jq '.messages | length' "$T/run/vfio-boot/status.json")" = 0 ] || fail "messages for an empty config"
end

begin unreadable-config
host_spec | tree
mkdir "$T/etc/vfio-boot.conf"
echo "vfio_boot.devices=01:00.1" >"$T/proc/cmdline"
bind --strict
rc_is 3
message_has "/etc/vfio-boot.conf: cannot read: not a regular file"
status 0000:01:00.1 result bound
end

begin garbage-config
host_spec | tree
head -c 3000 /dev/urandom >"$T/etc/vfio-boot.conf"
printf '\n10de:2504@02:00.0\nzzzz\n9999:9999\n' >>"$T/etc/vfio-boot.conf"
bind
rc_is 0
status 0000:02:00.0 result bound
message_has "invalid selector 'zzzz'"
message_has "selector '9999:9999' matches no PCI device"
jq . "$T/run/vfio-boot/status.json" >/dev/null || fail "status.json is not valid JSON"
bind --strict
rc_is 3
end

begin oversized-config
# A config of 64 KiB or more is rejected whole, never parsed cut off.
host_spec | tree
{ echo "03:00.0"; head -c 70000 /dev/zero | tr '\0' '#'; echo; } >"$T/etc/vfio-boot.conf"
bind --strict
rc_is 3
message_has "/etc/vfio-boot.conf: 65536 bytes or larger, ignored"
device_count 0
override_is 0000:03:00.0 "(null)"
end

begin dry-run-writes-nothing
host_spec | tree
conf "10de:2504"
bind --dry-run
rc_is 0
[ ! -e "$T/run/vfio-boot" ] || fail "dry run wrote status.json"
[ ! -s "$T/dev/kmsg" ] || fail "dry run wrote the kernel log"
[ ! -e "$T/events" ] || fail "dry run ran modprobe"
override_is 0000:01:00.0 "(null)"
grep -q "0000:01:00.0 \[10de:2504\] dry-run: would unbind nouveau, bind vfio-pci" "$T/out" ||
	fail "dry run plan not printed"
grep -q "dry run: 6 to bind, 0 already bound, 0 refused; nothing written" "$T/out" ||
	fail "dry run summary not printed"
end

begin usage-errors
host_spec | tree
bind --bogus
rc_is 2
grep -q "Try 'vfio-boot-bind --help'" "$T/err" || fail "no hint on bad option"
bind extra-arg
rc_is 2
"$bin" --help >"$T/out" || fail "--help exit status"
grep -q -- "--dry-run" "$T/out" || fail "--help text"
"$bin" --version | grep -q "^vfio-boot-bind [0-9]" || fail "--version"
end

begin status-elsewhere-and-atomic
host_spec | tree
conf "03:00.0"
bind --status "$T/deep/dir/status.json"
jq -e '.devices[0].result == "bound"' "$T/deep/dir/status.json" >/dev/null || fail "--status path"
[ ! -e "$T/deep/dir/.status.json.vfio-boot-new" ] || fail "temporary file left behind"
end

begin device-nodes-in-the-tree
# A tree unpacked as root keeps device nodes. An attribute that is a device
# (here /dev/null) is not written, and a dev/kmsg that is not the kernel log
# (here /dev/tty: `script` gives the binder a terminal) is not logged to.
command -v script >/dev/null || fail "script (util-linux) is required"
host_spec | tree
conf "03:00.0"
rm "$T/sys/devices/pci0000:00/0000:03:00.0/driver_override" "$T/dev/kmsg"
mknod "$T/sys/devices/pci0000:00/0000:03:00.0/driver_override" c 1 3
mknod "$T/dev/kmsg" c 5 0
FAKE_ROOT=$T script -qec "'$bin' --root '$T' --modprobe '$here/fake-modprobe' --quiet" \
	/dev/null >"$T/tty" 2>&1
status 0000:03:00.0 result failed
status 0000:03:00.0 reason "cannot write driver_override: not a regular file (a FIFO, device or directory?)"
! grep -q 'vfio-boot:' "$T/tty" || fail "log records went to a terminal: $(head -c 200 "$T/tty")"
end

begin stale-status-temp-file
# What a crash left where status.json is written, even a FIFO, neither holds
# the binder nor stops the report.
host_spec | tree
conf "03:00.0"
mkdir -p "$T/run/vfio-boot"
mkfifo "$T/run/vfio-boot/.status.json.vfio-boot-new"
FAKE_ROOT=$T timeout 20 "$bin" --root "$T" --modprobe "$here/fake-modprobe" >"$T/out" 2>"$T/err"
echo $? >"$T/rc"
rc_is 0
status 0000:03:00.0 result bound
[ ! -e "$T/run/vfio-boot/.status.json.vfio-boot-new" ] || fail "the stale temporary file is still there"
end

# ------------------------------------------ nothing the binder reads can hold it

begin fifo-config
# A FIFO where the config should be: skipped and reported, never waited on;
# the command line still applies.
host_spec | tree
mkfifo "$T/etc/vfio-boot.conf"
echo "vfio_boot.devices=03:00.0" >"$T/proc/cmdline"
bind --strict
rc_is 3
took_under 5000
message_has "/etc/vfio-boot.conf: cannot read: not a regular file"
status 0000:03:00.0 result bound
device_count 1
bind --strict --config "$T/etc/vfio-boot.conf"
rc_is 3
message_has "vfio-boot.conf: cannot read: not a regular file"
end

begin fifo-cmdline
# A FIFO for proc/cmdline: it could hold vfio_boot.disable=1, so nothing is bound.
host_spec | tree
conf "10de:2504"
rm "$T/proc/cmdline"
mkfifo "$T/proc/cmdline"
bind --strict
rc_is 3
took_under 5000
status_has .disabled true
device_count 0
override_is 0000:01:00.0 "(null)"
message_has "/proc/cmdline: cannot read: not a regular file"
kmsg_has "vfio-boot: disabled by a kernel command line that could not be read"
end

begin oversized-cmdline
# 1 MiB or more is not read at all: the same as unreadable.
host_spec | tree
conf "10de:2504"
{ head -c 1100000 /dev/zero | tr '\0' 'x'; echo " vfio_boot.devices=03:00.0"; } >"$T/proc/cmdline"
bind --strict
rc_is 3
status_has .disabled true
device_count 0
message_has "/proc/cmdline: 1048576 bytes or larger, not read; nothing is bound"
end

begin fifo-kmsg-and-status-tmp
# A FIFO for dev/kmsg and for the report's temporary file: neither holds the binder.
host_spec | tree
conf "03:00.0"
rm "$T/dev/kmsg"
mkfifo "$T/dev/kmsg"
mkdir -p "$T/run/vfio-boot"
mkfifo "$T/run/vfio-boot/.status.json.vfio-boot-new"
bind
rc_is 0
took_under 5000
status 0000:03:00.0 result bound
[ -p "$T/dev/kmsg" ] || fail "dev/kmsg replaced"
[ ! -e "$T/run/vfio-boot/.status.json.vfio-boot-new" ] || fail "temporary file left behind"
end

begin modprobe-never-returns
# A modprobe that never returns (its child sleeps too): killed with its whole
# process group at the limit; the devices fail with the reason, the run goes on.
host_spec | tree
conf "01:00.0"
FAKE_MODPROBE_HANG=1 bind --modprobe-timeout 1
rc_is 0
took_under 4000
for a in 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3; do
	status $a result failed
	status $a reason "$here/fake-modprobe vfio-pci did not finish in 1 s"
	override_is $a vfio-pci
done
kmsg_has "<3>vfio-boot: 0000:01:00.0 [10de:2504] failed: $here/fake-modprobe vfio-pci did not finish in 1 s"
kmsg_has "vfio-boot: 0 bound, 0 already bound, 0 refused, 4 failed in"
sleeper=$(cat "$T/sleeper.pid" 2>/dev/null)
if [ -z "$sleeper" ]; then
	fail "the stand-in did not start its sleeper"
else
	sleep 0.2
	state=$(sed -n 's/.*) \([A-Z]\).*/\1/p' "/proc/$sleeper/stat" 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ] || { fail "modprobe's child $sleeper still runs"; kill "$sleeper"; }
fi
FAKE_MODPROBE_HANG=1 bind --strict --modprobe-timeout 1
rc_is 1
end

begin modprobe-timeout-from-cmdline
# vfio_boot.modprobe_timeout= sets the limit for one boot; --modprobe-timeout wins over it.
host_spec | tree
conf "03:00.0"
echo "quiet vfio_boot.modprobe_timeout=1" >"$T/proc/cmdline"
FAKE_MODPROBE_HANG=1 bind
took_under 4000
status 0000:03:00.0 reason "$here/fake-modprobe vfio-pci did not finish in 1 s"
FAKE_MODPROBE_HANG=1 bind --modprobe-timeout 2
status 0000:03:00.0 reason "$here/fake-modprobe vfio-pci did not finish in 2 s"
end

begin long-cmdline-guard-at-the-end
# 9,000 bytes of command line, the guarded selector last: it is read whole,
# so the identical card at 01:00.0 stays with the host.
host_spec | tree
pad=$(head -c 8900 /dev/zero | tr '\0' 'q' | fold -w 99 | tr '\n' ' ')
echo "BOOT_IMAGE=/vmlinuz $pad vfio_boot.devices=10de:2504@0000:02:00.0" >"$T/proc/cmdline"
[ "$(wc -c <"$T/proc/cmdline")" -gt 9000 ] || fail "the command line is not over 9,000 bytes"
bind --strict
rc_is 0
status 0000:02:00.0 result bound
status 0000:02:00.0 selected_by 10de:2504@0000:02:00.0
status 0000:02:00.1 result bound
device_count 2
override_is 0000:01:00.0 "(null)"
driver_is 0000:01:00.0 nouveau
end

begin cmdline-after-double-dash
# After "--" the words are init's: neither selectors nor the escape hatch are ours.
host_spec | tree
conf "03:00.0"
echo "quiet vfio_boot.skip=01:00.0 -- vfio_boot.devices=10de:2504 vfio_boot.disable=1" >"$T/proc/cmdline"
bind --strict
rc_is 0
status_has .disabled false
status 0000:03:00.0 result bound
device_count 1
override_is 0000:01:00.0 "(null)"
end

begin cmdline-whole-parameter-quotes
# The kernel accepts a quote around the whole parameter: so does the binder.
host_spec | tree
conf "10de:2504"
echo 'quiet "vfio_boot.disable=1"' >"$T/proc/cmdline"
bind
status_has .disabled true
device_count 0
override_is 0000:01:00.0 "(null)"
echo '"vfio_boot.devices=03:00.0,02:00.0" "vfio-boot.skip=02:00.1"' >"$T/proc/cmdline"
: >"$T/etc/vfio-boot.conf"
bind
status 0000:03:00.0 result bound
status 0000:02:00.0 result bound
status 0000:02:00.1 result refused
end

begin binary-junk-config
# Raw bytes, control characters and cut UTF-8 in bad lines: status.json stays
# strict UTF-8 JSON (checked for every case) and the log carries no raw control byte.
host_spec | tree
printf '\033[2J\033]0;owned\007\r\nzz\xff\xfe\xc3\n\xe2\x82\n%s\n10de:2504@02:00.0\n\x9b31m\n' \
	"$(head -c 2000 /dev/urandom | tr -d '\n\0')" >"$T/etc/vfio-boot.conf"
printf 'vfio_boot.devices=\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n' \
	>"$T/proc/cmdline"
bind
rc_is 0
status 0000:02:00.0 result bound
device_count 2
log_printable
message_has "vfio_boot.devices: invalid selector"
# The cut selector is shown cut between characters: no half of an é.
jq -r '.messages[]' "$T/run/vfio-boot/status.json" | grep -q "selector '\(é\)*\.\.\.'" ||
	fail "the long selector is not cut between characters"
grep -q 'zz\\xff\\xfe\\xc3' "$T/dev/kmsg" || fail "bad bytes not escaped in the kernel log"
end

begin many-bad-lines-capped
# 60 KiB of bad lines: every one reported in status.json up to its cap, the
# kernel log keeps the first 20 and a count, and the good selector still applies.
host_spec | tree
{ for i in $(seq 1 6000); do echo "bad$i"; done; echo "03:00.0"; } >"$T/etc/vfio-boot.conf"
bind
rc_is 0
status 0000:03:00.0 result bound
[ "$(wc -c <"$T/run/vfio-boot/status.json")" -lt 262144 ] || fail "status.json over its cap"
got=$(jq '(.messages | length) + .messages_omitted' "$T/run/vfio-boot/status.json")
[ "$got" = 6000 ] || fail "messages written + omitted = $got, want 6000"
[ "$(grep -c 'invalid selector' "$T/dev/kmsg")" = 20 ] || fail "the kernel log does not keep 20 messages"
kmsg_has "vfio-boot: 5980 more messages left out here (see status.json)"
end

begin empty-option-values
# Every option that takes a value refuses an empty one, the same way.
host_spec | tree
for opt in --root= --config= --status= --modprobe= --modprobe-timeout= -r -c; do
	if [ "${opt#--}" = "$opt" ]; then "$bin" "$opt" "" >"$T/out" 2>"$T/err"; else "$bin" "$opt" >"$T/out" 2>"$T/err"; fi
	echo $? >"$T/rc"
	rc_is 2
	grep -q "^vfio-boot-bind: option --[a-z-]* needs a value\$" "$T/err" || fail "$opt: $(head -1 "$T/err")"
done
for bad in 0 601 1.5 x -1; do
	"$bin" --root "$T" --modprobe-timeout "$bad" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	rc_is 2
done
[ ! -e "$T/run/vfio-boot/status.json" ] || fail "a refused run wrote status.json"
end

begin non-canonical-names-ignored
# Only a name as the kernel writes it (DDDD:BB:SS.F, lowercase hex) is a
# function: "0:3:0.0" is not 0000:03:00.0, "0000:1:00.0" and "0000:0A:00.0"
# are no second names for 01:00.0 and 0a:00.0 either. They are left out, and
# said once.
host_spec | tree
d=$T/sys/bus/pci/devices
mv "$d/0000:03:00.0" "$d/0:3:0.0"
ln -s ../../../devices/pci0000:00/0000:01:00.0 "$d/0000:1:00.0"
ln -s ../../../devices/pci0000:00/0000:02:00.0 "$d/0000:0A:00.0"
conf "0000:03:00.0" "0000:01:00.0" "companions=none"
bind
status 0000:01:00.0 result bound
device_count 1
got=$(tail -n 1 "$T/sys/devices/pci0000:00/0000:03:00.0/driver_override")
[ "$got" = "(null)" ] || fail "0000:03:00.0, listed only as 0:3:0.0, has driver_override '$got'"
[ "$(grep -c 'not named as the kernel names functions' "$T/dev/kmsg")" = 1 ] ||
	fail "the ignored names are not said exactly once in the kernel log"
message_has "sys/bus/pci/devices: 3 entries ignored, not named as the kernel names functions"
message_has "selector '0000:03:00.0' matches no PCI device"
end

# The safety rules on fixture hosts shaped like common boards.
# shellcheck source=tests/bind/safety.sh
. "$here/safety.sh"
# driver=, reset_method=, preload=.
# shellcheck source=tests/bind/variant.sh
. "$here/variant.sh"

# shellcheck source=tests/bind/hotplug.sh
. "$here/hotplug.sh"

# shellcheck source=tests/bind/sriov.sh
. "$here/sriov.sh"

summary bind
