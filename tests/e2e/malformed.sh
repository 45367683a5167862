#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed control requests are refused with an error and an extack message
# and change nothing. rawgenl.py builds the generic netlink messages by hand
# (out-of-range ports and protocols, unknown flags and attributes, missing
# attributes, wrong lengths, unknown commands); knockctl's own argument
# checks give usage errors (exit 2) before anything reaches the kernel.
#
#     srv: one guard (tcp/22) and one grant; the requests are sent here
source "$(dirname "$0")/lib.sh"

setup_net
check "guard add tcp/22" ksrv guard add tcp/22
check "grant c1 tcp/22" ksrv grant $C14 tcp/22 --for 5m

# Grants' remaining time changes by itself: compare without it.
snapshot() {
	ksrv status --json | jq -S -c .
	ksrv guard list --json | jq -S -c .
	ksrv grants --json | jq -S -c 'map(del(.expires_ms))'
}
before=$(snapshot)

out=$(ns_srv $PY "$E2E/rawgenl.py" "$REPO/include/uapi/linux/nfknock.h" 2>&1)
rc=$?
echo "$out"
checks=$((checks + $(grep -c '^PASS: \|^FAIL: ' <<< "$out")))
failures=$((failures + $(grep -c '^FAIL: ' <<< "$out")))
check_eq "rawgenl.py exit status" "$rc" 0

check_eq "state unchanged by the raw requests" "$(snapshot)" "$before"

usage() {	# usage WANT_MESSAGE ARGS...: exit 2 and (if given) that message
	local want=$1 err rc
	shift
	err=$(ksrv "$@" 2>&1 > /dev/null)
	rc=$?
	check_eq "knockctl $*: exit 2" "$rc" 2
	[[ -n $want ]] && check_eq "knockctl $*: message" "$err" "$want"
	[[ -z $want ]] && echo "    $err"
}
usage "knockctl: tcp/70000: port out of range" guard add tcp/70000
usage "" guard add tcp/0
usage "" guard add sctp/22
usage "" guard add tcp/100-50
usage "" grant 10.0.0.300 tcp/22 --for 30s
usage "" grant $C14 tcp/22 --for 8d
usage "" grant $C14 tcp/22 --for soon
usage "" set guard-action maybe
usage "" frobnicate

check_eq "state unchanged by knockctl's refusals" "$(snapshot)" "$before"

finish
