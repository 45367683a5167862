#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A one-shot grant (--once) lets exactly one connection in. The first SYN
# consumes it; retransmissions of that SYN (same source port) still pass
# for a few seconds; a SYN from another source port, and any later
# connection, is refused.
#
#     c1 (10.0.0.2): hand-made SYNs, then real connections
#          |
#      hub br0
#          |
#     srv (10.0.0.1): tcp/8000 echo, guarded
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000
check "guard add tcp/8000" ksrv guard add tcp/8000

syn() { ns_c1 $NETTOOL syn $C14 $SRV4 8000 --sport "$1" --timeout 2; }

check "grant c1 tcp/8000 --once" ksrv grant $C14 tcp/8000 --for 30s --once
check_eq "grants shows a one-shot" "$(ksrv grants --json | jq -c '[.[] | .once]')" "[true]"
check_eq "first SYN (sport 40000) answered" "$(syn 40000)" synack
# c1's kernel answered the SYN-ACK with a RST, so srv forgot the attempt;
# the same SYN again looks like a retransmission.
check_eq "same SYN again (retransmission) answered" "$(syn 40000)" synack
check_eq "SYN from another source port refused" "$(syn 40001)" timeout
expect_tcp timeout "$c1" $SRV4 8000 "real connection after the one-shot was used: refused"

check "grant c1 tcp/8000 --once again" ksrv grant $C14 tcp/8000 --for 30s --once
expect_tcp ok "$c1" $SRV4 8000 "one-shot: first connection"
expect_tcp timeout "$c1" $SRV4 8000 "one-shot: second connection refused"
expect_tcp timeout "$c2" $SRV4 8000 "c2 never had a grant"

check "plain grant replaces a used one-shot" ksrv grant $C14 tcp/8000 --for 30s
expect_tcp ok "$c1" $SRV4 8000 "plain grant: first connection"
expect_tcp ok "$c1" $SRV4 8000 "plain grant: second connection"

finish
