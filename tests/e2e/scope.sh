#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guards are about this host's visitors. With tcp/22 and udp/53 guarded on
# srv, srv itself reaches its own services over 127.0.0.1, ::1 and its own
# addresses (those packets come back over loopback), while c1 stays guarded:
# guarding udp/53 does not break the host's resolver. srv is also a gateway
# for "in" behind it: its local guard on tcp/22 neither blocks c1's
# connection to in's tcp/22 nor in's connection out to c1's tcp/22 (the
# reply included), and srv's own tcp/22 stays guarded from both sides.
# The packets that passed this way are counted as passed_scope.
#
#     c1 (10.0.0.2, fd00::2) --- hub br0 --- srv (10.0.0.1, fd00::1)
#                                             |  veth, srv forwards
#                                            in (10.1.0.2; srv is 10.1.0.1)
source "$(dirname "$0")/lib.sh"

IN4=10.1.0.2 GW4=10.1.0.1
setup_net
inner=nfk-in-$rnd
new_ns "$inner"
ip -n "$srv" link add eth1 type veth peer name eth0 netns "$inner" || exit 1
printf '%s\n' "addr add $GW4/24 dev eth1" "link set eth1 up" |
	ip -n "$srv" -batch - || exit 1
printf '%s\n' "link set lo up" "addr add $IN4/24 dev eth0" "link set eth0 up" \
	"route add default via $GW4" | ip -n "$inner" -batch - || exit 1
ip -n "$c1" route add 10.1.0.0/24 via $SRV4 || exit 1
ns_srv sysctl -qw net.ipv4.ip_forward=1 || exit 1

tcp_echo "$srv" 22
tcp_echo "$inner" 22
tcp_echo "$c1" 22
udp_echo "$srv" 53
check "guard tcp/22" ksrv guard add tcp/22
check "guard udp/53" ksrv guard add udp/53
scoped() { ksrv status --json | jq .stats.passed_scope; }
before=$(scoped)

# The host talking to itself.
expect_tcp ok "$srv" 127.0.0.1 22 "srv to its own tcp/22 over 127.0.0.1"
expect_tcp ok "$srv" ::1 22 "srv to its own tcp/22 over ::1"
expect_tcp ok "$srv" $SRV4 22 "srv to its own tcp/22 at its address"
expect_tcp ok "$srv" $SRV6 22 "srv to its own tcp/22 at its IPv6 address"
expect_tcp ok "$srv" $GW4 22 "srv to its own tcp/22 at its inside address"
expect_udp ok "$srv" 127.0.0.1 53 "srv's resolver port from srv"
expect_udp ok "$srv" $SRV4 53 "srv's udp/53 at its address from srv"
# Visitors stay guarded.
expect_tcp timeout "$c1" $SRV4 22 "c1 to srv's tcp/22"
expect_tcp timeout "$c1" $SRV6 22 "c1 to srv's tcp/22 over IPv6"
expect_udp timeout "$c1" $SRV4 53 "c1 to srv's udp/53"
expect_tcp timeout "$inner" $GW4 22 "in to srv's tcp/22"
# Forwarded traffic is not srv's to guard.
expect_tcp ok "$c1" $IN4 22 "c1 to in's tcp/22 through srv"
expect_tcp ok "$inner" $C14 22 "in to c1's tcp/22 through srv"
after=$(scoped)
# Seven connections/datagrams from srv to itself, at least one SYN each
# way through srv for the forwarded pair (SYN, and the SYN+ACK is no SYN).
check "passed_scope counted them ($before -> $after)" test $((after - before)) -ge 9

finish
