#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load, configure, flush and unload the module while traffic flows, a few
# times over: every step must work, an established TCP session must never
# notice, and the kernel log must stay clean (the harness checks dmesg).
# Finally, deleting a namespace that still guards services must release the
# module (pernet exit drops the reference), so rmmod works without a flush.
#
#     c1 (10.0.0.2): granted UDP flood + TCP session   c2: refused UDP flood
#            \                                          /
#             ------------------ hub br0 ---------------
#                                   |
#     srv (10.0.0.1): tcp/8000, udp/5353 echo, both guarded
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000
udp_echo "$srv" 5353

# Three rounds; two on the debug kernel, where a round takes over a minute
# and the second already unloads a module that was loaded under traffic.
rounds=3
debug_kernel && rounds=2
for ((round = 1; round <= rounds; round++)); do
	echo "--- round $round"
	check "round $round: insmod" module_load
	check "round $round: guard add tcp/8000" ksrv guard add tcp/8000
	check "round $round: guard add udp/5353" ksrv guard add udp/5353
	check "round $round: grant c1 tcp/8000" ksrv grant $C14 tcp/8000 --for 1m
	check "round $round: grant c1 udp/5353" ksrv grant $C14 udp/5353 --for 1m

	log=/tmp/nfk-lu-$rnd
	ns_c1 $NETTOOL tcp-session $SRV4 8000 --rounds 14 --interval 0.4 > $log.session 2>&1 &
	session=$!
	ns_c1 $NETTOOL udp-flood $SRV4 5353 --seconds 5 > $log.f1 2>&1 &
	f1=$!
	ns_c2 $NETTOOL udp-flood $SRV4 5353 --seconds 5 > $log.f2 2>&1 &
	f2=$!
	wait_grep $log.session "round 0 ok"

	# Control-plane churn under traffic, then pull the module out from
	# under it and put it back.
	# Revocation by address and by address and service, both under
	# traffic (the debug kernel leaves the revoke scenario to these).
	for i in 1 2 3 4 5; do
		ksrv grant $C24 tcp/8000 --for 1s > /dev/null
		if ((i % 2)); then
			ksrv revoke $C24 > /dev/null
		else
			ksrv revoke $C24 tcp/8000 > /dev/null
		fi
	done
	check "round $round: flush under traffic" ksrv flush
	check "round $round: rmmod under traffic" rmmod nfknock
	check "round $round: insmod under traffic" module_load
	check "round $round: guard again under traffic" ksrv guard add udp/5353

	wait $f1 $f2
	wait $session
	rc=$?
	cat $log.f1 $log.f2 | sed 's/^/    /'
	tail -n 1 $log.session | sed 's/^/    /'
	check_eq "round $round: established TCP session unaffected" "$rc" 0
	rm -f $log.*
	check "round $round: flush" ksrv flush
	check "round $round: rmmod" rmmod nfknock
done

# A guarded namespace that goes away must not pin the module.
check "insmod" module_load
tmpns=nfk-tmp-$rnd
add_ns "$tmpns"
check "guard in a throwaway namespace" in_ns "$tmpns" knockctl guard add tcp/22
check "grant there too" in_ns "$tmpns" knockctl grant 10.9.9.9 tcp/22 --for 1m
check_not "rmmod refused while it guards" rmmod nfknock
ip netns del "$tmpns"
unloaded=no
for ((i = 0; i < 40; i++)); do	# netns teardown runs in a workqueue
	rmmod nfknock 2> /dev/null && { unloaded=yes; break; }
	sleep 0.25
done
check_eq "deleting the guarded namespace releases the module" "$unloaded" yes

finish
