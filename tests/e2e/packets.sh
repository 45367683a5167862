#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What counts as what:
#   * only a TCP segment with SYN and without ACK is a connection attempt:
#     with a guard over the server's own ephemeral ports, the SYN+ACK that
#     answers the server's outbound connection passes (and knockctl check
#     warns about such a guard), while a client's SYN to those ports is
#     still refused;
#   * a knock is as long as its UDP header says: a valid knock followed by
#     bytes that are not part of the UDP datagram (IP length > UDP length)
#     is still accepted.
#
#     c1 (10.0.0.2): echo server on tcp/7; sends the padded knock (scapy)
#          |
#      hub br0
#          |
#     srv (10.0.0.1): guards tcp/22 and its ephemeral range
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice
range=$(ns_srv cat /proc/sys/net/ipv4/ip_local_port_range)
read -r lo hi <<< "$range"
conf=$SPA/nfknock.conf
# Skew 10 min: between the knock's capture and scapy's send lie a status
# and scapy's import, which took over 30 s on the debug kernel on a busy
# host (the knock was then stale).
{
	spa_server pass 600s
	spa_guard tcp/22 "tcp/$lo-$hi"
	spa_user alice
} > "$conf"
out=$(ns_srv knockctl check "$conf" 2>&1)
echo "$out" | sed 's/^/    /'
check "check warns about the guard over the ephemeral ports" \
	grep -q "warning: guard tcp/$lo-$hi overlaps this host's ephemeral port range" <<< "$out"
check "apply the config" ksrv apply "$conf"

tcp_echo "$c1" 7
tcp_echo "$srv" "$lo"
expect_tcp ok "$srv" $C14 7 "srv's own connection out (its SYN+ACK reply passes the guard)"
expect_tcp timeout "$c1" $SRV4 "$lo" "c1's SYN to a guarded ephemeral port"

# A fresh knock (captured on c1's loopback, never sent to srv; it names
# c1's address, where it is sent from), then sent to srv with 7 bytes after
# the UDP datagram inside the IP packet.
cap=$SPA/cap
ns_c1 $SPA_TOOL capture 9999 "$cap" &
bg_pids+=($!)
wait_listen "$c1" udp 9999 || exit 1
check "alice's knock into the capture" in_ns "$c1" knockctl knock 127.0.0.1 \
	--port udp/9999 --open tcp/22 --for 60s --address $C14 \
	--server-key "$(spa_pub server)" --key "$SPA/alice.key"
wait_grep "$cap" . || exit 1
read -r _ dgram < "$cap"
before=$(knock_counters)
ns_c1 /usr/bin/python3 - "$SRV4" "$SPA_PORT" "$dgram" <<'PY'
import sys
from scapy.all import IP, UDP, Raw, send
dst, port, hexd = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = bytes.fromhex(hexd)
pkt = IP(dst=dst) / UDP(sport=40000, dport=port, len=8 + len(d)) / Raw(d + b"\x00" * 7)
send(pkt, verbose=False)
PY
expect_counted "knock with bytes after its UDP datagram" "$before" accepted
check_eq "it opened tcp/22 for c1" "$(grants_of $C14)" "tcp/22 alice"

finish
