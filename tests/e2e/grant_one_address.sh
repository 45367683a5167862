#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A grant opens one service for one source address: c1 gets in, c2 stays
# out, and a grant for one port of a guarded range opens only that port.
#
#     c1 (10.0.0.2) granted     c2 (10.0.0.3) not granted
#            \                    /
#             ----- hub br0 ------
#                      |
#     srv (10.0.0.1): guards tcp/8000-8100 and udp/5353;
#                     echo on tcp/8000, tcp/8050, udp/5353
# nfknock-debug: skip, its kernel path (admin grants, a guarded range, the
#   per-address lookup) is load_unload, netns_churn (tcp/2000-2009) and
#   spa_open (the knocker in, another address out)
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000 8050
udp_echo "$srv" 5353

check "guard add tcp/8000-8100" ksrv guard add tcp/8000-8100
check "guard add udp/5353" ksrv guard add udp/5353
expect_tcp timeout "$c1" $SRV4 8000 "c1 blocked before the grant"

check "grant c1 tcp/8000" ksrv grant $C14 tcp/8000 --for 60s
check "grant c1 udp/5353" ksrv grant $C14 udp/5353 --for 60s
check_eq "grants lists both for c1" \
	"$(ksrv grants --json | jq -r '[.[] | .address + " " + .service] | sort | join(",")')" \
	"$C14 tcp/8000,$C14 udp/5353"

expect_tcp ok "$c1" $SRV4 8000 "c1 reaches granted tcp/8000"
expect_tcp ok "$c1" $SRV4 8000 "c1 reaches granted tcp/8000 again (not one-shot)"
expect_udp ok "$c1" $SRV4 5353 "c1 reaches granted udp/5353"
expect_tcp timeout "$c1" $SRV4 8050 "c1 blocked on tcp/8050 (same guard range, not granted)"
expect_tcp timeout "$c2" $SRV4 8000 "c2 blocked on tcp/8000"
expect_udp timeout "$c2" $SRV4 5353 "c2 blocked on udp/5353"

passed=$(ksrv status --json | jq -r .stats.passed_grant)
if ((passed >= 3)); then pass "passed_grant counter counts ($passed)"; else fail "passed_grant is $passed, want >= 3"; fi

finish
