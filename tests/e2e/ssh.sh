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
#   guard_blocks, grant_one_address and expiry_tcp; sshd is what it adds
source "$(dirname "$0")/lib.sh"
require /usr/sbin/sshd ssh ssh-keygen

d=/tmp/nfk-ssh-$rnd
mkdir -p "$d" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$d/id" || exit 1
cp "$d/id.pub" "$d/authorized_keys"
cat > "$d/sshd_config" <<CONF
Port 22
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CONF

cleanup_ssh() { cleanup; rm -rf "$d"; }
trap cleanup_ssh EXIT

setup_net
ns_srv /usr/sbin/sshd -D -e -f "$d/sshd_config" > "$d/sshd.log" 2>&1 &
bg_pids+=($!)
wait_listen "$srv" tcp 22 || { cat "$d/sshd.log"; exit 1; }

# sshc CMD: ssh from c1 as root. ConnectTimeout covers the TCP handshake and
# sshd's banner, which comes from a freshly exec'd sshd: over 3 s on the
# debug kernel when the host is busy (a session once never started). So
# 30 s, and 3 s only where a timeout is the expected outcome.
# -F /dev/null: ignore the host's ~/.ssh/config; known_hosts is never written.
sshc() {
	ns_c1 ssh -F /dev/null -i "$d/id" -o ConnectTimeout="${ssh_timeout:-30}" \
		-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR root@$SRV4 "$@"
}

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
