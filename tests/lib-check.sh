# shellcheck shell=bash
# The test harness of every shell suite: it counts, filters (T=) and prints
# the summary line. Source it (bash). Name the suite in $suite or pass the
# name to summary.
#
# A case is either a block or a single check:
#
#   begin NAME ... end     a case of several checks: fail MSG marks it failed;
#                          end counts it and prints "ok   NAME" if nothing
#                          failed (end_quiet counts it and prints nothing).
#                          $T is $work/NAME, the case's own directory.
#   check DESC COMMAND...  a case of one check: ok or bad by the status
#   ok DESC / bad DESC     a passed / failed case of its own ("  ok   DESC",
#                          "  FAIL DESC"); between begin and end they only
#                          print, and bad marks the case failed
#   pass DESC              a passed case of its own, printed "ok   DESC"
#   fail MSG               between begin and end: marks the case failed;
#                          outside: a failed case of its own
#
#   fatal MSG              count a failure, print the summary, exit 1
#   skip MSG               exit 77 (the machine cannot run the suite)
#   summary [NAME]         "NAME: P passed, F failed" (", S skipped" when
#                          $skipped counts parts the machine could not run);
#                          status 0 if nothing failed
#   timing LABEL SECONDS   print and keep a timing (in $timings)
#   seconds_since T0       seconds since T0 (date +%s.%N), one decimal
#
# The filter. TEST_ONLY (make's T=) holds shell patterns separated by |, each
# matched against a whole case name: only the cases it names run. A case it
# leaves out is skipped and counted as such: begin skips every command up to
# its end (see vb_skip_start), check does not run its command. Whatever does
# run is counted (ok, bad, pass, fail outside a case). summary fails when the
# filter named no case, unless TEST_TALLY names a file: then it adds
# "NAME CASES-RUN" to it, and make checks the total over the suites it ran.
#
#   filtered_out NAME      true when the filter leaves NAME out (counted as
#                          skipped): a helper that is one case asks it
#                          before it calls begin
#   always_run NAME...     cases the others need (setup): they run whatever
#                          the filter says
#
# Cases in parallel: in_parallel COMMAND... runs COMMAND (a function that is a
# case, or several) in the background, at most TEST_JOBS (2) at once, its
# output kept; parallel_wait waits for them all, then prints each one's output
# in the order they were started and adds up their counts.

passed=0
failed=0
skipped=0
timings=()
current=
case_failed=0

vb_case=        # the case begun: run, skip (body skipped), out (filtered_out)
vb_only=${TEST_ONLY:-}
vb_patterns=()
[ -z "$vb_only" ] || IFS='|' read -r -a vb_patterns <<<"$vb_only"
vb_always=()
vb_selected=0   # cases the filter named
vb_filtered=0   # cases it left out
declare -A vb_seen=()

vb_jobs=()      # the output files of the cases started by in_parallel
vb_job_dir=

say() { printf '%s\n' "$*"; }

# Does the filter name the case NAME? 0 yes, 1 no, 2 no but it always runs.
vb_named() { # NAME
	local p
	for p in "${vb_patterns[@]}"; do
		# shellcheck disable=SC2053 # the right side is a pattern
		[[ $1 != $p ]] || return 0
	done
	for p in "${vb_always[@]}"; do
		[ "$1" != "$p" ] || return 2
	done
	return 1
}
# Does the filter let the case NAME run? Counts the answer.
vb_runs() { # NAME
	[ -n "$vb_only" ] || return 0
	vb_named "$1"
	case $? in
	0) vb_selected=$((vb_selected + 1)) ;;
	1) vb_filtered=$((vb_filtered + 1)) && return 1 ;;
	esac
	return 0
}

filtered_out() { # NAME
	[ -n "$vb_only" ] || return 1
	vb_named "$1"
	[ $? = 1 ] || return 1
	vb_filtered=$((vb_filtered + 1)) vb_case=out
	return 0
}

always_run() { # NAME...
	vb_always+=("$@")
}

# While a case is skipped, a DEBUG trap (extdebug) skips each command until
# the case's end. A skipped condition passes, so a while loop would never end:
# a command that comes round the eighth time is in one, break out of it. The
# redirections of a compound command ({ ...; } >FILE) are still made: with
# noclobber, and errors (the case's directory is not there) not shown.
vb_skipping=0
vb_stderr=
vb_clobber=
vb_skip_command() { # LINE FILE
	local key="$2:$1:$BASH_COMMAND"
	case $BASH_COMMAND in
	end | end_quiet | begin\ * | summary | summary\ *)
		vb_skipping=0
		return 0
		;;
	for\ *) return 1 ;; # each pass of a for loop, skipped: it ends
	esac
	vb_seen[$key]=$((${vb_seen[$key]:-0} + 1))
	[ "${vb_seen[$key]}" -lt 8 ] || return 2
	return 1
}
vb_skip_start() {
	vb_seen=()
	vb_skipping=1
	vb_clobber=$(set +o | grep noclobber)
	set -o noclobber
	exec {vb_stderr}>&2 2>/dev/null
	shopt -s extdebug
	# shellcheck disable=SC2016 # expanded when the trap runs
	trap 'if [ "$vb_skipping" = 1 ]; then vb_skip_command "$LINENO" "${BASH_SOURCE[0]:-}"
case $? in 1) false ;; 2) ! break 2>/dev/null ;; esac; fi' DEBUG
}
vb_skip_stop() {
	trap - DEBUG
	shopt -u extdebug
	exec 2>&"$vb_stderr" {vb_stderr}>&-
	eval "$vb_clobber"
	vb_skipping=0
}

