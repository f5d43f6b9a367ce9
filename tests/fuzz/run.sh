#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer target for SECONDS on a copy of its seed corpus
# (tests/fuzz/corpus/NAME for build/fuzz-NAME), so that what it finds stays
# in build/fuzz/corpus/NAME. A crash, a leak, a timeout or a broken property
# fails the run; the input is kept in build/fuzz/artifacts/NAME/, the log in
# build/fuzz/NAME.log. Each target is a case, fuzz-NAME (T=fuzz-NAME).
# Usage: tests/fuzz/run.sh SECONDS build/fuzz-NAME...
set -u

here=$(cd "$(dirname "$0")" && pwd)
# The harness: begin, fail, end, summary and the T= filter.
# shellcheck source=tests/lib-check.sh
. "$here/../lib-check.sh"
seconds=$1
shift
for target in "$@"; do
	name=${target##*/fuzz-}
	filtered_out "fuzz-$name" && continue
	begin "fuzz-$name"
	dir=$(dirname "$target")/fuzz
	corpus=$dir/corpus/$name
	artifacts=$dir/artifacts/$name/
	mkdir -p "$corpus" "$artifacts"
	[ ! -d "$here/corpus/$name" ] || cp "$here/corpus/$name/"* "$corpus/" 2>/dev/null
	if "$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$artifacts" -print_final_stats=1 "$corpus" >"$dir/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$name.log")
		echo "ok   fuzz-$name: ${runs:-?} runs in $seconds s, corpus $(find "$corpus" -type f | wc -l)"
	else
		fail "log: $dir/$name.log, input in $artifacts"
		grep -m3 -E 'ERROR|SUMMARY|abort' "$dir/$name.log" | sed 's/^/    /'
	fi
	end_quiet
done
summary fuzz
