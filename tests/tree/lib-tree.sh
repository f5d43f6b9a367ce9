# shellcheck shell=bash
# The shared Debian 12 tree of the system tests (tests/chroot, tests/package,
# tests/ansible), as functions to source. tree_copy needs tests/lib-check.sh
# (fatal, skip), $repo (the source tree) and $tmp (the work directory).
#
#   tree_copy DEST            DEST becomes a copy of the pristine tree:
#                             $VFIO_BOOT_TREE, or one in $tmp, made by
#                             tests/tree/debootstrap.sh unless ready
#   tree_snapshot_etc ROOT    every entry under ROOT/etc: type, mode, owner,
#                             link target, then each file's sha256
#   unmount_under DIR         unmounts everything below DIR, deepest first
#   work_dir_remove           unmounts what is below $tmp and removes it
#                             (KEEP=1 keeps it, and says where)

tree_copy() { # DEST
	local pristine=${VFIO_BOOT_TREE:-$tmp/pristine} rc
	"${repo:?}/tests/tree/debootstrap.sh" "$pristine"
	rc=$?
	[ "$rc" -eq 77 ] && skip "the Debian 12 tree cannot be made (above)"
	[ "$rc" -eq 0 ] || fatal "tests/tree/debootstrap.sh $pristine failed"
	cp -a "$pristine" "$1" || fatal "cannot copy $pristine to $1"
}

tree_snapshot_etc() { # ROOT
	(cd "$1" && find etc -printf '%y %m %u:%g %p %l\n' | sort &&
		find etc -type f -print0 | sort -z | xargs -0 sha256sum)
}

unmount_under() { # DIR
	local m
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while IFS= read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" || printf 'cannot unmount %s\n' "$m" >&2
		done
}

work_dir_remove() {
	unmount_under "$tmp"
	if [ "${KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf --one-file-system "$tmp"
	fi
}