begin() { # NAME
	[ "$vb_case" != skip ] || vb_skip_stop
	# shellcheck disable=SC2034 # T is for the case's commands
	current=$1 case_failed=0 T=${work:-}/$1
	if vb_runs "$1"; then
		vb_case=run
	else
		vb_case=skip
		vb_skip_start
	fi
}

# end [quiet]: counts the case begun. A suite may define end_checks: what
# every case must also satisfy, run before it is counted.
vb_end() {
	case $vb_case in
	run)
		if declare -F end_checks >/dev/null; then end_checks; fi
		if [ "$case_failed" = 0 ]; then
			passed=$((passed + 1))
			[ "${1:-}" = quiet ] || say "ok   $current"
		else
			failed=$((failed + 1))
		fi
		;;
	skip) vb_skip_stop ;;
	out) ;;
	*)
		say "FAIL: end without begin (after ${current:-the start})" >&2
		failed=$((failed + 1))
		;;
	esac
	vb_case='' current=''
}
end() { vb_end; }
end_quiet() { vb_end quiet; }

fail() { # MSG
	if [ "$vb_case" = run ]; then
		say "FAIL [$current]: $*" >&2
		case_failed=1
	else
		say "FAIL: $*" >&2
		failed=$((failed + 1))
	fi
}
pass() { # DESC
	say "ok   $*"
	passed=$((passed + 1))
}
ok() { # DESC
	say "  ok   $*"
	[ "$vb_case" = run ] || passed=$((passed + 1))
}
bad() { # DESC
	say "  FAIL $*"
	if [ "$vb_case" = run ]; then
		case_failed=1
	else
		failed=$((failed + 1))
	fi
}
check() { # DESC COMMAND...
	local desc=$1
	shift
	if [ "$vb_case" != run ] && ! vb_runs "$desc"; then
		return 0
	fi
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

in_parallel() { # COMMAND...
	local j
	[ -n "$vb_job_dir" ] || vb_job_dir=$(mktemp -d) || fatal "mktemp failed"
	while [ "$(jobs -pr | wc -l)" -ge "${TEST_JOBS:-2}" ]; do wait -n; done
	j=$vb_job_dir/${#vb_jobs[@]}
	vb_jobs+=("$j")
	echo "$*" >"$j.what"
	vb_job "$j" "$@" &
}
vb_job() { # FILES COMMAND...: in the background, counting from zero
	local j=$1
	shift
	passed=0 failed=0 vb_selected=0 vb_filtered=0
	"$@" >"$j.out" 2>"$j.err"
	echo "$passed $failed $vb_selected $vb_filtered" >"$j.count"
}
parallel_wait() {
	local j p f s x
	wait
	for j in "${vb_jobs[@]}"; do
		cat "$j.out"
		cat "$j.err" >&2
		if [ -s "$j.count" ] && read -r p f s x <"$j.count"; then
			passed=$((passed + p)) failed=$((failed + f))
			vb_selected=$((vb_selected + s)) vb_filtered=$((vb_filtered + x))
		else
			fail "ended without its count: $(cat "$j.what")"
		fi
	done
	vb_jobs=()
	[ -z "$vb_job_dir" ] || rm -rf "$vb_job_dir"
	vb_job_dir=
}

summary() { # [NAME]
	local name=${1:-${suite:?the suite has no name}} line
	[ "$vb_case" != skip ] || vb_skip_stop
	if [ -n "$vb_only" ]; then
		say "$name: T='$vb_only' ran $vb_selected case(s), skipped $vb_filtered"
		[ -z "${TEST_TALLY:-}" ] || say "$name $vb_selected" >>"$TEST_TALLY"
	fi
	line="$name: $passed passed, $failed failed"
	[ "$skipped" -eq 0 ] || line+=", $skipped skipped"
	say "$line"
	[ "$failed" -eq 0 ] || return 1
	if [ -n "$vb_only" ] && [ "$vb_selected" -eq 0 ] && [ -z "${TEST_TALLY:-}" ]; then
		say "$name: T='$vb_only' names no case" >&2
		return 1
	fi
}
fatal() { # MSG
	say "FAIL: $*" >&2
	failed=$((failed + 1))
	summary "${suite:-tests}"
	exit 1
}
skip() { # MSG
	say "SKIP: $*"
	exit 77
}
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
timing() { # LABEL SECONDS
	timings+=("$(printf '%-40s %6s s' "$1" "$2")")
	say "  time $1: $2 s"
}
