#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two users knock at the same moment from two hosts and both get their own
# grant, each for their own service.
#
#     c1 (10.0.0.2): alice, tcp/22        c2 (10.0.0.3): bob, tcp/8000
#             \                           /
#              --------- hub br0 ---------
#                           |
#     srv (10.0.0.1): guards tcp/22, tcp/8000 (socat echo); alice may open
#                     tcp/22, bob tcp/8000
# nfknock-debug: skip, its kernel path (several users, hint probe) is
#   spa_many_users and spa_policy_change
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice bob
conf=$SPA/nfknock.conf
{
	spa_server
	spa_guard tcp/22 tcp/8000
	spa_user alice
	spa_user bob allow='["tcp/8000"]'
} > "$conf"
check "apply the config" ksrv apply "$conf"
tcp_echo "$srv" 22 8000

knock_connect "$c1" alice $SRV4 22 --open tcp/22 --for 30s > "$SPA/alice.out" 2>&1 &
a=$!
knock_connect "$c2" bob $SRV4 8000 --open tcp/8000 --for 30s > "$SPA/bob.out" 2>&1 &
b=$!
wait $a
wait $b
check_eq "alice: knock && connect from c1" "$(cat "$SPA/alice.out")" ok
check_eq "bob: knock && connect from c2" "$(cat "$SPA/bob.out")" ok
check_eq "grants: c1 tcp/22 by alice" "$(grants_of $C14)" "tcp/22 alice"
check_eq "grants: c2 tcp/8000 by bob" "$(grants_of $C24)" "tcp/8000 bob"
check_eq "2 knocks accepted" "$(counter knocks_accepted)" 2
expect_tcp timeout "$c1" $SRV4 8000 "alice's grant does not open bob's service"
expect_tcp timeout "$c2" $SRV4 22 "bob's grant does not open alice's service"
check_eq "users: each knocked once" \
	"$(ksrv users --json | jq -c '[.[] | {(.name): .knocks}] | add')" '{"alice":1,"bob":1}'

finish
