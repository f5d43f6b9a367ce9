#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the unit test programs (tests/unit/test-NAME.c, built with ASan and
# UBSan): each program is a case, NAME (T=NAME), and prints its own count.
# Usage: tests/unit/run.sh build/asan/test-NAME...
set -u

here=$(cd "$(dirname "$0")" && pwd)
# The harness: begin, fail, end, summary and the T= filter.
# shellcheck source=tests/lib-check.sh
. "$here/../lib-check.sh"
for t in "$@"; do
	name=${t##*/test-}
	filtered_out "$name" && continue
	begin "$name"
	echo "== $t"
	"$t" || fail "$t exited with $?"
	end_quiet
done
summary unit
