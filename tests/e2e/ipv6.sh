#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guards and grants over IPv6. Guards are per service and cover both
# families; grants are per address, so an IPv4 grant for a host does not
# open IPv6 for it (nor the other way round).
#
#     c1 (10.0.0.2, fd00::2)    c2 (10.0.0.3, fd00::3)
#               \                  /
#                --- hub br0 -----
#                        |
#     srv (10.0.0.1, fd00::1): tcp/8000, udp/5353 echo, both guarded
# nfknock-debug: skip, its kernel path (IPv6 guards in both modes, IPv6
#   grants, an IPv4 grant that does not open IPv6) is guard_blocks and
#   spa_open; stealth answers over IPv6
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000
udp_echo "$srv" 5353
check "guard add tcp/8000" ksrv guard add tcp/8000
check "guard add udp/5353" ksrv guard add udp/5353
expect_tcp timeout "$c1" $SRV6 8000 "guarded over IPv6 before a grant"
expect_udp timeout "$c1" $SRV6 5353 "guarded udp over IPv6 before a grant"

check "grant fd00::2 tcp/8000" ksrv grant $C16 tcp/8000 --for 5m
check "grant fd00::2 udp/5353" ksrv grant $C16 udp/5353 --for 5m
check_eq "grants shows the IPv6 address" \
	"$(ksrv grants --json | jq -r '[.[] | .address] | unique | join(",")')" "$C16"
expect_tcp ok "$c1" $SRV6 8000 "c1 over IPv6 granted"
expect_udp ok "$c1" $SRV6 5353 "c1 udp over IPv6 granted"
expect_tcp timeout "$c1" $SRV4 8000 "IPv6 grant does not open IPv4 for c1"
expect_tcp timeout "$c2" $SRV6 8000 "c2 over IPv6 not granted"

check "grant 10.0.0.3 tcp/8000" ksrv grant $C24 tcp/8000 --for 5m
expect_tcp ok "$c2" $SRV4 8000 "c2 over IPv4 granted"
expect_tcp timeout "$c2" $SRV6 8000 "IPv4 grant does not open IPv6 for c2"

check "set guard-action reset" ksrv set guard-action reset
expect_tcp refused "$c2" $SRV6 8000 "reset over IPv6: TCP RST"
expect_udp refused "$c2" $SRV6 5353 "reset over IPv6: ICMPv6 port unreachable"

check "revoke fd00::2" ksrv revoke $C16
expect_tcp refused "$c1" $SRV6 8000 "c1 over IPv6 closed after revoke"

finish
