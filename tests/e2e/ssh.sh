#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real OpenSSH server on a guarded port: before the grant the client times
# out, after it the client logs in and runs a command. A session that was
# established before the guard was added is not cut by it.
#
#     c1 (10.0.0.2): ssh client (key in /tmp)
#          |
#      hub br0
#          |
#     srv (10.0.0.1): sshd -D on tcp/22 (host key, config in /tmp)
# nfknock-debug: skip, its kernel path (guard, grant, TCP session) is
#   guard_blocks, spa_open and expiry_tcp; sshd is what it adds
source "$(dirname "$0")/lib.sh"
require /usr/sbin/sshd ssh ssh-keygen

setup_net
sshd_srv
d=$SSHD

# Only stdout counts: the host's root dotfiles may print to stderr.
check_eq "ssh works before the guard" "$(sshc echo ok 2>"$d/err")" ok
sed 's/^/    /' "$d/err"

# An operator's session that is up when the guard is added.
sshc 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 1; done' > "$d/session.out" 2> "$d/session.err" &
session=$!
wait_grep "$d/session.out" "tick 1" || sed 's/^/    /' "$d/session.err"

check "guard add tcp/22" ksrv guard add tcp/22
out=$(ssh_timeout=3 sshc echo ok 2>&1)
rc=$?
echo "    $out"
if ((rc != 0)) && [[ $out == *"timed out"* ]]; then
	pass "ssh times out while guarded"
else
	fail "ssh while guarded: exit $rc, '$out'"
fi

wait $session
sed 's/^/    /' "$d/session.out"
check_eq "established session survives the new guard" "$(tail -n 1 "$d/session.out")" "tick 6"

check "grant c1 tcp/22" ksrv grant $C14 tcp/22 --for 60s
check_eq "ssh logs in after the grant" "$(sshc echo ok 2>"$d/err")" ok
sed 's/^/    /' "$d/err"

finish
