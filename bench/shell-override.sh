#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shell-override.sh [--read=cat|builtin] SYSFS SELECTOR...
#
# The approach of the GPU passthrough guides, for the benchmark: an early-boot POSIX
# sh loop over SYSFS/bus/pci/devices/* that reads each function's vendor, device and
# class and writes "vfio-pci" to driver_override of the functions whose
# VENDOR:DEVICE (e.g. 10de:2504) or address (0000:01:00.0) is a SELECTOR.
# It does not load vfio-pci (the binder is benchmarked with --modprobe true).
#
# --read=cat      read attributes with $(cat FILE), as the guides' scripts do (default)
# --read=builtin  read them with the shell's own `read` (no fork per attribute)

set -eu

mode='cat'
case ${1-} in
--read=cat | --read=builtin)
	mode=${1#--read=}
	shift
	;;
esac
if [ $# -lt 2 ]; then
	printf 'usage: shell-override.sh [--read=cat|builtin] SYSFS SELECTOR...\n' >&2
	exit 2
fi
sysfs=$1
shift
selectors=" $* "

count=0
for dev in "$sysfs"/bus/pci/devices/*; do
	[ -e "$dev/driver_override" ] || continue
	if [ "$mode" = cat ]; then
		vendor=$(cat "$dev/vendor")
		device=$(cat "$dev/device")
		class=$(cat "$dev/class")
	else
		read -r vendor <"$dev/vendor"
		read -r device <"$dev/device"
		read -r class <"$dev/class"
	fi
	# Host bridges (class 0x0600xx) are never handed to a guest.
	case $class in
	0x0600??) continue ;;
	esac
	addr=${dev##*/}
	case $selectors in
	*" ${vendor#0x}:${device#0x} "* | *" $addr "*)
		echo vfio-pci >"$dev/driver_override"
		count=$((count + 1))
		;;
	esac
done
[ "$count" -gt 0 ] || printf 'shell-override.sh: no device matched\n' >&2
