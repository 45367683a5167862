#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nfknock does not need connection tracking and must not switch it on:
# after configuring guards and grants and passing granted and refused
# traffic, nf_conntrack is not loaded (the module does not depend on it and
# the harness never loads it), or, if something else loaded it, srv's
# namespace tracks nothing. No nft/iptables here.
#
#     c1 (10.0.0.2) granted     c2 (10.0.0.3) refused
#            \                    /
#             ----- hub br0 ------
#                      |
#     srv (10.0.0.1): tcp/8000, udp/5353 echo, both guarded
# nfknock-debug: skip, it checks module dependencies, no kernel path of its own
source "$(dirname "$0")/lib.sh"

deps=$(modinfo -F depends "$NFKNOCK_KO")
echo "    nfknock.ko depends: $deps"
case ",$deps," in
*,nf_conntrack,*) fail "nfknock.ko depends on nf_conntrack" ;;
*) pass "nfknock.ko does not depend on nf_conntrack" ;;
esac

setup_net
tcp_echo "$srv" 8000
udp_echo "$srv" 5353
check "guard add tcp/8000" ksrv guard add tcp/8000
check "guard add udp/5353" ksrv guard add udp/5353
check "grant c1 tcp/8000" ksrv grant $C14 tcp/8000 --for 5m
check "grant c1 udp/5353" ksrv grant $C14 udp/5353 --for 5m
expect_tcp ok "$c1" $SRV4 8000
expect_udp ok "$c1" $SRV4 5353
expect_tcp timeout "$c2" $SRV6 8000
expect_tcp timeout "$c2" $SRV4 8000
expect_udp timeout "$c2" $SRV4 5353

if grep -q '^nf_conntrack ' /proc/modules; then
	echo "    nf_conntrack is loaded (by something else)"
	count=$(ns_srv cat /proc/sys/net/netfilter/nf_conntrack_count)
	check_eq "srv's namespace tracks no connections" "$count" 0
else
	pass "nf_conntrack is not loaded"
	check_not "no conntrack sysctl in srv" ns_srv test -e /proc/sys/net/netfilter/nf_conntrack_count
fi

finish
