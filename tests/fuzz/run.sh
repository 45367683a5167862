#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the libFuzzer targets and run each for FUZZ_SECONDS (default 20):
#   fuzz_*.c    the pure core (kmod/core), built alone;
#   fuzz_*.cpp  knockctl's config and client profile parsers (ctl/src/lib),
#               with toml++ compiled header-only so it is instrumented too.
# Corpora persist in build/fuzz/corpus-<name>; the C++ targets also start
# from docs/*.example and tests/fuzz/seeds/<config|profile>/ and use
# tests/fuzz/toml.dict. Prints one PASS/FAIL line per target with its
# execution count, then "fuzz: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
secs=${FUZZ_SECONDS:-20}
mkdir -p "$out"
pass=0 fail=0
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
flags="$san -fsanitize=fuzzer -std=c11 -Wall -Wextra -Werror -I$top/kmod/core"
cflags="$san -fsanitize=fuzzer-no-link -std=c11 -Wall -Wextra -Werror
	-I$top/kmod/core -I$top/include/uapi"
# toml++ 3.3.0 (Debian 12) asserts a precondition in parse_key() that its
# own table-header parser breaks on "[[[1]]]", "[[\n" and the like (fixed
# upstream, marzer/tomlplusplus#301). Debian's libtomlplusplus, which
# knockctl links, is built without those asserts and reports a parse error
# there (tests/unit/test_ctl_config_fuzz.cpp), so build it the same way.
# Its is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable()
# for some non-ASCII characters, e.g. U+FEDF after a key (marzer/tomlplusplus
# #295, fixed upstream by #305, not in 3.3.0); that is toml++'s to fix and
# Debian's GCC build returns a parse error there, so UBSan's "unreachable"
# check is off for these targets (knockctl's own code has no unreachable).
# shellcheck disable=SC2206
cxxflags=($san -fno-sanitize=unreachable -fsanitize=fuzzer-no-link
	-std=c++20 -Wall -Wextra -Werror
	-DTOML_HEADER_ONLY=1 '-DTOML_ASSERT(expr)=((void)0)' '-DKNOCKCTL_VERSION="fuzz"'
	-I$top/ctl/src/lib -I$top/kmod/core -I$top/include/uapi)
# What the parsers need from ctl/src/lib (config.cpp's and profile.cpp's
# dependencies: durations, services, keys, key derivation, errors, the
# sequence key and the core's sequence parameters, the [[sequence]] tables,
# the [lockout] table, the kernel users of the [[user]] tables).
cxx_lib="config profile duration service keys derive errors address
knock_address discover discover_stun discover_https sequence sequence_config
static_sequence_config lockout_config kernel_users"
cxx_libs="-lsodium -lcurl"

# fuzz NAME [EXTRA-ARGS...]: run one built target, print its line.
fuzz() {
	local name=$1 execs
	shift
	mkdir -p "$out/corpus-$name"
	if "$out/$name" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$@" \
		"$out/corpus-$name" "${seeds[@]}" > "$out/$name.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
		echo "PASS: $name ($execs executions in ${secs}s)"
		pass=$((pass + 1))
	else
		echo "FAIL: $name (see $out/$name.log)"
		tail -30 "$out/$name.log"
		fail=$((fail + 1))
	fi
}

seeds=()
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086
	if ! clang $flags "$src" "$top"/kmod/core/*.c -o "$out/$name" 2> "$out/$name.build.log"; then
		echo "FAIL: $name (build, see $out/$name.build.log)"
		fail=$((fail + 1))
		continue
	fi
	fuzz "$name"
done

# The C++ targets share one set of instrumented objects.
obj=$out/obj
mkdir -p "$obj"
objs=() objfail=
for src in "$top"/kmod/core/*.c; do
	o=$obj/core-$(basename "$src" .c).o
	# shellcheck disable=SC2086
	clang $cflags -c "$src" -o "$o" 2>> "$out/lib.build.log" || objfail=1
	objs+=("$o")
done
for f in $cxx_lib; do
	o=$obj/$f.o
	clang++ "${cxxflags[@]}" -c "$top/ctl/src/lib/$f.cpp" -o "$o" \
		2>> "$out/lib.build.log" || objfail=1
	objs+=("$o")
done
for src in "$top"/tests/fuzz/fuzz_*.cpp; do
	name=$(basename "$src" .cpp)
	kind=${name#fuzz_}
	# shellcheck disable=SC2086
	if [[ -n $objfail ]] ||
	   ! clang++ "${cxxflags[@]}" -fsanitize=fuzzer "$src" "${objs[@]}" $cxx_libs \
		-o "$out/$name" 2> "$out/$name.build.log"; then
		echo "FAIL: $name (build, see $out/$name.build.log $out/lib.build.log)"
		fail=$((fail + 1))
		continue
	fi
	# Read-only seed corpus: the documented example and the committed seeds.
	rm -rf "$out/seeds-$name"
	mkdir -p "$out/seeds-$name"
	case $kind in
	config) cp "$top/docs/nfknock.conf.example" "$out/seeds-$name/" ;;
	profile) cp "$top/docs/client.toml.example" "$out/seeds-$name/" ;;
	esac
	cp "$top/tests/fuzz/seeds/$kind"/* "$out/seeds-$name/" 2> /dev/null
	seeds=("$out/seeds-$name")
	fuzz "$name" -dict="$top/tests/fuzz/toml.dict" -max_len=8192
	seeds=()
done
echo "fuzz: $pass passed, $fail failed"
[[ $fail == 0 ]]
