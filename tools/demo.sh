#!/bin/sh
# make demo: runs vfio-boot-bind on a built-in example host (a fixture sysfs
# tree in a temporary directory) and shows the plan, the kernel log lines and
# status.json. Nothing outside the temporary directory is touched.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

"$top/tests/fixture/mksysfs" "$root" <<'SPEC'
# An example host: an integrated boot GPU, a passthrough RTX card (GPU, HDMI
# audio, USB-C xhci, UCSI) and an identical card the host keeps.
0000:00:00.0 8086:3e30 060000 group=0
0000:00:01.0 8086:1901 060400 group=1 driver=pcieport
0000:00:02.0 8086:3e92 030000 group=2 driver=i915 boot_vga=1
0000:01:00.0 10de:2504 030000 subsys=1462:3975 group=12 driver=nouveau
0000:01:00.1 10de:228e 040300 subsys=1462:3975 group=12 driver=snd_hda_intel
0000:01:00.2 10de:1ada 0c0330 subsys=1462:3975 group=12 driver=xhci_hcd
0000:01:00.3 10de:1adb 0c8000 subsys=1462:3975 group=12
0000:02:00.0 10de:2504 030000 subsys=1462:3976 group=13 driver=nouveau
0000:02:00.1 10de:228e 040300 subsys=1462:3976 group=13 driver=snd_hda_intel
SPEC
cat >"$root/etc/vfio-boot.conf" <<'CONF'
# The guest's card, guarded by its ID; the host keeps the identical 02:00.0.
10de:2504@0000:01:00.0
# A typo, to show how a bad line is reported and skipped:
10de:25o4
CONF

echo "== /etc/vfio-boot.conf"
cat "$root/etc/vfio-boot.conf"
echo
echo "== vfio-boot-bind --dry-run"
"$bin" --root "$root" --dry-run
echo
echo "== vfio-boot-bind (a stand-in modprobe plays the kernel's part)"
FAKE_ROOT=$root "$bin" --root "$root" --modprobe "$top/tests/bind/fake-modprobe" --quiet
echo "-- kernel log:"
sed 's/^<[0-9]>//' "$root/dev/kmsg"
echo "-- /run/vfio-boot/status.json:"
cat "$root/run/vfio-boot/status.json"
