#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `knockctl apply` is all or nothing: a file with one error (a bad service in
# the third user, a bad public key, a missing private key file) exits
# non-zero naming FILE:LINE, and status, users, guards and knock ports are
# exactly as before. A valid file then applies. Without CAP_NET_ADMIN
# (uid 65534) apply exits 3, "permission denied".
#
#     srv (10.0.0.1): knockctl check/apply as root and as nobody
#     (c1, c2 unused)
# nfknock-debug: skip, knockctl refuses these files before the kernel; the
#   apply and permission paths are spa_open and unprivileged
source "$(dirname "$0")/lib.sh"
require setpriv

setup_net
spa_init
spa_key alice bob carol
good=$SPA/good.conf
{
	spa_server
	spa_guard tcp/22
	spa_user alice
	spa_user bob
} > "$good"
check "apply a valid config (alice, bob, guard tcp/22)" ksrv apply "$good"

snapshot() {
	ksrv status --json | jq -S -c .
	ksrv users --json | jq -S -c .
	ksrv guard list --json | jq -S -c .
	ksrv knock-ports --json | jq -S -c .
}
before=$(snapshot)
sed 's/^/    /' <<< "$before"

# bad_apply DESC FILE [LINE]: check and apply both fail, naming FILE[:LINE];
# the state is unchanged.
bad_apply() {
	local desc=$1 file=$2 line=${3:-} cmd err rc
	for cmd in check apply; do
		err=$(ksrv $cmd "$file" 2>&1 > /dev/null)
		rc=$?
		echo "    $cmd: exit $rc: $err"
		if ((rc != 0)); then pass "$desc: $cmd fails"; else fail "$desc: $cmd succeeded"; fi
		# The path as given or its base name, then :LINE.
		if [[ $err == *"$(basename "$file")${line:+:$line}"* ]]; then
			pass "$desc: $cmd names $(basename "$file")${line:+:$line}"
		else
			fail "$desc: $cmd error does not name $(basename "$file")${line:+:$line}"
		fi
	done
	check_eq "$desc: state unchanged" "$(snapshot)" "$before"
}

# The bad files also change the knock port and the guard, so that anything
# applied from them would show.
bad=$SPA/bad-service.conf
{
	SPA_PORT=62300 spa_server
	spa_guard tcp/8000
	spa_user alice
	spa_user bob
	spa_user carol allow='["tcp/99999"]'
} > "$bad"
bad_apply "bad service in the 3rd user" "$bad" "$(grep -n 'tcp/99999' "$bad" | cut -d: -f1)"

bad=$SPA/bad-key.conf
{
	SPA_PORT=62300 spa_server
	spa_guard tcp/8000
	spa_user alice
	spa_user bob
	spa_user carol
} | sed 's|^public_key = "'"$(spa_pub carol)"'"|public_key = "not-a-key"|' > "$bad"
bad_apply "bad public key in the 3rd user" "$bad" "$(grep -n 'not-a-key' "$bad" | cut -d: -f1)"

bad=$SPA/no-server-key.conf
{
	SPA_PORT=62300 spa_server
	spa_guard tcp/8000
	spa_user alice
} | sed "s|$SPA/server.key|$SPA/missing.key|" > "$bad"
bad_apply "missing private key file" "$bad" "$(grep -n '^private_key_file' "$bad" | cut -d: -f1)"

new=$SPA/new.conf
{
	spa_server
	spa_guard tcp/8000
	spa_user alice
	spa_user bob
	spa_user carol allow='["tcp/8000"]'
} > "$new"
check "apply a valid config (3 users, guard tcp/8000)" ksrv apply "$new"
check_eq "users: alice, bob, carol" "$(ksrv users --json | jq -r '[.[].name] | sort | join(",")')" "alice,bob,carol"
check_eq "guards: tcp/8000" "$(ksrv guard list --json | jq -r '[.[].service] | join(",")')" "tcp/8000"

# As nobody: the key file must be readable, so that only the kernel's
# permission check can refuse.
cp "$SPA/server.key" "$SPA/nobody.key"
chown 65534:65534 "$SPA/nobody.key"
sed "s|$SPA/server.key|$SPA/nobody.key|" "$good" > "$SPA/nobody.conf"
chmod 644 "$SPA/nobody.conf"
after=$(snapshot)
err=$(in_ns "$srv" setpriv --reuid=65534 --regid=65534 --clear-groups \
	knockctl apply "$SPA/nobody.conf" 2>&1 > /dev/null)
rc=$?
echo "    $err"
check_eq "nobody: apply exits 3" "$rc" 3
check_eq "nobody: permission denied" "$err" "knockctl: permission denied: needs CAP_NET_ADMIN"
check_eq "nobody: state unchanged" "$(snapshot)" "$after"

finish
