#!/bin/sh
# make demo: runs vfio-boot-bind on a built-in example host (a fixture sysfs
# tree in a temporary directory) and shows the plan, the kernel log lines and
# status.json. Nothing outside the temporary directory is touched.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

"$top/tests/fixture/mksysfs" "$root" <"$top/tests/fixture/host.spec"
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
