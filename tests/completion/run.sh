#!/bin/bash
# The bash completion (completion/vfio-boot) in bash with bash-completion
# loaded: it loads and registers both commands; it completes commands,
# options and their values, and selectors from a fixture tree's devices
# (--root, tests/fixture/mksysfs): addresses, IDs, ID@address, the last item
# of a comma-separated list.
#
# Each case is a command line with the cursor at its end. It is split into
# COMP_WORDS the way readline does (whitespace separates words; a run of
# COMP_WORDBREAKS characters such as ':' and '@' is a word of its own), the
# completion function runs, and the test rebuilds what readline would put on
# the line: the current word up to its last break character, then each reply.
#
# Usage: tests/completion/run.sh
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bash_completion=/usr/share/bash-completion/bash_completion
[ -r "$bash_completion" ] || { echo "completion: $bash_completion not found (bash-completion)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/tests/fixture/mksysfs" "$work/root" <"$repo/tests/fixture/host.spec" ||
	{ echo "completion: mksysfs failed" >&2; exit 1; }
mkdir "$work/root/subdir"

# The harness: pass, fail, begin, end, summary and the T= filter.
# shellcheck source=tests/lib-check.sh
. "$repo/tests/lib-check.sh"

# Runs in a fresh bash: load bash-completion and the script, complete LINE,
# print the completed words (sorted), one per line. One that takes over 10 s
# fails (exit 124).
complete_line() { # LINE
	# shellcheck disable=SC2016 # the script expands in the inner bash
	timeout 10 bash --norc --noprofile -c '
		. "$1" >/dev/null 2>&1 || exit 3
		. "$2" || exit 4
		line=$3
		# Split like readline: whitespace separates, a run of break
		# characters (other than whitespace) is a word of its own.
		words=() word="" kind=none
		for ((i = 0; i < ${#line}; i++)); do
			c=${line:i:1}
			if [[ $c == [[:space:]] ]]; then
				[[ $kind != none ]] && words+=("$word")
				word="" kind=none
			elif [[ $COMP_WORDBREAKS == *"$c"* ]]; then
				[[ $kind == text ]] && { words+=("$word"); word=""; }
				word+=$c kind=break
			else
				[[ $kind == break ]] && { words+=("$word"); word=""; }
				word+=$c kind=text
			fi
		done
		words+=("$word")
		COMP_WORDS=("${words[@]}") COMP_CWORD=$((${#words[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		spec=$(complete -p "${words[0]}") || exit 5
		fn=${spec#*-F } fn=${fn%% *}
		"$fn" "${words[0]}" "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]}"
		# What readline puts on the line: the text after the last blank,
		# less the piece it replaces (the last word, unless that is a run
		# of break characters), then the reply.
		cur=${line##*[[:space:]]}
		piece=${words[COMP_CWORD]}
		[[ $COMP_WORDBREAKS == *"${piece:0:1}"* ]] && piece=""
		kept=${cur%"$piece"}
		for r in "${COMPREPLY[@]}"; do printf "%s%s\n" "$kept" "$r"; done | sort
	' _ "$bash_completion" "$repo/completion/vfio-boot" "$1"
}

expect() { # DESCRIPTION LINE WANT (newline-separated, sorted): a case
	local got
	filtered_out "$1" && return
	begin "$1"
	got=$(complete_line "$2")
	[ "$got" = "$3" ] ||
		fail "'$2' completes to [$(echo "$got" | tr '\n' ' ')], want [$(echo "$3" | tr '\n' ' ')]"
	end
}
lines() { printf '%s\n' "$@"; }

# Loading: both commands registered, no output.
out=$(bash --norc --noprofile -c '. "$1" && . "$2" && complete -p vfio-boot vfio-boot-bind' _ \
	"$bash_completion" "$repo/completion/vfio-boot" 2>&1)
case $out in
*"-F _vfio_boot vfio-boot"*"-F _vfio_boot_bind vfio-boot-bind"*) pass "loads and registers vfio-boot and vfio-boot-bind" ;;
*) fail "loading: $out" ;;
esac

R=$work/root
expect "commands" "vfio-boot " "$(lines bind check configure list release status unconfigure)"
expect "a command by prefix" "vfio-boot un" "unconfigure"
expect "commands after options" "vfio-boot --root $R --json c" "$(lines check configure)"
expect "options" "vfio-boot --b" "$(lines --blacklist --boot-vga --bootloader)"
expect "--bootloader values" "vfio-boot --bootloader " \
	"$(lines grubby grub kernel-install kernelstub none systemd-boot | sort)"
expect "--companions values" "vfio-boot configure --companions g" "group"
expect "--root takes a directory" "vfio-boot --root $R/su" "$R/subdir"
expect "an address, by its bus" "vfio-boot --root $R configure 0000:01:00." \
	"$(lines 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3)"
expect "an address, whole" "vfio-boot --root $R configure 0000:03" "0000:03:00.0"
expect "an ID" "vfio-boot --root $R configure 10de:22" "10de:228e"
expect "ID@address after the @" "vfio-boot --root $R configure 10de:2504@" \
	"$(lines 10de:2504@0000:01:00.0 10de:2504@0000:02:00.0)"
expect "ID@address, part typed" "vfio-boot --root $R configure 10de:2504@0000:02" \
	"10de:2504@0000:02:00.0"
expect "the last item of a list" "vfio-boot --root $R configure 10de:2504,8086:15" \
	"10de:2504,8086:1533"
expect "bind takes selectors" "vfio-boot --root $R bind 0000:03" "0000:03:00.0"
expect "release takes selectors" "vfio-boot --root $R release 10de:2504@" \
	"$(lines 10de:2504@0000:01:00.0 10de:2504@0000:02:00.0)"
expect "--vfs" "vfio-boot --v" "$(lines --version --vfs)"
expect "the binder's --device: addresses" "vfio-boot-bind --root $R --device 0000:01:00." \
	"$(lines 0000:01:00.0 0000:01:00.1 0000:01:00.2 0000:01:00.3)"
expect "the binder's options" "vfio-boot-bind --d" "$(lines --device --dry-run)"
expect "no selectors for other commands" "vfio-boot --root $R status 0000:0" ""
expect "--wait and --all-matching" "vfio-boot --w" "--wait"
expect "--all-matching" "vfio-boot --al" "--all-matching"
expect "commands after --wait's value" "vfio-boot --wait 5 c" "$(lines check configure)"
expect "--driver, --reset-method, --preload" "vfio-boot configure --re" "--reset-method"
expect "--driver's generic value" "vfio-boot configure --driver vf" "vfio-pci"
expect "reset methods" "vfio-boot configure --reset-method dev" "device_specific"
expect "selectors after --preload's value" "vfio-boot --preload vendor-reset --root $R configure 0000:03" \
	"0000:03:00.0"
expect "--print-modules" "vfio-boot-bind --pr" "--print-modules"
expect "selectors after --wait's value" "vfio-boot --wait 5 --root $R configure 0000:03" \
	"0000:03:00.0"

# A tree under --root may be anyone's: a device's files and names are data,
# never run (compgen -W expands its words); a FIFO among them does not block.
H=$work/hostile
cp -a "$R" "$H"
dev=$(readlink -f "$H/sys/bus/pci/devices/0000:01:00.0")
# shellcheck disable=SC2016 # the text a hostile tree holds
echo '$(touch ran)' >"$dev/vendor"
# shellcheck disable=SC2016 # the name a hostile tree gives a device
odd='0000:09:00.0$(touch ran)'
mkdir "$H/sys/bus/pci/devices/$odd" && echo 0x10de >"$H/sys/bus/pci/devices/$odd/vendor" &&
	echo 0x2504 >"$H/sys/bus/pci/devices/$odd/device"
all_but() { # ADDRESS: the fixture's addresses less that one
	lines 0000:00:00.0 0000:00:01.0 0000:00:02.0 0000:00:1f.3 0000:01:00.0 0000:01:00.1 \
		0000:01:00.2 0000:01:00.3 0000:02:00.0 0000:02:00.1 0000:03:00.0 | grep -vx "$1"
}
got=$(cd "$work" && complete_line "vfio-boot --root $H configure 0000:0")
if [ ! -e "$work/ran" ] && [ "$got" = "$(all_but 0000:01:00.0)" ]; then
	pass "a hostile tree: nothing run, its odd devices left out"
else
	fail "a hostile tree: ran: $([ -e "$work/ran" ] && echo yes || echo no), got [$(echo "$got" | tr '\n' ' ')]"
fi
F=$work/fifo
cp -a "$R" "$F"
dev=$(readlink -f "$F/sys/bus/pci/devices/0000:02:00.1")
rm "$dev/device" && mkfifo "$dev/device"
expect "a FIFO in a tree: no wait, that device left out" \
	"vfio-boot --root $F configure 0000:0" "$(all_but 0000:02:00.1)"

expect "vfio-boot-bind options" "vfio-boot-bind --st" "$(lines --status --strict)"

summary completion
