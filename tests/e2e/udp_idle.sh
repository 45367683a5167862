#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A UDP grant stays open while the flow is live and closes when it idles:
# with udp-idle 2s and a 2 s grant, datagrams every 0.5 s for 5 s are all
# answered (each one pushes the expiry forward); after 4 s of silence the
# next datagram is refused.
#
#     c1 (10.0.0.2): UDP client, one datagram every 0.5 s
#          |
#      hub br0
#          |
#     srv (10.0.0.1): udp/5353 echo, guarded
# nfknock-debug: skip, its kernel path (a UDP grant pushed forward by its
#   flow, an expired grant refused) is load_unload (a granted UDP flood)
#   and expiry_tcp
source "$(dirname "$0")/lib.sh"

setup_net
udp_echo "$srv" 5353
check "guard add udp/5353" ksrv guard add udp/5353
check "set udp-idle 2s" ksrv set udp-idle 2s
check_eq "status shows udp_idle_ms 2000" "$(ksrv status --json | jq .udp_idle_ms)" 2000

# The client's interpreter starts first and waits for $go; the 2 s grant is
# given only once it says so (start-up takes a second on Debian's kernels
# under TCG, over ten on the debug kernel when the host is busy).
go=/tmp/nfk-go-$rnd
log=/tmp/nfk-udp-$rnd
ns_c1 $NETTOOL udp $SRV4 5353 --count 11 --interval 0.5 --timeout 1 \
	--start-file "$go" > "$log" 2>&1 &
client=$!
check "client's interpreter is up" wait_grep "$log" "^waiting for $go"
check "grant c1 udp/5353 --for 2s" ksrv grant $C14 udp/5353 --for 2s
touch "$go"
wait $client
rc=$?
sed 's/^/    /' "$log"
rm -f "$go" "$log"
check_eq "11 datagrams over 5 s, all answered (grant was 2 s)" "$rc" 0

sleep 4
expect_udp timeout "$c1" $SRV4 5353 "after 4 s idle: refused"
check_eq "grant gone from the table" "$(ksrv grants --json | jq length)" 0

finish
