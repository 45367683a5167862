#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unguarded services are untouched: with the module loaded and no guard,
# and with a guard on another port, TCP and UDP to srv work; a guard in srv
# does not affect the same port in another namespace.
#
#     c1 (10.0.0.2)      c2 (10.0.0.3)  tcp/22 echo, never guarded
#          \               /
#           ---- hub br0 ---
#                 |
#           srv (10.0.0.1)  tcp/8000, udp/5353 echo; later tcp/22 guarded
# nfknock-debug: skip, its kernel path (the fast path) carries every scenario's
#   unguarded traffic
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000 22
udp_echo "$srv" 5353
tcp_echo "$c2" 22

check "knockctl status works" ksrv status
check_eq "no hooks while srv has no guard" "$(ksrv status --json | jq -r .hooked)" false
expect_tcp ok "$c1" $SRV4 8000
expect_udp ok "$c1" $SRV4 5353
expect_tcp ok "$c1" $SRV6 8000

check "guard add tcp/22" ksrv guard add tcp/22
check_eq "hooks registered once srv has a guard" "$(ksrv status --json | jq -r .hooked)" true
expect_tcp timeout "$c1" $SRV4 22 "guarded tcp/22 on srv is closed (control)"
expect_tcp ok "$c1" $SRV4 8000 "unguarded tcp/8000 next to a guard"
expect_udp ok "$c1" $SRV4 5353 "unguarded udp/5353 next to a guard"
expect_tcp ok "$c1" $SRV6 8000 "unguarded tcp/8000 over IPv6 next to a guard"
expect_tcp ok "$c1" $C24 22 "tcp/22 on c2 is not guarded by srv's guard"
check_eq "c2's namespace has no hooks" "$(ns_c2 knockctl status --json | jq -r .hooked)" false

finish
