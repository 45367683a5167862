#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# While a namespace guards a service the module cannot be removed (rmmod
# says it is in use, instead of silently exposing the service). flush
# removes every guard and grant, restores default parameters, unregisters
# the hooks, opens everything and lets rmmod succeed.
#
#     c1 (10.0.0.2) granted     c2 (10.0.0.3) not granted
#            \                    /
#             ----- hub br0 ------
#                      |
#     srv (10.0.0.1): tcp/8000, udp/5353 echo, both guarded
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000
udp_echo "$srv" 5353
check "guard add tcp/8000" ksrv guard add tcp/8000
check "guard add udp/5353" ksrv guard add udp/5353
check "grant c1 tcp/8000" ksrv grant $C14 tcp/8000 --for 5m
check "set guard-action reset" ksrv set guard-action reset
check "set udp-idle 7s" ksrv set udp-idle 7s
expect_tcp refused "$c2" $SRV4 8000 "c2 refused before flush"

check_not "rmmod nfknock fails while srv guards services" rmmod nfknock
check "module still loaded" module_loaded

check "flush" ksrv flush
st=$(ksrv status --json)
check_eq "after flush: no hooks" "$(jq -r .hooked <<< "$st")" false
check_eq "after flush: no guards" "$(jq -r .guards_count <<< "$st")" 0
check_eq "after flush: no grants" "$(jq -r .grants_count <<< "$st")" 0
check_eq "after flush: guard action back to the default, reset" "$(jq -r .guard_action <<< "$st")" reset
check_eq "after flush: udp idle back to 60 s" "$(jq -r .udp_idle_ms <<< "$st")" 60000
check_eq "after flush: guard list empty" "$(ksrv guard list --json | jq length)" 0
expect_tcp ok "$c2" $SRV4 8000 "c2 reaches tcp/8000 after flush"
expect_udp ok "$c2" $SRV4 5353 "c2 reaches udp/5353 after flush"
check "flush of an empty namespace succeeds" ksrv flush

check "rmmod nfknock succeeds after flush" rmmod nfknock
check_not "module gone" module_loaded
check "status without the module: exit 3" bash -c "ip netns exec $srv knockctl status; [[ \$? == 3 ]]"
check "insmod again" module_load

# Defaults after a reload, too: a new guard resets, as an unused port
# answers (no leftover "drop" from setup_net).
check "guard add tcp/8000 after reload" ksrv guard add tcp/8000
expect_tcp refused "$c2" $SRV4 8000 "fresh module resets by default"
check "flush" ksrv flush

finish
