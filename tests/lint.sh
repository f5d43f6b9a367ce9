#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lints every shell file of the repository. Each file git knows (tracked, or
# new and not ignored) is shell, by its shebang, its `# shellcheck shell=`
# line or its .sh name, or of a kind named below; a file that is neither
# fails the lint, so that no shell file goes unlinted. The shell files must
# pass shellcheck -x (following their `source=` lines) and parse in their
# shell: bash -n; the POSIX ones (among them the initramfs hooks) dash -n and
# busybox ash -n, the shell of an initramfs's busybox.
# Usage: tests/lint.sh
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck disable=SC2034 # read by tests/lib-check.sh
suite=lint
# shellcheck source=tests/lib-check.sh
. tests/lib-check.sh
command -v shellcheck >/dev/null || fatal "shellcheck is required"
files=$(git ls-files --cached --others --exclude-standard) || fatal "not a git checkout"

# The shell a file is written for, from its first line or its shellcheck
# directive (in the first five lines): bash, sh, dash, ash; none if neither.
shell_of() { # FILE
	local first directive
	IFS= read -r first <"$1" || first=
	directive=$(head -n 5 "$1" | sed -n 's/^# shellcheck .*shell=\([a-z]*\).*/\1/p' | head -n 1)
	case $first in
	'#!'*/ash | '#!'*/ash\ *) echo ash ;;
	'#!'*/bash | '#!'*/bash\ * | '#!'*/env\ bash*) echo bash ;;
	'#!'*/dash | '#!'*/dash\ *) echo dash ;;
	'#!'*/sh | '#!'*/sh\ *) echo sh ;;
	*) echo "${directive:-none}" ;;
	esac
}

# The files that are not shell, by kind.
not_shell() { # FILE
	case $1 in
	*.c | *.h) ;;                                  # C
	*.md | LICENSE | NEWS | man/*.[0-9]) ;;        # text, man pages
	*.spec) ;;                                     # tests/fixture/mksysfs input
	modprobe.d/*.conf.in) ;;                       # modprobe.d text the build embeds
	udev/*.rules) ;;                               # udev rules
	tests/configure/previous-*/*) ;;               # a tree an earlier version left
	tests/fuzz/corpus/*) ;;                        # fuzz seeds
	*.yml | *.cfg | *.py) ;;                       # the Ansible collection
	Makefile | .gitignore) ;;
	debian/rules) ;;                               # make
	tests/system/variant/Kbuild) ;;                # kernel build
	debian/control | debian/changelog | debian/copyright | debian/source/format | \
		debian/*.lintian-overrides) ;;
	*) return 1 ;;
	esac
}

bash_files=() posix_files=()
while IFS= read -r f; do
	[ -f "$f" ] || continue # deleted in the work tree, or a submodule
	kind=$(shell_of "$f")
	case $kind in
	bash) bash_files+=("$f") ;;
	sh | dash | ash) posix_files+=("$f") ;;
	none)
		if [[ $f == *.sh ]]; then
			fail "$f: a .sh file without a shebang or a '# shellcheck shell=' line"
		elif ! not_shell "$f"; then
			fail "$f: neither shell (shebang, '# shellcheck shell=', .sh) nor a kind tests/lint.sh names ($(head -c 60 "$f" | head -n 1))"
		fi
		;;
	*) fail "$f: shell=$kind, which this lint does not check" ;;
	esac
done <<<"$files"

# TEST_JOBS shellcheck processes at once, a few files each.
shellcheck_all() { # FILE...
	printf '%s\0' "$@" | xargs -0 -n 6 -P "${TEST_JOBS:-2}" shellcheck -x
}
all=("${bash_files[@]}" "${posix_files[@]}")
check "shellcheck -x: ${#all[@]} files (${#bash_files[@]} bash, ${#posix_files[@]} POSIX)" \
	shellcheck_all "${all[@]}"
for f in "${bash_files[@]}"; do
	check "bash -n $f" bash -n "$f"
done
for f in "${posix_files[@]}"; do
	check "dash -n $f" dash -n "$f"
	check "busybox ash -n $f" busybox ash -n "$f"
done
summary
