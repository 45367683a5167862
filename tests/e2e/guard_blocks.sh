#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A guard closes a service to everyone without a grant: guarded TCP and UDP
# are unreachable (drop: the client times out). With guard-action reset the
# refusal is immediate: TCP gets a RST ("Connection refused"), UDP an ICMP
# port unreachable. Removing the guard opens the service again.
#
#     c1 (10.0.0.2, fd00::2)
#          |
#      hub br0
#          |
#     srv (10.0.0.1, fd00::1): tcp/8000, tcp/8001, udp/5353 echo
source "$(dirname "$0")/lib.sh"

setup_net
tcp_echo "$srv" 8000 8001
udp_echo "$srv" 5353

expect_tcp ok "$c1" $SRV4 8000 "tcp/8000 reachable before the guard"
expect_udp ok "$c1" $SRV4 5353 "udp/5353 reachable before the guard"

check "guard add tcp/8000" ksrv guard add tcp/8000
check "guard add udp/5353" ksrv guard add udp/5353
check_eq "guard list shows both" \
	"$(ksrv guard list --json | jq -r '[.[].service] | sort | join(" ")')" "tcp/8000 udp/5353"
check_not "adding the same guard twice fails" ksrv guard add tcp/8000

expect_tcp timeout "$c1" $SRV4 8000 "guarded tcp/8000 (drop): timeout"
expect_udp timeout "$c1" $SRV4 5353 "guarded udp/5353 (drop): no answer"
expect_tcp timeout "$c1" $SRV6 8000 "guarded tcp/8000 over IPv6 (drop): timeout"
expect_tcp ok "$c1" $SRV4 8001 "unguarded tcp/8001 still reachable"

check "set guard-action reset" ksrv set guard-action reset
check_eq "status shows reset" "$(ksrv status --json | jq -r .guard_action)" reset
# With a 1 s connect timeout: "refused" means the RST came back at once
# (a dropped SYN gives "timeout").
check_eq "guarded tcp/8000 (reset): connection refused within 1 s" \
	"$(tcp_probe "$c1" $SRV4 8000 1)" refused
expect_udp refused "$c1" $SRV4 5353 "guarded udp/5353 (reset): port unreachable"
expect_tcp refused "$c1" $SRV6 8000 "guarded tcp/8000 over IPv6 (reset): connection refused"
expect_udp refused "$c1" $SRV6 5353 "guarded udp/5353 over IPv6 (reset): port unreachable"

check "set guard-action drop" ksrv set guard-action drop
expect_tcp timeout "$c1" $SRV4 8000 "back to drop: timeout"

refused=$(ksrv status --json | jq -r .stats.refused)
if ((refused >= 8)); then pass "refused counter counts ($refused)"; else fail "refused counter is $refused, want >= 8"; fi

check "guard del tcp/8000" ksrv guard del tcp/8000
check "guard del udp/5353" ksrv guard del udp/5353
check_not "deleting a missing guard fails" ksrv guard del tcp/8000
expect_tcp ok "$c1" $SRV4 8000 "tcp/8000 reachable after guard del"
expect_udp ok "$c1" $SRV4 5353 "udp/5353 reachable after guard del"

finish
