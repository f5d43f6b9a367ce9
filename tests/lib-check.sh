# shellcheck shell=bash disable=SC2034 # the variables are for the sourcing script
# Counting checks for the system test scripts (tests/chroot, tests/package,
# tests/ansible). Set $suite (the name on the summary line) before sourcing.
#
#   ok DESC / bad DESC         count a pass / a failure
#   check DESC COMMAND...      ok or bad by the command's status
#   fatal MSG                  count a failure, print the summary, exit 1
#   skip MSG                   exit 77 (the machine cannot run the suite)
#   timing LABEL SECONDS       print and keep a timing (in $timings)
#   seconds_since T0           seconds since T0 (date +%s.%N), one decimal
#   summary                    print the summary line; status 0 if nothing failed

passed=0
failed=0
timings=()

say() { printf '%s\n' "$*"; }
ok() {
	say "  ok   $*"
	passed=$((passed + 1))
}
bad() {
	say "  FAIL $*"
	failed=$((failed + 1))
}
check() { # DESCRIPTION COMMAND...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}
summary() {
	say "${suite:?}: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
fatal() {
	say "FAIL: $*" >&2
	failed=$((failed + 1))
	summary
	exit 1
}
skip() {
	say "SKIP: $*"
	exit 77
}
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
timing() { # LABEL SECONDS
	timings+=("$(printf '%-40s %6s s' "$1" "$2")")
	say "  time $1: $2 s"
}
