#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# driverctl-override.sh TREE ADDR...
#
# Runs Debian's driverctl on a fixture tree: `driverctl --nosave set-override ADDR
# vfio-pci` for each ADDR, in a private mount namespace where TREE/sys is bind-mounted
# on /sys. driverctl (a bash script) also runs /sbin/modprobe for the driver (always:
# it tests /sys/module/vfio-pci, with a hyphen) and would write /etc/driverctl.d
# without --nosave; inside the namespace modprobe and udevadm are replaced by
# bench/modprobe-stub.sh and /etc/driverctl.d by TREE/run/driverctl.d. Nothing is
# mounted outside the namespace, which ends with this script.
# With BENCH_STUB_LOG set, the stub logs every modprobe/udevadm call to it.

set -euo pipefail

if [ "${BENCH_DRIVERCTL_NS-}" != inner ]; then
	[ $# -ge 1 ] || {
		echo "usage: driverctl-override.sh TREE ADDR..." >&2
		exit 2
	}
	BENCH_DRIVERCTL_NS=inner exec unshare --mount --propagation private "$0" "$@"
fi

# unshare execs this script in place: our parent is the caller, outside the namespace.
if [ /proc/self/ns/mnt -ef "/proc/$PPID/ns/mnt" ]; then
	echo "driverctl-override.sh: not in a private mount namespace, refusing to mount" >&2
	exit 1
fi

tree=$1
shift
[ -d "$tree/sys/bus/pci/devices" ] || {
	echo "driverctl-override.sh: $tree is not a fixture tree" >&2
	exit 2
}
stub=$(dirname "$0")/modprobe-stub.sh
mkdir -p "$tree/run/driverctl.d"

mount --bind "$tree/sys" /sys
# Bind mounts follow symlinks: /sbin/modprobe is /bin/kmod on Debian 12.
mount --bind "$stub" "$(readlink -f /sbin/modprobe)"
mount --bind "$stub" "$(readlink -f "$(command -v udevadm)")"
if [ -d /etc/driverctl.d ]; then
	mount --bind "$tree/run/driverctl.d" /etc/driverctl.d
fi
unset SUBSYSTEM DEVPATH

for addr in "$@"; do
	driverctl --nosave set-override "$addr" vfio-pci
done
