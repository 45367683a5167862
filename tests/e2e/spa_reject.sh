#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Knocks that must not open anything, each counted under exactly its reason:
# the wrong server key or an unknown client key (unknown: no hint matches),
# another user's key for a service only alice may open, a port outside the
# user's allow list, a disabled user, an expired account, a source outside
# the user's prefixes (not_allowed). A duration above max_duration is
# accepted but capped.
#
#     c1 (10.0.0.2): every knock        c2 (10.0.0.3): erin's allowed source
#             \                          /
#              -------- hub br0 ---------
#                          |
#     srv (10.0.0.1): guards tcp/22, tcp/8000 (socat echo); users
#       alice  tcp/22, max 20s          bob   tcp/8000 only
#       carol  enabled = false          dave  expired in 2020
#       erin   sources = 10.0.0.3/32    (mallory and server2: keys not loaded)
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice bob carol dave erin mallory server2
conf=$SPA/nfknock.conf
{
	spa_server
	spa_guard tcp/22 tcp/8000
	spa_user alice max_duration='"20s"'
	spa_user bob allow='["tcp/8000"]'
	spa_user carol enabled=false
	spa_user dave expires='"2020-01-01T00:00:00Z"'
	spa_user erin sources='["10.0.0.3/32"]'
} > "$conf"
check "apply the config" ksrv apply "$conf"
tcp_echo "$srv" 22 8000
dmesg_mark
counted=$(knock_counters)

# refused DESC REASON NS USER ARGS...: a knock counted under REASON only.
refused() {
	local desc=$1 reason=$2 ns=$3 user=$4 before=$counted
	shift 4
	knock "$ns" "$user" $SRV4 "$@" || fail "$desc: knockctl knock exit $?"
	expect_counted "$desc" "$before" "$reason"
}

SPA_SERVER=server2 refused "alice, wrong server public key" unknown "$c1" alice --open tcp/22
expect_tcp timeout "$c1" $SRV4 22 "not opened by the knock with the wrong server key"
refused "mallory (key not configured)" unknown "$c1" mallory --open tcp/22
refused "bob asks for tcp/22 (only tcp/8000 allowed)" not_allowed "$c1" bob --open tcp/22
refused "alice asks for tcp/8000 (not in her allow list)" not_allowed "$c1" alice --open tcp/8000
refused "carol (disabled)" not_allowed "$c1" carol --open tcp/22
refused "dave (account expired)" not_allowed "$c1" dave --open tcp/22
refused "erin from 10.0.0.2 (sources 10.0.0.3/32)" not_allowed "$c1" erin --open tcp/22
check_eq "no grant after the refused knocks" "$(ksrv grants --json | jq length)" 0

log=$(dmesg_since)
# A datagram no user's hint matches is counted, never logged: a flood of
# garbage cannot fill the log.
check_not "dmesg: no line for the unknown datagrams" \
	grep -F "reason=unknown" <<< "$log"
check "dmesg: rejected not_allowed, user bob, source unverified" \
	grep -F "nfknock: knock_rejected user=bob source=$C14 unverified=yes reason=not_allowed" <<< "$log"

before=$counted
check_eq "erin from 10.0.0.3 (inside her sources): knock && connect" \
	"$(knock_connect "$c2" erin $SRV4 22 --open tcp/22 --for 30s)" ok
expect_counted "erin from 10.0.0.3" "$before" accepted

before=$counted
knock "$c1" alice $SRV4 --open tcp/22 --for 1h
expect_counted "alice asks for 1h (max_duration 20s)" "$before" accepted
left=$(ksrv grants --json | jq -r --arg a $C14 '.[] | select(.address == $a and .service == "tcp/22") | .expires_ms')
if [[ -n $left ]] && ((left > 0 && left <= 20000)); then
	pass "duration capped: grant has $left ms left (max 20 s)"
else
	fail "grant time left '$left' ms, want (0, 20000]"
fi
check "dmesg: accepted line says 20s, capped" \
	grep -F "nfknock: knock_accepted user=alice source=$C14 service=tcp/22 address=$C14 duration=20s capped=yes" <<< "$(dmesg_since)"
expect_tcp ok "$c1" $SRV4 22 "c1 gets in with the capped grant"

finish
