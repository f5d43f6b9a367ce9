#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrency: two configures at once, and configure racing unconfigure, 30
# times each, on a fixture tree. The lock serialises them: afterwards the
# tree is exactly what one order of the two runs gives, the journal reads,
# and a final unconfigure puts every file back byte for byte (no entry of the
# journal was lost).
# Usage: tests/configure/race.sh path/to/vfio-boot
set -u

here=$(cd "$(dirname "$0")" && pwd)
vb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/configure/lib.sh
. "$here/lib.sh"
lib_init
always_run setup # the template of the other cases
rounds=${RACE_ROUNDS:-30}

# The files configure writes and their bytes (the journal aside).
files() { (cd "$T" && find etc -type f | sort | xargs md5sum); }

# Both runs at once; waits for both and checks each ended well.
race() { # ARGS1 -- ARGS2
	local a=() b=() pa pb
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	"$vb" --root "$T" "${a[@]}" >"$T/out.a" 2>"$T/err.a" &
	pa=$!
	"$vb" --root "$T" "${b[@]}" >"$T/out.b" 2>"$T/err.b" &
	pb=$!
	wait "$pa" || fail "${a[*]}: $(head -2 "$T/err.a")"
	wait "$pb" || fail "${b[*]}: $(head -2 "$T/err.b")"
}

begin setup
# shellcheck disable=SC2119 # the spec argument is optional
host_tree
files >"$work/original.files"
vboot configure 0000:01:00.0
files >"$work/a.files"
vboot unconfigure
vboot configure 0000:02:00.0
files >"$work/b.files"
vboot unconfigure
cp -a "$T" "$work/template"
end

t0=$(date +%s)
begin "two configures at once ($rounds rounds)"
for ((i = 0; i < rounds; i++)); do
	rm -rf "$T" && cp -a "$work/template" "$T"
	race configure 0000:01:00.0 -- configure 0000:02:00.0
	# One ran last: its selection is what is configured.
	files >"$T/now"
	cmp -s "$T/now" "$work/a.files" || cmp -s "$T/now" "$work/b.files" ||
		fail "round $i: neither selection: $(diff "$work/a.files" "$T/now" | head -4)"
	"$vb" --root "$T" unconfigure >"$T/out" 2>"$T/err" || fail "round $i: unconfigure: $(head -2 "$T/err")"
	files | cmp -s - "$work/original.files" || fail "round $i: not restored byte for byte"
	[ ! -e "$T/var/lib/vfio-boot" ] || fail "round $i: state left"
	[ "$case_failed" = 0 ] || break
done
end

begin "configure racing unconfigure ($rounds rounds)"
for ((i = 0; i < rounds; i++)); do
	rm -rf "$T" && cp -a "$work/template" "$T"
	"$vb" --root "$T" configure 0000:01:00.0 >/dev/null 2>&1 || fail "round $i: configure"
	race configure 0000:02:00.0 -- unconfigure
	# Either order: configured with the second selection, or nothing configured.
	files >"$T/now"
	if cmp -s "$T/now" "$work/b.files"; then
		[ -e "$T/var/lib/vfio-boot/journal" ] || fail "round $i: configured without a journal"
	elif cmp -s "$T/now" "$work/original.files"; then
		[ ! -e "$T/var/lib/vfio-boot" ] || fail "round $i: unconfigured, state left"
	else
		fail "round $i: neither order: $(diff "$work/original.files" "$T/now" | head -4)"
	fi
	"$vb" --root "$T" unconfigure >"$T/out" 2>"$T/err" || fail "round $i: unconfigure: $(head -2 "$T/err")"
	files | cmp -s - "$work/original.files" || fail "round $i: not restored byte for byte"
	[ "$case_failed" = 0 ] || break
done
end
echo "($(($(date +%s) - t0)) s)"
summary race
