#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection: configure and unconfigure on a fixture tree, with strace
# making the Nth write, rename, fsync, unlink, mkdir, fork (clone), wait or
# extended attribute call (listed, read, set) fail with EIO, and, separately,
# killing vfio-boot (SIGKILL) at that call, for every N the run makes. After
# each, the next run (status) recovers; the tree must then be exactly as it
# was before configure or exactly as configured (never in between, no
# temporary file left), and a final unconfigure must put it back byte for
# byte, extended attributes and ACL included (etc/default/grub has both).
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
       clone clone3 fork vfork wait4 waitid flistxattr fgetxattr fsetxattr'
selection=10de:2504@0000:01:00.0

# The tree's state as these checks compare it: every file and directory under
# etc/ and var/lib, the journal by presence only (it holds times). One line
# each, in the order of their names: "FILE MODE MD5", "DIR/ MODE",
# "LINK -> TARGET", or the name alone; then each extended attribute, "FILE
# NAME=VALUE". (A handful of processes per tree, not a few for each file: the
# cases call it twice each.)
state() {
	(cd "$1" || exit; {
		find etc var/lib -type f ! -path var/lib/vfio-boot/journal ! -path var/lib/vfio-boot/lock \
			-exec md5sum {} + 2>/dev/null
		echo
		find etc var/lib \( -type f -o -type l -o -type d \) -printf '%y %m %p\t%l\n' 2>/dev/null
	} | awk -F '\t' '
		!listed { if ($0 == "") listed = 1; else md5[substr($0, 35)] = substr($0, 1, 32); next }
		{
			type = substr($1, 1, 1); mode = $1; sub(/^. /, "", mode); sub(/ .*/, "", mode)
			path = substr($1, length(mode) + 4)
			if (path == "var/lib/vfio-boot/journal" || path == "var/lib/vfio-boot/lock") line = path
			else if (type == "l") line = path " -> " $2
			else if (type == "d") line = path "/ " mode
			else line = path " " mode " " md5[path]
			print path "\t" line
		}' | sort -t "$(printf '\t')" -k1,1 | cut -f2-
		getfattr -R -d -m - -e hex etc var/lib 2>/dev/null |
			awk '/^# file: / { f = substr($0, 9); next } NF { print f " " $0 }' | sort)
}

# A fresh copy of a template tree. What neither vfio-boot nor the commands
# it runs write (the programs, module indexes, sysfs and proc files) is
# shared as hard links; the rest is copied.
fresh() { # TEMPLATE
	local d copied=() linked=()
	rm -rf "$T"
	mkdir "$T"
	for d in "$1"/*; do
		case ${d##*/} in
		bin | lib | proc | sys | usr) linked+=("$d") ;;
		*) copied+=("$d") ;;
		esac
	done
	cp -al "${linked[@]}" "$T/"
	cp -a "${copied[@]}" "$T/"
}

# shellcheck source=tests/configure/ioerrors.sh
. "$here/ioerrors.sh"

# The templates: as before configure, and as configured.
begin templates
# The real image layout of a generator stand-in: the read-back of the images is a step too.
installed_tree update-initramfs
# The file configure rewrites carries a user attribute and an ACL to keep.
if setfattr -n user.origin -v "the admin's" "$T/etc/default/grub" 2>"$work/xattr.err"; then
	setfacl -m u:nobody:r "$T/etc/default/grub" || fail "setfacl"
else
	echo "note: $T ($(stat -f -c %T "$T")) refuses user extended attributes, so their calls are not covered: $(cat "$work/xattr.err")"
fi
mv "$T" "$work/original"
state "$work/original" >"$work/original.state"
fresh "$work/original"
vboot configure "$selection"
rc_is 0
mv "$T" "$work/configured"
state "$work/configured" >"$work/configured.state"
end
# Read once: every case compares with them.
original_state=$(<"$work/original.state")
configured_state=$(<"$work/configured.state")

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

# One injected run and what must hold after it. The cases are independent:
# each has its own tree and files ($T, $T.*), removed when it is counted.
inject() { # TEMPLATE HOW CALL N ARGS...
	local template=$1 how=$2 call=$3 n=$4 rc s
	shift 4
	filtered_out "$how-$call-$n-$1" && return
	begin "$how-$call-$n-$1"
	fresh "$template"
	(strace -qq -o /dev/null -e trace="$call" -e inject="$call:$how:when=$n" \
		"$vb" --root "$T" "$@" >"$T.out" 2>"$T.err"; exit $?) 2>/dev/null
	rc=$?
	# A failure is reported as one (exit 1), never a crash.
	case $how:$rc in
	error*:0 | error*:1 | signal*:137) ;;
	*) fail "exit status $rc: $(head -3 "$T.err")" ;;
	esac
	# The next run finds what is left and finishes or rolls it back.
	"$vb" --root "$T" status >"$T.status.out" 2>"$T.status.err"
	rc=$?
	case $rc in 1 | 7) fail "status after it: $rc: $(head -3 "$T.status.err")" ;; esac
	s=$(state "$T")
	if [ "$s" = "$original_state" ]; then :
	elif [ "$s" = "$configured_state" ]; then :
	else fail "neither as before nor as configured: $(diff "$work/original.state" <(echo "$s") | head -6)"
	fi
	no_temp_files
	"$vb" --root "$T" unconfigure >"$T.out" 2>"$T.err" ||
		fail "final unconfigure: $(head -3 "$T.err")"
	[ "$(state "$T")" = "$original_state" ] ||
		fail "not back byte for byte: $(diff "$work/original.state" <(state "$T") | head -6)"
	[ ! -e "$T/var/lib/vfio-boot" ] || fail "state directory left"
	[ "$case_failed" = 0 ] || { echo "  (injected $how at $call #$n)" >&2; cat "$T.status.err" >&2; }
	end_quiet
	rm -rf "$T" "$T".*
}

t0=$(date +%s)
for phase in configure unconfigure; do
	if [ "$phase" = configure ]; then template=$work/original args=(configure "$selection")
	else template=$work/configured args=(unconfigure); fi
	before=$passed
	count_calls "$template" "${args[@]}" >"$work/counts"
	while read -r call count; do
		for ((n = 1; n <= count; n++)); do
			in_parallel inject "$template" error=EIO "$call" "$n" "${args[@]}"
			in_parallel inject "$template" signal=KILL "$call" "$n" "${args[@]}"
		done
	done <"$work/counts"
	parallel_wait
	echo "ok   $phase: EIO and SIGKILL at each of $(awk '{ s += $2 } END { print s }' "$work/counts") calls ($(tr '\n' ' ' <"$work/counts")): $((passed - before)) cases"
done
echo "($(($(date +%s) - t0)) s)"
summary faults
