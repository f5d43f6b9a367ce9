#!/bin/bash
# Checks that the boot binder needs no shared library: no NEEDED entry and no
# program interpreter (a static-pie binary keeps a dynamic section for its own
# relocations, and needs nothing else). As root it also runs the binder in an
# empty directory with chroot: nothing but the binary is there to load. A
# dynamic control binary must be caught by the same checks, so the checks
# themselves are known to work.
set -eu
bin=${1:?usage: static-check.sh BINARY}

is_static() {
	! readelf -d "$1" | grep -q NEEDED &&
		! readelf -l "$1" | grep -q INTERP
}

# The harness: pass, fail, summary.
# shellcheck source=tests/lib-check.sh
. "$(dirname "$0")/lib-check.sh"

kind=$(readelf -h "$bin" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p')
if is_static "$bin"; then
	pass "$bin is static ($kind, $(wc -c <"$bin") bytes)"
else
	fail "$bin links shared libraries:"
	readelf -d "$bin" | grep NEEDED >&2 || true
fi
control=$(command -v sh)
if is_static "$control"; then
	fail "the check did not notice that $control is dynamic"
else
	pass "control: $control is seen as dynamic"
fi

# chroot DIR BINARY --version, in an empty directory holding only BINARY.
runs_alone() {
	dir=$(mktemp -d)
	cp "$1" "$dir/prog"
	chroot "$dir" /prog --version >/dev/null 2>&1
	rc=$?
	rm -rf "$dir"
	return "$rc"
}
if [ "$(id -u)" -eq 0 ]; then
	if runs_alone "$bin"; then
		pass "$bin runs alone in an empty chroot"
	else
		fail "$bin does not run alone in an empty chroot"
	fi
	if runs_alone "$control"; then
		fail "control: $control ran without its libraries"
	else
		pass "control: $control cannot run alone in an empty chroot"
	fi
else
	echo "note: not root, so the empty-chroot run was not tried"
fi
summary static
