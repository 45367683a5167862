#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A captured knock cannot be used again: resent from the same address it
# is refused as a replay, from another one as unbound (the datagram names
# c1: binding), and it opens nothing. A knock with
# a flipped ciphertext byte fails authentication; one with a flipped hint
# matches no user. The user's next real knock still works.
#
#     c1 (10.0.0.2): alice knocks, then replays    c2 (10.0.0.3): replays
#             \                                      /
#              --------------- hub br0 --------------
#                                 |
#     srv (10.0.0.1): guard tcp/22 (socat echo), user alice,
#                     knock_packets = "pass" and a UDP socket on the knock
#                     port that records every datagram (the capture)
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice
conf=$SPA/nfknock.conf
# A skew of 10 minutes: the replays must be refused as replays even on a
# slow guest (the debug kernel on a busy host takes more than the default
# 30 s between the capture and the last resend, and a stale timestamp is
# checked first).
{
	spa_server pass 600s
	spa_guard tcp/22
	spa_user alice
} > "$conf"
check "apply the config" ksrv apply "$conf"
tcp_echo "$srv" 22
cap=$SPA/capture
ns_srv $SPA_TOOL capture $SPA_PORT "$cap" &
bg_pids+=($!)
wait_listen "$srv" udp $SPA_PORT || exit 1

check "alice knocks from c1" knock "$c1" alice $SRV4 --open tcp/22 --for 60s
check "the knock reached the socket on the knock port (pass)" wait_grep "$cap" "^$C14 "
read -r _ dgram < "$cap"
echo "    captured ${#dgram} hex digits"
check_eq "grant of the original knock" "$(grants_of $C14)" "tcp/22 alice"
check "revoke it, so a replay that opened anything would show" ksrv revoke $C14

# replay NS DESC REASON [spa_tool send options]: resend the captured bytes.
replay() {
	local ns=$1 desc=$2 reason=$3 before=$counted
	shift 3
	in_ns "$ns" $SPA_TOOL send $SRV4 $SPA_PORT --hex "$dgram" --timeout 0.2 "$@" > /dev/null
	expect_counted "$desc" "$before" "$reason"
}
counted=$(knock_counters)
replay "$c1" "replay from the same address" replay
replay "$c2" "replay from c2 (other address)" unbound
check_eq "no grant after the replays" "$(ksrv grants --json | jq length)" 0
expect_tcp timeout "$c1" $SRV4 22 "c1 blocked after its replay"
expect_tcp timeout "$c2" $SRV4 22 "c2 blocked after its replay"

# Layout: hint (8) | nonce (24) | ciphertext | tag (16).
replay "$c1" "ciphertext byte flipped" bad_auth --flip 40
replay "$c1" "hint byte flipped" unknown --flip 0
check_eq "still no grant" "$(ksrv grants --json | jq length)" 0

before=$counted
check_eq "alice's next real knock && connect" \
	"$(knock_connect "$c1" alice $SRV4 22 --open tcp/22 --for 30s)" ok
expect_counted "next real knock" "$before" accepted

finish
