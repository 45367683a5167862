#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bench (make bench, not a test): how long the module spends in one knock.
# The kernel's function_graph tracer times every call of nfknock_knock()
# (hint lookup, AEAD open, rules, grant) in the guest; the figures are
# medians over many knocks, side by side in one boot:
#   valid knock with 1 user loaded, with 10,000 users, and with 1 user again
#   (so drift shows); a random datagram (no hint matches: rejected without
#   running the AEAD) and a datagram with a valid hint and a bad tag (the
#   AEAD runs and fails), both with 10,000 users loaded.
# Every phase also checks the knock counters moved as intended, so a figure
# is never a measurement of the wrong path. Lines starting with "BENCH" are
# the results; make bench collects them.
#
#     c1 (10.0.0.2): knocks          srv (10.0.0.1): knock port udp/62201
source "$(dirname "$0")/../e2e/lib.sh"

VALID=${NFKNOCK_BENCH_KNOCKS:-100}	# knockctl runs per valid phase
BURST=${NFKNOCK_BENCH_BURST:-1000}	# datagrams per reject phase
USERS=10000

ft=/sys/kernel/tracing
[[ -e $ft/trace ]] || mount -t tracefs nodev "$ft" 2> /dev/null
if ! grep -qw function_graph "$ft/available_tracers" 2> /dev/null; then
	echo "SKIP: no function_graph tracer"
	exit $ksft_skip
fi
ft_start() {
	echo 0 > "$ft/tracing_on"
	echo nop > "$ft/current_tracer"
	echo nfknock_knock > "$ft/set_ftrace_filter" || return 1
	echo 2048 > "$ft/buffer_size_kb"
	: > "$ft/trace"
	echo function_graph > "$ft/current_tracer"
	echo 1 > "$ft/tracing_on"
}
# ft_stop: the durations (µs) of the calls traced since ft_start, one a line.
ft_stop() {
	echo 0 > "$ft/tracing_on"
	grep 'nfknock_knock' "$ft/trace" | grep -oE '[0-9]+\.[0-9]+ us' | cut -d' ' -f1
	echo nop > "$ft/current_tracer"
}
# stats NAME < durations: "BENCH NAME n=.. median=.. mean=.. p10=.. p90=.." (µs)
stats() {
	sort -n | awk -v name="$1" '{ v[NR] = $1; s += $1 }
		END { if (!NR) { print "BENCH " name " n=0"; exit }
		      printf "BENCH %s n=%d median_us=%.2f mean_us=%.2f p10_us=%.2f p90_us=%.2f\n",
			name, NR, v[int((NR + 1) / 2)], s / NR, v[int(NR * 0.1) + 1], v[int(NR * 0.9)] }' |
		tee -a "$SPA/bench"
}
median() { awk -v n="$1" '$2 == n { sub("median_us=", "", $4); print $4 }' "$SPA/bench"; }
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { printf "%.2f", a / b }'; }

# valid_phase NAME: VALID knocks by alice, each a knockctl run from c1.
valid_phase() {
	local i ok=0 before
	before=$(counter knocks_accepted)
	ft_start || { fail "ftrace setup"; return; }
	for ((i = 0; i < VALID; i++)); do
		knock "$c1" alice $SRV4 --open tcp/22 --for 30s > /dev/null && ok=$((ok + 1))
	done
	ft_stop | stats "$1"
	check_eq "$1: $VALID knocks sent" "$ok" "$VALID"
	check_eq "$1: all accepted" "$(( $(counter knocks_accepted) - before ))" "$VALID"
}
# reject_phase NAME REASON ARGS...: BURST datagrams of spa_tool burst ARGS.
reject_phase() {
	local name=$1 reason=$2 before
	shift 2
	before=$(counter "knocks_$reason")
	ft_start || { fail "ftrace setup"; return; }
	ns_c1 $SPA_TOOL burst $SRV4 $SPA_PORT --count "$BURST" --interval 0.001 "$@" > /dev/null
	sleep 0.5
	ft_stop | stats "$name"
	check_eq "$name: $BURST counted as $reason" \
		"$(( $(counter "knocks_$reason") - before ))" "$BURST"
}

setup_net
spa_init
spa_key alice
one=$SPA/one.conf many=$SPA/many.conf
{ spa_server; spa_guard tcp/22; spa_user alice; } > "$one"
cp "$one" "$many"
t0=$SECONDS
$SPA_TOOL pubkeys $((USERS - 1)) --raw 1 | awk '{
	printf "[[user]]\nname = \"u%05d\"\npublic_key = \"%s\"\n", NR, $1
	printf "allow = [\"tcp/22\"]\nmax_duration = \"60s\"\n\n" }' >> "$many"
echo "    $((USERS - 1)) extra public keys made in $((SECONDS - t0)) s"

check "apply 1 user" ksrv apply "$one"
valid_phase valid_1_user

t0=$SECONDS
check "apply $USERS users" ksrv apply "$many"
echo "    applied $USERS users in $((SECONDS - t0)) s"
check_eq "status counts $USERS users" "$(ksrv status --json | jq .users_count)" $USERS
valid_phase valid_${USERS}_users

# A valid datagram of alice, captured on the knock port (pass mode lets it
# through), becomes the bad-tag datagram: its hint is right, its tag not.
ns_srv $SPA_TOOL capture $SPA_PORT "$SPA/captured" &
cap=$!
bg_pids+=($cap)
sleep 2
knock "$c1" alice $SRV4 --open tcp/22 --for 30s > /dev/null
wait_grep "$SPA/captured" "$C14 "
kill $cap 2> /dev/null
dgram=$(awk 'NR == 1 { print $2 }' "$SPA/captured")
check "captured one knock" test -n "$dgram"
reject_phase random_${USERS}_users unknown --random $(( ${#dgram} / 2 ))
reject_phase bad_tag_${USERS}_users bad_auth --hex "$dgram" --flip $(( ${#dgram} / 2 - 1 ))

check "apply 1 user again" ksrv apply "$one"
valid_phase valid_1_user_again

echo "BENCH ratio valid ${USERS}_users/1_user = $(ratio valid_${USERS}_users valid_1_user)" \
	"(again: $(ratio valid_${USERS}_users valid_1_user_again); goal <= 1.2)"
echo "BENCH ratio reject bad_tag/random = $(ratio bad_tag_${USERS}_users random_${USERS}_users)" \
	"(a random datagram costs $(ratio random_${USERS}_users bad_tag_${USERS}_users) of a bad-tag one)"
finish
