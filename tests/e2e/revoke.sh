#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# revoke SRC SERVICE closes one service for one address; revoke SRC closes
# all of that address's grants; other addresses keep theirs; established TCP
# sessions are not cut (only new connections are gated).
#
#     c1 (10.0.0.2)       c2 (10.0.0.3)
#          \                 /
#           --- hub br0 -----
#                  |
#     srv (10.0.0.1): tcp/8000, udp/5353 echo, both guarded
# nfknock-debug: skip, its kernel path (DEL_GRANT by address and by
#   address and service) is load_unload, under traffic; sessions that
#   outlive their grant are expiry_tcp
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000
udp_echo "$srv" 5353
check "guard add tcp/8000" ksrv guard add tcp/8000
check "guard add udp/5353" ksrv guard add udp/5353
check "grant c1 tcp/8000" ksrv grant $C14 tcp/8000 --for 5m
check "grant c1 udp/5353" ksrv grant $C14 udp/5353 --for 5m
check "grant c2 tcp/8000" ksrv grant $C24 tcp/8000 --for 5m
expect_tcp ok "$c1" $SRV4 8000 "c1 tcp/8000 granted"

# A session that lives across the revocations.
ns_c1 $NETTOOL tcp-session $SRV4 8000 --rounds 8 --interval 0.5 > /tmp/nfk-session-$rnd 2>&1 &
session=$!
wait_grep /tmp/nfk-session-$rnd "round 0 ok"

check "revoke c1 tcp/8000" ksrv revoke $C14 tcp/8000
expect_tcp timeout "$c1" $SRV4 8000 "c1 tcp/8000 closed by revoke"
expect_udp ok "$c1" $SRV4 5353 "c1 udp/5353 still granted"
expect_tcp ok "$c2" $SRV4 8000 "c2 tcp/8000 still granted"

check "revoke c1 (every service)" ksrv revoke $C14
expect_udp timeout "$c1" $SRV4 5353 "c1 udp/5353 closed by revoke SRC"
check_eq "only c2's grant is left" \
	"$(ksrv grants --json | jq -r '[.[] | .address + " " + .service] | join(",")')" "$C24 tcp/8000"
check_not "revoking c1 again fails (nothing matched)" ksrv revoke $C14

wait $session
rc=$?
sed 's/^/    /' /tmp/nfk-session-$rnd
rm -f /tmp/nfk-session-$rnd
check_eq "established session survives revoke" "$rc" 0

check "revoke c2 tcp/8000" ksrv revoke $C24 tcp/8000
expect_tcp timeout "$c2" $SRV4 8000 "c2 tcp/8000 closed by revoke"
check_eq "grant table empty" "$(ksrv grants --json | jq length)" 0

finish
