#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespace teardown under traffic: NFKNOCK_CHURN_CYCLES times (default 200
# on the debug kernel, where KASAN, lockdep and kmemleak watch, 25 on
# Debian's kernels, where only a crash would show), create a server namespace, configure guards, a knock port and
# users, let a second namespace send at full rate (guarded SYNs, real knocks
# that open grants and start the grant collector, random knocks, guarded
# UDP), and delete the namespace while the packets still arrive; every
# fifth cycle also flushes and re-applies under the same traffic. The
# kernel must free everything only after the last hook ran: on the debug
# kernel, KASAN, lockdep, RCU and kmemleak reports fail the run (the
# harness checks dmesg and runs a kmemleak scan at the end).
#
#     cl (10.9.0.2 on br0): flood.py, never deleted
#         br0 - vN
#                |  veth, made anew each cycle
#               eth0
#     sN (10.9.0.1): tcp/22, tcp/2000-2009, udp/53 guarded; knock port
#                    udp/62201; users alice and bob; deleted mid-traffic
# nfknock-timeout-factor: 3
source "$(dirname "$0")/lib.sh"

# The debug kernel is the one with kmemleak (the runner mounts debugfs).
default_cycles=25
[[ -e /sys/kernel/debug/kmemleak ]] && default_cycles=200
cycles=${NFKNOCK_CHURN_CYCLES:-$default_cycles}
# A hook can run on one CPU while the namespace is torn down on another
# only with two: the debug guest has two (tests/vm/run).
echo "cycles: $cycles, CPUs: $(nproc)"
spa_init
spa_key alice bob
cl=nfk-cl-$rnd
add_ns "$cl"
conf=$SPA/nfknock.conf
{
	spa_server pass 600s
	spa_guard tcp/22 tcp/2000-2009 udp/53
	spa_user alice 'allow=["tcp/22", "tcp/2000-2009"]'
	spa_user bob
} > "$conf"
check "the config is valid" knockctl check "$conf"

# Real knocks, captured on cl's loopback (port 9999 is no knock port
# there): each opens a grant in every fresh server namespace, once. They
# name cl's address on br0, where flood.py sends them from (binding).
# Timestamps age (the skew is 10 min): fresh ones every 40 cycles.
knocks=$SPA/knocks
in_ns "$cl" $SPA_TOOL capture 9999 "$knocks" &
bg_pids+=($!)
wait_listen "$cl" udp 9999 || exit 1
captured=0
fresh_knocks() {
	local p
	for p in 2000 2001 2002 2003 2004 2005; do
		in_ns "$cl" knockctl knock 127.0.0.1 --port udp/9999 --open tcp/$p \
			--for 600s --address 10.9.0.2 --server-key "$(spa_pub server)" \
			--key "$SPA/alice.key" || return 1
	done
	captured=$((captured + 6))
	for ((t = 0; t < 300; t++)); do
		(($(wc -l < "$knocks") >= captured)) && return 0
		sleep 0.1
	done
	return 1
}
check "six knocks captured" fresh_knocks

# cl's end of each veth joins a bridge that holds cl's address: a cycle
# is two ip runs (namespaces and veth; the server's address), a knockctl
# apply and a pause.
# ageing_time 0: the bridge learns nothing and floods every frame to every
# port, so the newest namespace gets the traffic at once (all servers
# share one MAC) and one still being torn down keeps getting it.
# A permanent neighbour entry for the servers' address and MAC: cl never
# has to resolve it again, so a cycle's gap (no server answers ARP while one
# namespace goes and the next comes) cannot leave the flood without a route
# for seconds (a sample once saw no packet at all for 15 s on a busy host).
printf '%s\n' "link add br0 type bridge ageing_time 0" "addr add 10.9.0.2/24 dev br0" "link set br0 up" \
	"neigh replace 10.9.0.1 lladdr 02:00:00:00:09:01 dev br0 nud permanent" |
	ip -n "$cl" -batch - || exit 1
bridx=$(ip -n "$cl" -o link show br0 | cut -d: -f1)
[[ $bridx =~ ^[0-9]+$ ]] || { echo "no index for br0 in cl"; exit 1; }

