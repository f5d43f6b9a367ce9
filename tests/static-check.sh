#!/bin/sh
# Checks that the boot binder needs no shared library: no dynamic section, no
# NEEDED entry, no program interpreter. A dynamic control binary must be caught
# by the same check, so the check itself is known to work.
set -eu
bin=${1:?usage: static-check.sh BINARY}

is_static() {
	! readelf -d "$1" | grep -q NEEDED &&
		! readelf -l "$1" | grep -q INTERP &&
		readelf -d "$1" | grep -q "no dynamic section"
}

passed=0 failed=0
if is_static "$bin"; then
	echo "ok   $bin is static ($(wc -c <"$bin") bytes)"
	passed=$((passed + 1))
else
	echo "FAIL: $bin links shared libraries:" >&2
	readelf -d "$bin" | grep NEEDED >&2 || true
	failed=$((failed + 1))
fi
control=$(command -v sh)
if is_static "$control"; then
	echo "FAIL: the check did not notice that $control is dynamic" >&2
	failed=$((failed + 1))
else
	echo "ok   control: $control is seen as dynamic"
	passed=$((passed + 1))
fi
echo "static: $passed passed, $failed failed"
[ "$failed" = 0 ]
