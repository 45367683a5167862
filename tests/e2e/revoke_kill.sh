#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# revoke --kill closes the grant and also ends the matching established TCP
# sessions on the server (sock_diag SOCK_DESTROY, as `ss -K` does): the
# client's live session breaks, while another address's session to the same
# port and the same address's session to another port keep working.
#
#     c1 (10.0.0.2)       c2 (10.0.0.3)
#          \                 /
#           --- hub br0 -----
#                  |
#     srv (10.0.0.1): tcp/8000 and tcp/8001 echo, both guarded
# nfknock-debug: skip, its kernel path (DEL_GRANT) is revoke; the session kill
#   is the kernel's own sock_diag
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000 8001
check "guard add tcp/8000" ksrv guard add tcp/8000
check "guard add tcp/8001" ksrv guard add tcp/8001
check "grant c1 tcp/8000" ksrv grant $C14 tcp/8000 --for 5m
check "grant c1 tcp/8001" ksrv grant $C14 tcp/8001 --for 5m
check "grant c2 tcp/8000" ksrv grant $C24 tcp/8000 --for 5m

# Three long sessions: c1 → 8000 (must be cut), c1 → 8001 and c2 → 8000
# (must survive). 30 rounds of 0.5 s outlast the revoke by far.
sess() {	# sess NAME NS PORT
	in_ns "$2" $NETTOOL tcp-session $SRV4 "$3" --rounds 30 --interval 0.5 \
		> /tmp/nfk-$1-$rnd 2>&1
}
sess c1a "$c1" 8000 & s_c1a=$!
sess c1b "$c1" 8001 & s_c1b=$!
sess c2 "$c2" 8000 & s_c2=$!
for s in c1a c1b c2; do wait_grep /tmp/nfk-$s-$rnd "round 1 ok"; done
check_eq "three established sessions on the server" \
	"$(in_ns "$srv" ss -Htn state established '( sport = :8000 or sport = :8001 )' | wc -l)" 3

out=$(ksrv revoke $C14 tcp/8000 --kill)
check_eq "revoke --kill exits 0" "$?" 0
check_eq "revoke --kill says what it ended" "$out" "ended 1 TCP session from $C14 to tcp/8000"

wait $s_c1a; rc_c1a=$?
wait $s_c1b; rc_c1b=$?
wait $s_c2; rc_c2=$?
for s in c1a c1b c2; do sed "s/^/    $s: /" /tmp/nfk-$s-$rnd; rm -f /tmp/nfk-$s-$rnd; done
check_not "c1's session to tcp/8000 was ended" test "$rc_c1a" = 0
check_eq "c1's session to tcp/8001 survived" "$rc_c1b" 0
check_eq "c2's session to tcp/8000 survived" "$rc_c2" 0
expect_tcp timeout "$c1" $SRV4 8000 "c1 tcp/8000 closed for new connections"
expect_tcp ok "$c2" $SRV4 8000 "c2 tcp/8000 still granted"

# Without a grant left, --kill still ends sessions; with none, it says 0.
out=$(ksrv revoke $C14 tcp/8000 --kill)
check_eq "revoke --kill with nothing left" "$out" "ended 0 TCP sessions from $C14 to tcp/8000"

finish
