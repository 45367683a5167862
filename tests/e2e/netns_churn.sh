#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespace teardown under traffic: NFKNOCK_CHURN_CYCLES (default 200)
# times, create a server namespace, configure guards, a knock port and
# users, let a second namespace send at full rate (guarded SYNs, real knocks
# that open grants and start the grant collector, random knocks, guarded
# UDP), and delete the namespace while the packets still arrive; every
# fifth cycle also flushes and re-applies under the same traffic. The
# kernel must free everything only after the last hook ran: on the debug
# kernel, KASAN, lockdep, RCU and kmemleak reports fail the run (the
# harness checks dmesg and runs a kmemleak scan at the end).
#
#     cl (10.9.0.2): flood.py, never deleted
#         v0
#          |  veth, made anew each cycle
#         eth0
#     sN (10.9.0.1): tcp/22, tcp/2000-2009, udp/53 guarded; knock port
#                    udp/62201; users alice and bob; deleted mid-traffic
source "$(dirname "$0")/lib.sh"

cycles=${NFKNOCK_CHURN_CYCLES:-200}
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
# there): each opens a grant in every fresh server namespace, once.
# Timestamps age (the skew is 10 min): fresh ones every 40 cycles.
knocks=$SPA/knocks
in_ns "$cl" $SPA_TOOL capture 9999 "$knocks" &
bg_pids+=($!)
wait_listen "$cl" udp 9999 || exit 1
captured=0
fresh_knocks() {
	local p
	for p in 2000 2001 2002 2003 2004 2005; do
		in_ns "$cl" knockctl knock 127.0.0.1 --port 9999 --open tcp/$p \
			--for 600s --server-key "$(spa_pub server)" \
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

stop=$SPA/stop
in_ns "$cl" $PY "$E2E/flood.py" 10.9.0.1 10.9.0.2 --knocks "$knocks" \
	--stop "$stop" > "$SPA/flood.out" 2>&1 &
flood=$!

# One server namespace, configured, traffic flowing, then deleted.
seen_accept=0 seen_guard=0 ok=0
for ((i = 1; i <= cycles; i++)); do
	s=nfk-s$i-$rnd
	printf '%s\n' "netns add $s" \
		"link add v0 netns $cl type veth peer name eth0 netns $s" |
		ip -batch - || { fail "cycle $i: namespace and veth"; break; }
	printf '%s\n' "link set lo up" "addr add 10.9.0.1/24 dev eth0" "link set eth0 up" |
		ip -n "$s" -batch - &&
	printf '%s\n' "addr add 10.9.0.2/24 dev v0" "link set v0 up" |
		ip -n "$cl" -batch - || { fail "cycle $i: addresses"; break; }
	if ! in_ns "$s" knockctl apply "$conf" > /dev/null; then
		fail "cycle $i: apply"
		ip netns del "$s"
		break
	fi
	if ((i % 5 == 0)); then
		sleep 0.$((RANDOM % 3))
		in_ns "$s" knockctl flush && in_ns "$s" knockctl apply "$conf" > /dev/null ||
			fail "cycle $i: flush and apply again"
	fi
	sleep 0.$((RANDOM % 4))
	if ((i == 1 || i % 50 == 0)); then
		# Proof that the traffic reaches the hooks of these namespaces.
		st=$(in_ns "$s" knockctl status --json)
		(($(jq '.stats.knocks_accepted' <<< "$st") > 0)) && seen_accept=$((seen_accept + 1))
		(($(jq '.stats.guarded' <<< "$st") > 0)) && seen_guard=$((seen_guard + 1))
	fi
	ip netns del "$s" || { fail "cycle $i: delete"; break; }
	ok=$i
	if ((i % 40 == 0 && i < cycles)); then
		fresh_knocks || { fail "cycle $i: fresh knocks"; break; }
	fi
done
touch "$stop"
wait "$flood"
sed 's/^/    /' "$SPA/flood.out"
check_eq "cycles completed" "$ok" "$cycles"
sampled=$((1 + cycles / 50))
check_eq "knocks accepted in every sampled namespace" "$seen_accept" "$sampled"
check_eq "guarded packets seen in every sampled namespace" "$seen_guard" "$sampled"
sent=$(sed -n 's/^flood: sent \([0-9]*\).*/\1/p' "$SPA/flood.out")
check "the flood sent packets (${sent:-0})" test "${sent:-0}" -gt 1000
finish
