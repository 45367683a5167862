#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# knock_packets = "pass": a probe of the knock port gets what a probe of an
# unused UDP port gets (ICMP port unreachable), over IPv4 and IPv6, and a
# program listening on the knock port receives the knocks. "drop": the knock
# port stays silent (other closed ports still answer), nothing reaches the
# listener, and knocks still open the guard.
#
#     c1 (10.0.0.2 fd00::2): probes with 100 random bytes, alice knocks
#          |
#      hub br0
#          |
#     srv (10.0.0.1 fd00::1): knock port udp/62201 (nothing listens at first),
#                             udp/62202 unused; guard tcp/22 (socat echo)
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice
conf=$SPA/nfknock.conf
config() {
	spa_server "$1"
	spa_guard tcp/22
	spa_user alice
}
config pass > "$conf"
check "apply knock_packets = pass" ksrv apply "$conf"
tcp_echo "$srv" 22

probe() { in_ns "$c1" $SPA_TOOL send "$1" "$2" --random 100 --timeout 2; }
check_eq "pass: probe of knock port udp/62201 (IPv4)" "$(probe $SRV4 $SPA_PORT)" refused
check_eq "pass: probe of unused udp/62202 (IPv4)" "$(probe $SRV4 62202)" refused
check_eq "pass: probe of knock port udp/62201 (IPv6)" "$(probe "$SRV6" $SPA_PORT)" refused
check_eq "pass: probe of unused udp/62202 (IPv6)" "$(probe "$SRV6" 62202)" refused
check_eq "pass: the probes counted as unknown knocks" "$(counter knocks_unknown)" 2

cap=$SPA/capture
# Started directly (not through a function), so that $! is the listener.
nsenter --net="/run/netns/$srv" $SPA_TOOL capture $SPA_PORT "$cap" &
capture=$!
bg_pids+=($capture)
wait_listen "$srv" udp $SPA_PORT || exit 1
check_eq "pass: knock && connect" "$(knock_connect "$c1" alice $SRV4 22 --open tcp/22 --for 30s)" ok
check "pass: the listener on the knock port got the knock" wait_grep "$cap" "^$C14 "
kill $capture
wait $capture 2> /dev/null
check_eq "the listener is gone" "$(ns_srv ss -Huln "sport = :$SPA_PORT")" ""
check "revoke c1" ksrv revoke $C14

config drop > "$conf"
check "apply knock_packets = drop" ksrv apply "$conf"
check_eq "drop: probe of knock port udp/62201 (IPv4): silent" "$(probe $SRV4 $SPA_PORT)" silent
check_eq "drop: probe of unused udp/62202 (IPv4): still refused" "$(probe $SRV4 62202)" refused
check_eq "drop: probe of knock port udp/62201 (IPv6): silent" "$(probe "$SRV6" $SPA_PORT)" silent

: > "$cap"
ns_srv $SPA_TOOL capture $SPA_PORT "$cap" &
bg_pids+=($!)
wait_listen "$srv" udp $SPA_PORT || exit 1
before=$(knock_counters)
check_eq "drop: knock && connect" "$(knock_connect "$c1" alice $SRV4 22 --open tcp/22 --for 30s)" ok
expect_counted "drop: the knock" "$before" accepted
check_eq "drop: the listener on the knock port got nothing" "$(wc -l < "$cap")" 0

finish
