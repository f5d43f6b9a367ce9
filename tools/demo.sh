#!/bin/sh
# make demo: runs vfio-boot-bind on a built-in example host (a fixture sysfs
# tree in a temporary directory) and shows the plan, the kernel log lines and
# status.json; then what `vfio-boot configure` would write for that host.
# Nothing outside the temporary directory is touched.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
vb=$(dirname "$bin")/vfio-boot
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

[ -x "$vb" ] || exit 0
echo
echo "== vfio-boot --root TREE list (the same host, before binding)"
host=$(mktemp -d)
trap 'rm -rf "$root" "$host"' EXIT
"$top/tests/fixture/mksysfs" "$host" <"$top/tests/fixture/host.spec"
printf 'vendor_id\t: GenuineIntel\n' >"$host/proc/cpuinfo"
mkdir -p "$host/etc/default"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' >"$host/etc/default/grub"
# A stand-in update-grub: a dry run runs nothing, but without one configure
# would exit 4 (nothing here refreshes grub.cfg).
mkdir -p "$host/usr/sbin"
printf '#!/bin/sh\n# demo: stands in for update-grub\n' >"$host/usr/sbin/update-grub"
chmod 755 "$host/usr/sbin/update-grub"
# The installed kernel's module indexes, so that softdeps can be resolved.
for index in /lib/modules/*/modules.alias.bin; do
	[ -e "$index" ] || continue
	kdir=$(dirname "$index")
	mkdir -p "$host$kdir"
	cp "$kdir"/modules.* "$host$kdir/"
done
"$vb" --root "$host" list
echo
echo "== vfio-boot --root TREE --dry-run configure 10de:2504@0000:01:00.0"
"$vb" --root "$host" --dry-run --no-regenerate configure 10de:2504@0000:01:00.0
