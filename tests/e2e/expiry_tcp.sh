#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A TCP grant only gates new connections: a session opened while the grant
# was live keeps exchanging data both ways after the grant expired, while a
# new connection after expiry is refused.
#
#     c1 (10.0.0.2): one long-lived session + new connections
#          |
#      hub br0
#          |
#     srv (10.0.0.1): tcp/8000 echo, guarded; grant for c1 --for 8s
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000
check "guard add tcp/8000" ksrv guard add tcp/8000

# The session's interpreter starts first and waits for $go; the grant is
# given only once it says so, so the grant's 8 s are not eaten by start-up
# (a process start takes over ten seconds on the debug kernel when the host
# is busy). Its connect is the new connection made while the grant is
# live. 26 rounds every 0.5 s: it runs from just after the grant to at
# least 5 s past its expiry.
go=/tmp/nfk-go-$rnd
log=/tmp/nfk-session-$rnd
in_ns "$c1" $NETTOOL tcp-session $SRV4 8000 --rounds 26 \
	--interval 0.5 --start-file "$go" > "$log" 2>&1 &
session=$!
check "session's interpreter is up" wait_grep "$log" "^waiting for $go"

check "grant c1 tcp/8000 --for 8s" ksrv grant $C14 tcp/8000 --for 8s
granted=$(date +%s%N)
touch "$go"
wait_grep "$log" "^connect"
check_eq "new connection while the grant is live" "$(grep -m1 '^connect' "$log")" connected

# Wait until one second past expiry.
left=$(((granted + 9000000000 - $(date +%s%N)) / 1000000))
((left > 0)) && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
check_eq "grant gone from the table after expiry" "$(ksrv grants --json | jq length)" 0
expect_tcp timeout "$c1" $SRV4 8000 "new connection after expiry is refused"

wait $session
rc=$?
sed 's/^/    /' "$log"
rm -f "$go" "$log"
check_eq "session opened in the grant still flows after expiry" "$rc" 0

finish
