#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the libFuzzer targets over the pure core and run each for
# FUZZ_SECONDS (default 20). Corpora persist in build/fuzz/corpus-<name>.
# Prints one PASS/FAIL line per target with its execution count, then
# "fuzz: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
secs=${FUZZ_SECONDS:-20}
mkdir -p "$out"
pass=0 fail=0
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -std=c11 -Wall -Wextra -Werror -I$top/kmod/core"
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086
	if ! clang $flags "$src" "$top"/kmod/core/*.c -o "$out/$name" 2> "$out/$name.build.log"; then
		echo "FAIL: $name (build, see $out/$name.build.log)"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$out/corpus-$name"
	if "$out/$name" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/$name-" \
		"$out/corpus-$name" > "$out/$name.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
		echo "PASS: $name ($execs executions in ${secs}s)"
		pass=$((pass + 1))
	else
		echo "FAIL: $name (see $out/$name.log)"
		tail -30 "$out/$name.log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[[ $fail == 0 ]]
