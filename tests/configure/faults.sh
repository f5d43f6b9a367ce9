#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection: configure and unconfigure on a fixture tree, with strace
# making the Nth write, rename, fsync, unlink, mkdir, fork (clone) or wait
# fail with EIO, and, separately, killing vfio-boot (SIGKILL) at that call,
# for every N the run makes. After each, the next run (status) recovers; the
# tree must then be exactly as it was before configure or exactly as
# configured (never in between, no temporary file left), and a final
# unconfigure must put it back byte for byte.
#
# Only vfio-boot itself is traced (not the commands it runs).
# Usage: tests/configure/faults.sh path/to/vfio-boot
set -u

here=$(cd "$(dirname "$0")" && pwd)
vb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/configure/lib.sh
. "$here/lib.sh"
lib_init
always_run templates # every case starts from them
command -v strace >/dev/null || { echo "faults: strace is required" >&2; exit 1; }

calls='write rename renameat renameat2 fsync fdatasync unlink unlinkat mkdir mkdirat rmdir
       clone clone3 fork vfork wait4 waitid'
selection=10de:2504@0000:01:00.0

# The tree's state as these checks compare it: every file and directory under
# etc/ and var/lib, the journal by presence only (it holds times).
state() {
	(cd "$1" && find etc var/lib \( -type f -o -type l -o -type d \) 2>/dev/null | sort |
		while read -r f; do
			if [ "$f" = var/lib/vfio-boot/journal ] || [ "$f" = var/lib/vfio-boot/lock ]; then
				echo "$f"
			elif [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
			elif [ -d "$f" ]; then echo "$f/ $(stat -c %a "$f")"
			else echo "$f $(stat -c %a "$f") $(md5sum <"$f" | cut -d' ' -f1)"; fi
		done)
}

# A fresh copy of a template tree (module indexes shared as hard links).
fresh() { # TEMPLATE
	local d
	rm -rf "$T"
	mkdir "$T"
	for d in "$1"/*; do
		if [ "${d##*/}" = lib ]; then cp -al "$d" "$T/"; else cp -a "$d" "$T/"; fi
	done
}

# The templates: as before configure, and as configured.
begin templates
# The real image layout of a generator stand-in: the read-back of the images is a step too.
installed_tree update-initramfs
mv "$T" "$work/original"
state "$work/original" >"$work/original.state"
fresh "$work/original"
vboot configure "$selection"
rc_is 0
mv "$T" "$work/configured"
state "$work/configured" >"$work/configured.state"
end

# How many of each call a clean run makes.
count_calls() { # TEMPLATE ARGS...
	local template=$1
	shift
	fresh "$template"
	# shellcheck disable=SC2086 # the list of calls
	strace -qq -o "$work/trace" -e trace="$(echo $calls | tr ' ' ,)" \
		"$vb" --root "$T" "$@" >/dev/null 2>&1
	awk -F'(' '/^[a-z]/ { n[$1]++ } END { for (c in n) print c, n[c] }' "$work/trace"
}

# One injected run and what must hold after it.
inject() { # TEMPLATE HOW CALL N ARGS...
	local template=$1 how=$2 call=$3 n=$4 rc s
	shift 4
	filtered_out "$how-$call-$n-$1" && return
	begin "$how-$call-$n-$1"
	fresh "$template"
	(strace -qq -o /dev/null -e trace="$call" -e inject="$call:$how:when=$n" \
		"$vb" --root "$T" "$@" >"$work/out" 2>"$work/err"; exit $?) 2>/dev/null
	rc=$?
	# A failure is reported as one (exit 1), never a crash.
	case $how:$rc in
	error*:0 | error*:1 | signal*:137) ;;
	*) fail "exit status $rc: $(head -3 "$work/err")" ;;
	esac
	# The next run finds what is left and finishes or rolls it back.
	"$vb" --root "$T" status >"$work/status.out" 2>"$work/status.err"
	rc=$?
	case $rc in 1 | 7) fail "status after it: $rc: $(head -3 "$work/status.err")" ;; esac
	s=$(state "$T")
	if [ "$s" = "$(cat "$work/original.state")" ]; then :
	elif [ "$s" = "$(cat "$work/configured.state")" ]; then :
	else fail "neither as before nor as configured: $(diff "$work/original.state" <(echo "$s") | head -6)"
	fi
	no_temp_files
	"$vb" --root "$T" unconfigure >"$work/out" 2>"$work/err" ||
		fail "final unconfigure: $(head -3 "$work/err")"
	[ "$(state "$T")" = "$(cat "$work/original.state")" ] ||
		fail "not back byte for byte: $(diff "$work/original.state" <(state "$T") | head -6)"
	[ ! -e "$T/var/lib/vfio-boot" ] || fail "state directory left"
	[ "$case_failed" = 0 ] || { echo "  (injected $how at $call #$n)" >&2; cat "$work/status.err" >&2; }
	end_quiet
}

t0=$(date +%s)
for phase in configure unconfigure; do
	if [ "$phase" = configure ]; then template=$work/original args=(configure "$selection")
	else template=$work/configured args=(unconfigure); fi
	before=$passed
	count_calls "$template" "${args[@]}" >"$work/counts"
	while read -r call count; do
		for ((n = 1; n <= count; n++)); do
			inject "$template" error=EIO "$call" "$n" "${args[@]}"
			inject "$template" signal=KILL "$call" "$n" "${args[@]}"
		done
	done <"$work/counts"
	echo "ok   $phase: EIO and SIGKILL at each of $(awk '{ s += $2 } END { print s }' "$work/counts") calls ($(tr '\n' ' ' <"$work/counts")): $((passed - before)) cases"
done
echo "($(($(date +%s) - t0)) s)"
summary faults
