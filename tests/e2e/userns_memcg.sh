#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An unprivileged container cannot make the host pay for nfknock:
#   * a namespace owned by a non-initial user namespace (uid 65534 running
#     unshare -Urn) is "limited": at most 4096 grants and 1024 users,
#     refused past that with a message;
#   * everything nfknock allocates for it (users, hint index, grant table,
#     grants) is charged to the memory cgroup of the task that configured
#     it first, even when another task (here root, joining with nsenter)
#     sends the configuration;
#   * with that cgroup's memory.max just above what it uses, an apply that
#     needs more fails and the cgroup stays within its limit;
#   * a COMMIT refused for memory keeps the staged configuration, and the
#     same COMMIT retried once memory is back installs every user;
#   * the host's own namespace keeps guarding and granting meanwhile.
#
#     c1 (10.0.0.2) --- hub br0 --- srv (10.0.0.1): guard tcp/22, grant c1
#
#     cont: netns of a user namespace, its first task in cgroup nfk-RND
source "$(dirname "$0")/lib.sh"
require setpriv unshare

cgroot=/sys/fs/cgroup
if ! grep -q "^cgroup2 $cgroot " /proc/mounts; then
	mount -t cgroup2 none "$cgroot" || { echo "SKIP: no cgroup2"; exit $ksft_skip; }
fi
grep -qw memory "$cgroot/cgroup.controllers" ||
	{ echo "SKIP: no memory controller"; exit $ksft_skip; }
echo +memory > "$cgroot/cgroup.subtree_control"
cg=$cgroot/nfk-$rnd
mkdir "$cg" || exit 1

setup_net
spa_init
trap 'kill $(cat "$cg/cgroup.procs" 2> /dev/null) 2> /dev/null; sleep 0.5; spa_cleanup; rmdir "$cg" 2> /dev/null' EXIT
# What the container (uid 65534) writes: its own directory.
box=$SPA/cont
mkdir -m 777 "$box"
chmod 755 "$SPA"

# The container: joins the cgroup as root, then becomes uid 65534 in a
# new user and network namespace, configures once (so the namespace's
# cgroup is this one) and waits.
out=$SPA/cont.out
bash -c 'echo $BASHPID > "$1/cgroup.procs" && exec setpriv --reuid=65534 \
	--regid=65534 --clear-groups unshare -Urn bash -c "
		ip link set lo up
		knockctl status --json > $2/status
		knockctl set max-grants 4097 2>&1
		echo set-4097-exit=\$?
		knockctl set udp-idle 60s && touch $2/ready
		exec sleep 3600"' _ "$cg" "$box" > "$out" 2>&1 &
bg_pids+=($!)
for ((i = 0; i < 300; i++)); do [[ -e $box/ready ]] && break; sleep 0.1; done
sed 's/^/    /' "$out"
check "the container configured its namespace" test -e "$box/ready"
check_eq "status says the namespace is limited" "$(jq .limited "$box/status")" true
check "max-grants above 4096 refused" grep -q "set-4097-exit=1" "$out"
check "... with a message" grep -q "unprivileged user namespace" "$out"
# The container now only sleeps (a shell that forks would need memory,
# and at the tight limit below the cgroup's OOM killer would take it).
pid=$(head -n 1 "$cg/cgroup.procs")
cont() { nsenter --net="/proc/$pid/ns/net" "$@"; }
check "the container's shell is in the cgroup" grep -qx "0::/nfk-$rnd" "/proc/$pid/cgroup"

# users N FILE: a config with N users (keys nobody holds).
users() {
	{
		spa_server
		spa_guard tcp/22
		$SPA_TOOL pubkeys "$1" --raw 1 | awk '{
			printf "[[user]]\nname = \"u%d\"\npublic_key = \"%s\"\n", NR, $1
			printf "allow = [\"tcp/22\"]\nmax_duration = \"60s\"\n"
			printf "sources = [\"0.0.0.0/0\"]\n\n" }'
	} > "$2"
}
users 1025 "$SPA/u1025.conf"
users 1024 "$SPA/u1024.conf"
err=$(cont knockctl apply "$SPA/u1025.conf" 2>&1)
check_not "1025 users refused" test $? -eq 0
echo "    $err"
check "... naming the limit" grep -q "1024" <<< "$err"

before=$(cat "$cg/memory.current")
check "1024 users applied (by root, from outside the cgroup)" cont knockctl apply "$SPA/u1024.conf"
check "max-grants 1000" cont knockctl set max-grants 1000
fill=$(cont $PY "$E2E/rawgenl.py" fill-grants 1001)
echo "    $fill"
check "grant 1001 refused, the table is full" grep -q "^filled 1000 of 1001; refused: .*table full" <<< "$fill"
after=$(cat "$cg/memory.current")
delta=$(((after - before) / 1024))
echo "    cgroup memory: $((before / 1024)) KiB before, $((after / 1024)) KiB after"
check "users and grants charged to the container's cgroup (+$delta KiB >= 1024 KiB)" \
	test "$delta" -ge 1024

# Tight limit: release what was there, allow 512 KiB more, apply again.
check "flush the container's namespace" cont knockctl flush
# The users and the hint index go in RCU callbacks and deferred vfree work,
# which a busy guest can take seconds to run: wait until the cgroup is back
# near where it started, or the tight limit below would be measured from a
# base that still holds them.
for ((t = 0; t < 300; t++)); do
	(($(cat "$cg/memory.current") < before + 512 * 1024)) && break
	sleep 0.1
done
base=$(cat "$cg/memory.current")
echo "    cgroup memory after the flush: $((base / 1024)) KiB"
check "the flush gave the memory back (within 512 KiB of the start)" \
	test "$base" -lt $((before + 512 * 1024))
echo $((base + 512 * 1024)) > "$cg/memory.max"
cont knockctl apply "$SPA/u1024.conf" > "$SPA/tight.out" 2>&1
rc=$?
sed 's/^/    /' "$SPA/tight.out"
check_not "apply of 1024 users fails within 512 KiB" test $rc -eq 0
peak=$(cat "$cg/memory.current")
check "the cgroup stayed within memory.max ($((peak / 1024)) KiB)" \
	test "$peak" -le "$(cat "$cg/memory.max")"
echo max > "$cg/memory.max"

# A COMMIT refused for memory keeps what was staged: committed again on the
# same socket once memory is back, it installs every user (it once
# installed none).
out=$(cont $PY "$E2E/rawgenl.py" txn-retry 1024 "$cg")
rc=$?
sed 's/^/    /' <<< "$out"
check "a COMMIT that failed for memory, retried, installs all 1024 users" test $rc -eq 0
check_eq "knockctl sees them" "$(cont knockctl status --json | jq .users_count)" 1024

# The host's namespace works all along.
check "host: guard tcp/22" ksrv guard add tcp/22
check "host: grant c1" ksrv grant $C14 tcp/22 --for 60s
tcp_echo "$srv" 22
expect_tcp ok "$c1" $SRV4 22 "host: c1 granted"
expect_tcp timeout "$c2" $SRV4 22 "host: c2 guarded"

finish
