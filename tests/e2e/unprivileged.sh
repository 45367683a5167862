#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Without CAP_NET_ADMIN (uid 65534, no capabilities) every command that
# talks to the module fails with "knockctl: permission denied: needs
# CAP_NET_ADMIN", exit 3, and changes nothing: the mutating ones, listing
# grants, and also status and guard list (they would show a local user the
# ports the module hides).
#
#     c1 (10.0.0.2)
#          |
#      hub br0
#          |
#     srv (10.0.0.1): tcp/22 guarded, a grant for c1; knockctl run here as
#                     root and as nobody
source "$(dirname "$0")/lib.sh"
require setpriv

setup_net
check "guard add tcp/22" ksrv guard add tcp/22
check "grant c1 tcp/22" ksrv grant $C14 tcp/22 --for 5m

nobody() {
	in_ns "$srv" setpriv --reuid=65534 --regid=65534 --clear-groups \
		knockctl "$@"
}
# Grants' remaining time changes by itself: compare without it.
snapshot() {
	ksrv status --json | jq -S -c .
	ksrv guard list --json | jq -S -c .
	ksrv grants --json | jq -S -c 'map(del(.expires_ms))'
}

before=$(snapshot)
echo "$before" | sed 's/^/    /'

want="knockctl: permission denied: needs CAP_NET_ADMIN"
while read -r cmd; do
	err=$(nobody $cmd 2>&1 > /dev/null)
	rc=$?
	check_eq "nobody: knockctl $cmd: exit 3" "$rc" 3
	check_eq "nobody: knockctl $cmd: message" "$err" "$want"
done <<'CMDS'
guard add tcp/23
guard del tcp/22
set guard-action reset
set udp-idle 5s
set max-grants 10
grant 10.0.0.3 tcp/22 --for 30s
revoke 10.0.0.2
revoke 10.0.0.2 tcp/22
flush
grants
grants --json
status
status --json
guard list
guard list --json
users
knock-ports
CMDS

check_eq "state unchanged" "$(snapshot)" "$before"

finish
