#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The grant table follows its cap: it has about one bucket per four grants
# the cap allows (status shows the buckets), so a full table never means long
# chains walked in softirq. A change of cap (apply, or set max-grants) moves
# the live grants to a table of the new size while packets and knocks keep
# using them: no grant is lost, no connection attempt of a granted client is
# dropped, and the knocks that renew a grant during the move still land.
#
#     c1 (10.0.0.2): admin grant on tcp/22, connects in a loop
#     c2 (10.0.0.3): alice knocks for tcp/22 in a loop
#          |
#      hub br0
#          |
#     srv (10.0.0.1): guards tcp/22 (echo server), 998 more grants
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice
conf=$SPA/nfknock.conf
# config CAP: guard tcp/22, alice may open it, grant cap CAP.
config() {
	{
		spa_server
		printf '[limits]\ngrants = %s\n\n' "$1"
		spa_guard tcp/22
		spa_user alice
	} > "$conf"
}
status() { ksrv status --json | jq -r "$1"; }
# expect_table CAP BUCKETS: cap, buckets and the 1000 grants all there (two
# knockctl runs and two jq runs: processes are what costs under TCG).
expect_table() {
	local st g
	st=$(ksrv status --json | jq -r '"\(.grants_max) \(.grant_buckets) \(.grants_count)"')
	check_eq "cap $1: status shows the cap, $2 buckets, 1000 grants" "$st" "$1 $2 1000"
	g=$(ksrv grants --json | jq -r --arg c1 $C14 --arg c2 $C24 --arg a "$alice" '
		def who($addr): [.[] | select(.address == $addr) |
			.service + " " + (if .user == null then "admin"
				elif .user == $a then "alice" else .user end)] | join(",");
		"\(length) \(who($c1)) \(who($c2))"')
	check_eq "cap $1: 1000 grants listed, c1's and c2's among them" "$g" \
		"1000 tcp/22 admin tcp/22 alice"
}

tcp_echo "$srv" 22
config 1000
check "apply with a cap of 1000 grants" ksrv apply "$conf"
alice=$(ksrv users --json | jq -r '.[] | select(.name == "alice") | .fingerprint')
check_eq "1000 grants: 256 buckets" "$(status .grant_buckets)" 256
check "admin grant for c1" ksrv grant $C14 tcp/22 --for 10m
check "alice opens tcp/22 for c2" knock "$c2" alice $SRV4 --open tcp/22 --for 60s
check_eq "998 more grants" "$(ns_srv $PY "$E2E/rawgenl.py" fill-grants 998 | head -n 1)" \
	"filled 998 of 998"
expect_table 1000 256

# Traffic through the resizes: c1 connects over and over (each SYN looked up
# in whichever table holds its grant), c2 renews alice's grant by knocking.
stop=/tmp/nfk-stop-$rnd
rm -f "$stop"
in_ns "$c1" $NETTOOL tcp-repeat $SRV4 22 --stop-file "$stop" > "$SPA/repeat.log" 2>&1 &
repeat_pid=$!
bg_pids+=($repeat_pid)
in_ns "$c2" nice -n 10 bash -c '
	while [[ ! -e $1 ]]; do
		knockctl knock "$2" --server-key "$3" --key "$4" --open tcp/22 --for 60s ||
			echo "knock failed"
	done' _ "$stop" $SRV4 "$(spa_pub server)" "$SPA/alice.key" > "$SPA/knocks.log" 2>&1 &
knock_pid=$!
bg_pids+=($knock_pid)
wait_grep "$SPA/repeat.log" connecting || fail "tcp-repeat did not start"
refused=$(status .stats.refused)

config 200000
check "apply raises the cap to 200000" ksrv apply "$conf"
expect_table 200000 65536
config 1000
check "apply lowers the cap to 1000" ksrv apply "$conf"
expect_table 1000 256
check "set max-grants 20000" ksrv set max-grants 20000
expect_table 20000 8192
check "set max-grants 1000" ksrv set max-grants 1000
expect_table 1000 256

touch "$stop"
wait "$repeat_pid"
rc=$?
sed 's/^/    /' "$SPA/repeat.log"
check_eq "c1 connected through every resize" "$rc" 0
check "c1 connected at least once" grep -q 'ok=[1-9]' "$SPA/repeat.log"
check_eq "no SYN from a granted client refused" "$(status .stats.refused)" "$refused"
wait "$knock_pid"
check_eq "every knock of alice during the resizes sent" \
	"$(grep -c 'knock failed' "$SPA/knocks.log")" 0
check_eq "alice's knocks accepted, none refused" \
	"$(status '.stats | [to_entries[] | select(.key | startswith("knocks_") and . != "knocks_accepted") | .value] | add')" 0
expect_tcp ok "$c2" $SRV4 22 "c2 still connects with alice's grant"

finish
