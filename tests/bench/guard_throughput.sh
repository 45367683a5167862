#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bench (make bench, not a test): what a guard costs an established
# session. Every segment of a session to a guarded port that is not a SYN
# or RST is looked up in TCP's established hash before it passes (so that
# scans cannot reach the listener); this measures that path against no
# guard at all, side by side in one run: rounds alternate unguarded and
# guarded, each round sends NFKNOCK_BENCH_MB (default 32) MiB from c1 to
# srv over SSH (`cat > /dev/null`) and over plain TCP (socat), and the
# medians and their ratio are reported. c1 holds grants throughout; the
# guards come and go.
#
#     c1 (10.0.0.2) --- hub --- srv (10.0.0.1): sshd tcp/22, sink tcp/5001
source "$(dirname "$0")/../e2e/lib.sh"
require /usr/sbin/sshd ssh ssh-keygen

MB=${NFKNOCK_BENCH_MB:-32}
ROUNDS=${NFKNOCK_BENCH_ROUNDS:-5}

setup_net
sshd_srv
nsenter --net="/run/netns/$srv" socat -u TCP-LISTEN:5001,fork,reuseaddr OPEN:/dev/null &
bg_pids+=($!)
wait_listen "$srv" tcp 5001 || exit 1

# The module must be loaded (and stay so) for grants to exist without
# guards: one guard elsewhere keeps the namespace configured.
check "guard tcp/9 (keeps the namespace hooked)" ksrv guard add tcp/9
check "grant c1 tcp/22" ksrv grant $C14 tcp/22 --for 1h
check "grant c1 tcp/5001" ksrv grant $C14 tcp/5001 --for 1h

# seconds KIND: one transfer of $MB MiB, its wall time in seconds.
seconds() {
	local t0 t1
	t0=$EPOCHREALTIME
	if [[ $1 == ssh ]]; then
		head -c "${MB}M" /dev/zero | sshc 'cat > /dev/null' || return 1
	else
		head -c "${MB}M" /dev/zero | ns_c1 socat -u STDIN TCP:$SRV4:5001 || return 1
	fi
	t1=$EPOCHREALTIME
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }'
}

declare -A times
for ((r = 1; r <= ROUNDS; r++)); do
	for mode in unguarded guarded; do
		if [[ $mode == guarded ]]; then
			ksrv guard add tcp/22 && ksrv guard add tcp/5001 || exit 1
		fi
		before=$(ksrv status --json | jq .stats.passed_stateless)
		for kind in ssh tcp; do
			s=$(seconds $kind) || { fail "round $r $mode $kind transfer"; continue; }
			times[$mode.$kind]+="$s "
			echo "round $r $mode $kind: $s s"
		done
		after=$(ksrv status --json | jq .stats.passed_stateless)
		echo "round $r $mode: passed_stateless +$((after - before))"
		if [[ $mode == guarded ]]; then
			ksrv guard del tcp/22 && ksrv guard del tcp/5001 || exit 1
			((after > before)) || fail "round $r: the guarded sessions' segments were not looked up"
		fi
	done
done

median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for kind in ssh tcp; do
	u=$(median "${times[unguarded.$kind]}")
	g=$(median "${times[guarded.$kind]}")
	echo "$u $g" | awk -v k=$kind -v mb=$MB -v n=$ROUNDS '{
		printf "BENCH guard_throughput %s: %d MiB, median of %d: unguarded %.1f MiB/s, guarded %.1f MiB/s, guarded/unguarded throughput %.3f\n",
			k, mb, n, mb / $1, mb / $2, $1 / $2 }'
done
finish
