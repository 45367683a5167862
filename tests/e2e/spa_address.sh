#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An explicit address. With require_address = false, c1 knocks with
# --address 10.0.0.3 and the grant is for c2 only (c2 gets in, c1 does not);
# a CLOSE knock (--close) removes it. With require_address = true (the
# default) the same knock is refused as unbound, and so is one without an
# address (--address observed), while a plain knock (--address auto: c1's
# own source) works and CLOSE removes the knocker's own grant.
#
#     c1 (10.0.0.2): alice knocks           c2 (10.0.0.3): uses the grant
#             \                              /
#              ----------- hub br0 ----------
#                             |
#     srv (10.0.0.1): guard tcp/22 (socat echo), user alice
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice
conf=$SPA/nfknock.conf
{
	spa_server
	spa_guard tcp/22
	spa_user alice require_address=false
} > "$conf"
check "apply with require_address = false" ksrv apply "$conf"
tcp_echo "$srv" 22
counted=$(knock_counters)

before=$counted
# 60 s: on the debug kernel under load the checks below take over 30 s.
check "c1 knocks for 10.0.0.3" knock "$c1" alice $SRV4 --open tcp/22 --for 60s --address $C24
expect_counted "knock with --address" "$before" accepted
check_eq "grants: 10.0.0.3 by alice" "$(grants_of $C24)" "tcp/22 alice"
check_eq "grants: nothing for 10.0.0.2" "$(grants_of $C14)" ""
expect_tcp ok "$c2" $SRV4 22 "c2 gets in with the grant c1 asked for"
expect_tcp timeout "$c1" $SRV4 22 "c1 (the knocker) stays out"

before=$counted
check "CLOSE knock for 10.0.0.3" knock "$c1" alice $SRV4 --close tcp/22 --address $C24
expect_counted "CLOSE knock" "$before" accepted
check_eq "grant removed by CLOSE" "$(ksrv grants --json | jq length)" 0
expect_tcp timeout "$c2" $SRV4 22 "c2 out again after CLOSE"

{
	spa_server
	spa_guard tcp/22
	spa_user alice
} > "$conf"
check "apply with require_address (the default)" ksrv apply "$conf"
counted=$(knock_counters)
before=$counted
check "c1 knocks for 10.0.0.3 again" knock "$c1" alice $SRV4 --open tcp/22 --for 30s --address $C24
expect_counted "--address of another host" "$before" unbound
check_eq "no grant for 10.0.0.3" "$(grants_of $C24)" ""
expect_tcp timeout "$c2" $SRV4 22 "c2 stays out"
before=$counted
check "c1 knocks with --address observed" knock "$c1" alice $SRV4 --open tcp/22 --address observed
expect_counted "no address" "$before" unbound
check_eq "no grant for 10.0.0.2" "$(grants_of $C14)" ""

before=$counted
check_eq "plain knock && connect still works" \
	"$(knock_connect "$c1" alice $SRV4 22 --open tcp/22 --for 30s)" ok
expect_counted "plain knock (--address auto)" "$before" accepted
before=$counted
check "CLOSE knock for c1's own grant" knock "$c1" alice $SRV4 --close tcp/22
expect_counted "CLOSE of own grant" "$before" accepted
check_eq "c1's grant removed" "$(grants_of $C14)" ""
expect_tcp timeout "$c1" $SRV4 22 "c1 out after CLOSE"

finish
