#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generic netlink fuzzing of the nfknock family (nlfuzz.py): random and
# mutated requests of every command, as root and as an unprivileged user,
# in a namespace of their own. Nothing may crash or splat (the VM harness
# checks dmesg), a refused request may change nothing, an unprivileged one
# is refused with EPERM, the module answers GET_STATUS afterwards, and after
# a flush it can be unloaded (the runner's rmmod).
#
#     fz: config applied by knockctl (guards, a knock port, two users,
#         grants), then the fuzzer; no interfaces but lo, no traffic
#
# NFKNOCK_NLFUZZ_SECONDS: root run length (default an eighth of the
# scenario timeout NFK_TIMEOUT: 30 s on Debian's kernels, 90 s on the debug
# kernel, where KASAN and lockdep watch); the unprivileged run gets a third
# of it. Longer runs: NFKNOCK_NLFUZZ_SECONDS=600 tests/vm/run debug nl_fuzz. NFKNOCK_NLFUZZ_SEED
# replays a run (the seeds are printed and logged to dmesg).
source "$(dirname "$0")/lib.sh"

secs=${NFKNOCK_NLFUZZ_SECONDS:-$(( ${NFK_TIMEOUT:-240} / 8 ))}
useconds=$(( (secs + 2) / 3 ))
seed=${NFKNOCK_NLFUZZ_SEED:-$(( $(od -An -N4 -tu4 /dev/urandom) ))}
useed=$(( (seed * 7 + 1) % 4294967296 ))
fz=nfk-fz-$rnd
FUZZ="$PY $E2E/nlfuzz.py --header $REPO/include/uapi/linux/nfknock.h"
SPA_PORT=62201

module_load
add_ns "$fz"
kfz() { in_ns "$fz" knockctl "$@"; }

# A configuration with something of every kind, for the fuzzer to break.
setup_config() {
	{
		spa_server drop 10s
		spa_guard tcp/22 tcp/8000-8100 udp/53
		spa_user alice
		spa_user bob 'allow=["tcp/8000-8100", "udp/53"]' 'max_duration="5m"' \
			'sources=["10.0.0.0/8", "fd00::/64"]' 'require_address=false'
	} > "$SPA/nfknock.conf"
	kfz flush &&
	kfz apply "$SPA/nfknock.conf" > /dev/null &&
	kfz grant 10.0.0.2 tcp/22 --for 10m &&
	kfz grant fd00::2 udp/53 --for 10m --once
}
spa_init
spa_key alice bob
check "initial configuration" setup_config

# Summary line -> number of accepted requests that changed the configuration.
changes() { sed -n 's/.*accepted [0-9]* (\([0-9]*\) changed.*/\1/p' <<< "$1"; }

fuzz() {	# fuzz WHO SEED SECONDS [PREFIX...]: one run, its lines counted
	local who=$1 s=$2 t=$3 out rc
	shift 3
	echo "nl_fuzz: $who run, seed $s, ${t}s" > /dev/kmsg
	out=$(in_ns "$fz" "$@" $FUZZ --seed "$s" --seconds "$t" 2>&1)
	rc=$?
	echo "$out"
	checks=$((checks + $(grep -c '^PASS: \|^FAIL: ' <<< "$out")))
	failures=$((failures + $(grep -c '^FAIL: ' <<< "$out")))
	check_eq "nlfuzz.py as $who: exit status (seed $s)" "$rc" 0
	last=$out
}

# The oracle can fail: with no fresh snapshot after accepted requests, the
# first accepted change must be reported as a change. The run stops at that
# first report; its bound is generous because the debug kernel on a busy
# host manages only a few messages a second (5 s once saw no change).
out=$(in_ns "$fz" $FUZZ --seed "$seed" --seconds 120 --count 3000 --break-oracle 2>&1)
rc=$?
grep -m1 -A1 'configuration changed' <<< "$out" | sed 's/^/    /'
check_eq "self-test: a broken oracle reports a change (exit status)" "$rc" 1
check "self-test: ... as 'configuration changed'" grep -q 'configuration changed' <<< "$out"

check "configuration before the root run" setup_config
fuzz root "$seed" "$secs"
n=$(changes "$last")
check "root run: accepted requests changed the configuration (${n:-?} times)" \
	test "${n:-0}" -gt 0
check "knockctl status answers after the root run" eval 'kfz status > /dev/null'

# Unprivileged: the whole configuration, seen by root, must not move.
check "configuration before the unprivileged run" setup_config
snap() { in_ns "$fz" $FUZZ --snapshot; }
before=$(snap)
fuzz "uid 65534" "$useed" "$useconds" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all
check_eq "unprivileged run changed nothing (root's view, grants included)" "$(snap)" "$before"

check "flush" kfz flush
check_eq "after flush: not hooked" "$(kfz status --json | jq -r .hooked)" false
finish
