#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bench (make bench, not a test): what derived sequences cost traffic that
# nfknock does not guard. With users that have TCP and UDP sequences (the
# default range 10000-65000), every TCP SYN and UDP datagram to this host
# passes the step observer's bitmap test. Rounds alternate "absent" (the
# namespace flushed: no hooks, as without the module) and "sequences" (the
# config applied, nothing guarded), side by side in one boot, and report
# medians and their ratio for:
#   tcp bulk:   NFKNOCK_BENCH_MB MiB over one socat connection
#   tcp small:  NFKNOCK_BENCH_SMALL_MB MiB in 64-byte writes (socat -b 64)
#   udp 64:     64-byte datagrams to an ephemeral port (40000) for 5 s,
#               received datagrams per second (the server's Udp InDatagrams)
# The connections and the datagrams are made while an attempt from another
# source (c2) is in flight ("live"), so the observer's range test and its
# look at the source's progress set run too, not only its bitmap. Each
# round also gives the ratio of its two UDP floods, run back to back.
#
#     c1 (10.0.0.2) --- hub --- srv (10.0.0.1): sinks tcp/5001, udp/40000
source "$(dirname "$0")/../e2e/lib.sh"
require socat nc

MB=${NFKNOCK_BENCH_MB:-32}
SMALL_MB=${NFKNOCK_BENCH_SMALL_MB:-4}
ROUNDS=${NFKNOCK_BENCH_ROUNDS:-5}
UDP_S=5
# NFKNOCK_BENCH_SEQ_LIVE=0: no attempt put in flight (the hooks and the
# observer's bitmap test alone), to tell their cost from the range test's.
SEQ_LIVE=${NFKNOCK_BENCH_SEQ_LIVE:-1}
# NFKNOCK_BENCH_SEQ_USERS=0: the same users without sequences (SPA only;
# implies no attempt), to tell the hooks' cost from the observer's.
SEQ_USERS=${NFKNOCK_BENCH_SEQ_USERS:-1}
((SEQ_USERS)) || SEQ_LIVE=0

setup_net
spa_init
spa_key alice bob
conf=$SPA/nfknock.conf
{
	spa_server
	if ((SEQ_USERS)); then
		spa_user alice allow='["tcp/22"]' sequence=true
		spa_user bob allow='["tcp/22"]' sequence='{ proto = "udp" }'
	else
		spa_user alice allow='["tcp/22"]'
		spa_user bob allow='["tcp/22"]'
	fi
} > "$conf"
nsenter --net="/run/netns/$srv" socat -u TCP-LISTEN:5001,fork,reuseaddr OPEN:/dev/null &
bg_pids+=($!)
nsenter --net="/run/netns/$srv" socat -u UDP-RECV:40000 OPEN:/dev/null &
bg_pids+=($!)
wait_listen "$srv" tcp 5001 || exit 1