stop=$SPA/stop
# Niced: the cycle's commands get the CPU first, the flood takes the rest.
# Bounded by the stop file and by 40 s a cycle: a cycle takes about 18 s
# on the debug guest under the flood (100 cycles: 1,806 s on 2026-12-02),
# and a bound of 10 s a cycle ended the flood before the last sample,
# which then saw no packet (flood.py's own 900 s default did the same
# before that).
in_ns "$cl" nice -n 19 $PY "$E2E/flood.py" 10.9.0.1 10.9.0.2 --knocks "$knocks" \
	--stop "$stop" --seconds $((cycles * 40 + 60)) --max $((cycles * 50000)) \
	> "$SPA/flood.out" 2>&1 &
flood=$!

seen_accept=0 seen_guard=0 sampled=0 ok=0 prev=
for ((i = 1; i <= cycles; i++)); do
	s=nfk-s$i-$rnd
	namespaces+=("$s")	# cleanup deletes it if the cycle fails
	# One ip run in the root namespace does the namespaces and the veth:
	# the old server goes, the new one comes, the pair is made here and
	# each end moved and brought up in its namespace
	# ("master ifN": br0's index in cl, which iproute2 cannot look up from
	# here). Unique veth names (the last one may still be in teardown), one
	# MAC for every server, so cl's neighbour entry stays right. A second
	# ip run gives the server its address: two processes a cycle, not three.
	{
		[[ -n $prev ]] && echo "netns del $prev"
		echo "netns add $s"
		echo "link add eth0 address 02:00:00:00:09:01 type veth peer name v$i"
		echo "link set eth0 netns $s up"
		echo "link set v$i netns $cl master if$bridx up"
	} | ip -batch - &&
	echo "addr add 10.9.0.1/24 dev eth0" | ip -n "$s" -batch - ||
		{ fail "cycle $i: namespace, veth and address"; break; }
	prev=
	if ! in_ns "$s" knockctl apply "$conf" > /dev/null; then
		fail "cycle $i: apply"
		break
	fi
	if ((i % 5 == 0)); then
		sleep 0.$((RANDOM % 3))
		in_ns "$s" knockctl flush && in_ns "$s" knockctl apply "$conf" > /dev/null ||
			fail "cycle $i: flush and apply again"
	fi
	sleep 0.$((RANDOM % 4))
	if ((i % 50 == 0 || i == cycles)); then
		# Proof that the traffic reaches the hooks of these namespaces
		# (give the flood, which yields to the cycle, up to 30 s).
		for ((t = 0; t < 60; t++)); do
			st=$(in_ns "$s" knockctl status --json)
			(($(jq '.stats.knocks_accepted' <<< "$st") > 0)) && break
			sleep 0.5
		done
		(($(jq '.stats.knocks_accepted' <<< "$st") > 0)) && seen_accept=$((seen_accept + 1))
		(($(jq '.stats.guarded' <<< "$st") > 0)) && seen_guard=$((seen_guard + 1))
		sampled=$((sampled + 1))
	fi
	prev=$s	# deleted, mid-traffic, by the next cycle's first ip run
	ok=$i
	if ((i % 40 == 0 && i < cycles)); then
		fresh_knocks || { fail "cycle $i: fresh knocks"; break; }
	fi
done
[[ -n $prev ]] && ip netns del "$prev"
touch "$stop"
wait "$flood"
sed 's/^/    /' "$SPA/flood.out"
check_eq "cycles completed" "$ok" "$cycles"
check_eq "knocks accepted in every sampled namespace" "$seen_accept" "$sampled"
check_eq "guarded packets seen in every sampled namespace" "$seen_guard" "$sampled"
sent=$(sed -n 's/^flood: sent \([0-9]*\).*/\1/p' "$SPA/flood.out")
check "the flood sent packets (${sent:-0})" test "${sent:-0}" -gt 1000
# Every hooked namespace holds a module reference until its teardown (a
# worker, in batches) has run: all of them must come back.
refs() { cat /sys/module/nfknock/refcnt; }
for ((t = 0; t < 600; t++)); do
	(($(refs) == 0)) && break
	sleep 0.2
done
check_eq "every namespace torn down: module references back to 0" "$(refs)" 0
finish
