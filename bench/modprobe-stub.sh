#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Stands in for modprobe and udevadm inside driverctl-override.sh's private mount
# namespace, so the benchmark never loads a module or triggers udev on the host.
# Logs its arguments to $BENCH_STUB_LOG when set.
[ -z "${BENCH_STUB_LOG-}" ] || printf '%s %s\n' "${0##*/}" "$*" >>"$BENCH_STUB_LOG"
exit 0