# seconds bulk|small: one transfer, its wall time in seconds.
seconds() {
	local t0 t1 b=65536 mb=$MB
	[[ $1 == small ]] && b=64 mb=$SMALL_MB
	t0=$EPOCHREALTIME
	head -c "${mb}M" /dev/zero | ns_c1 socat -b $b -u STDIN TCP:$SRV4:5001 || return 1
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
in_datagrams() { ns_srv awk '/^Udp:/ { n++; if (n == 2) print $2 }' /proc/net/snmp; }
# backlog_drops: packets the kernel dropped because a CPU's input backlog
# (netdev_max_backlog) was full, all CPUs (/proc/net/softnet_stat's second
# column, hex).
backlog_drops() {
	local _ d rest n=0
	while read -r _ d rest; do n=$((n + 16#$d)); done < /proc/net/softnet_stat
	echo $n
}
# udp_rate: datagrams/s the server received during UDP_S seconds of flood;
# sets udp_detail to what the sender sent and where the rest went (the
# backlog's drops), so a slow round says whether the sender was slowed or
# its datagrams were dropped before the server's socket.
udp_rate() {
	local a b d0 d1 sent
	a=$(in_datagrams)
	d0=$(backlog_drops)
	sent=$(ns_c1 $NETTOOL udp-flood $SRV4 40000 --seconds $UDP_S | awk '{ print $3 }')
	sleep 0.5
	b=$(in_datagrams)
	d1=$(backlog_drops)
	udp_detail="sent $((sent / UDP_S))/s, backlog drops $(((d1 - d0) / UDP_S))/s"
	echo $(((b - a) / UDP_S))
}
# live: put one attempt in flight (the first step of alice's sequence for
# tcp/22 from c2), so the observer's range test runs during the round.
live() {
	local p
	p=$(in_ns "$c2" knockctl sequence $SRV4 tcp/22 --json \
		--server-key "$(spa_pub server)" --key "$SPA/alice.key" | jq '.ports[0]')
	in_ns "$c2" nc -z -w 1 $SRV4 "$p"
	(($(ksrv status --json | jq .progress_count) > 0))
}

declare -A res udp
# The UDP floods of the two modes run back to back within a round (the
# host's load drifts over tens of seconds under TCG), the order of the
# modes alternates (ABBA), and each round's ratio is kept: their median is
# the figure least moved by the drift. In the sequences mode the flood
# comes right after its attempt is put in flight.
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then phases="absent:tcp absent:udp sequences:udp sequences:tcp"
	else phases="sequences:udp sequences:tcp absent:tcp absent:udp"; fi
	mode_now=
	for ph in $phases; do
		mode=${ph%%:*} what=${ph#*:}
		if [[ $mode != "$mode_now" ]]; then
			if [[ $mode == sequences ]]; then
				ksrv apply "$conf" > /dev/null || exit 1
				((SEQ_LIVE == 0)) || live || fail "round $r: no attempt in flight"
			else
				ksrv flush > /dev/null || exit 1
			fi
			mode_now=$mode
		fi
		if [[ $what == tcp ]]; then
			for kind in bulk small; do
				s=$(seconds $kind) || { fail "round $r $mode tcp $kind"; continue; }
				res[$mode.$kind]+="$s "
				echo "round $r $mode tcp $kind: $s s"
			done
			continue
		fi
		udp_rate > "$SPA/udp_rate"
		n=$(< "$SPA/udp_rate")
		res[$mode.udp]+="$n "
		udp[$mode]=$n
		live_after=
		if [[ $mode == sequences ]]; then
			# Still in flight after the flood (not yet swept)? The
			# figure is about that case; rounds that lost it say so.
			if (($(ksrv status --json | jq .progress_count) > 0)); then
				live_after=", attempt in flight"
				res[live.udp]+="$n "
			else
				live_after=", attempt swept"
			fi
		fi
		echo "round $r $mode udp 64: $n datagrams/s ($udp_detail)$live_after"
	done
	rr=$(awk -v a="${udp[absent]}" -v b="${udp[sequences]}" 'BEGIN { if (a > 0) printf "%.3f", b / a }')
	res[ratio.udp]+="$rr "
	echo "round $r udp ratio (sequences / absent, back to back): $rr"
done

median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for kind in bulk small; do
	mb=$MB
	[[ $kind == small ]] && mb=$SMALL_MB
	echo "$(median "${res[absent.$kind]}") $(median "${res[sequences.$kind]}")" |
		awk -v k=$kind -v mb=$mb -v n=$ROUNDS '{
		printf "BENCH seq_unguarded tcp %s: %d MiB, median of %d: absent %.1f MiB/s, sequences %.1f MiB/s, ratio %.3f\n",
			k, mb, n, mb / $1, mb / $2, $1 / $2 }'
done
echo "$(median "${res[absent.udp]}") $(median "${res[sequences.udp]}")" |
	awk -v n=$ROUNDS '{
	printf "BENCH seq_unguarded udp 64: median of %d: absent %d/s, sequences %d/s, ratio %.3f\n",
		n, $1, $2, $2 / $1 }'
echo "$(median "${res[ratio.udp]}")" | awk -v n=$ROUNDS '{
	printf "BENCH seq_unguarded udp 64, ratio within each round (floods back to back): median of %d: %.3f\n", n, $1 }'
live_n=$(wc -w <<< "${res[live.udp]:-}")
if ((live_n)); then
	echo "$(median "${res[absent.udp]}") $(median "${res[live.udp]}")" |
		awk -v n=$live_n '{
		printf "BENCH seq_unguarded udp 64, rounds with the attempt still in flight after the flood: median of %d: sequences %d/s, ratio %.3f to absent\n",
			n, $2, $2 / $1 }'
fi
finish
