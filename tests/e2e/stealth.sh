#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A scanner cannot tell a guarded port from an unused one, nor the knock
# port from an unused UDP port: from c1, scapy probes (SYN, FIN, NULL, Xmas,
# ACK, Maimon, SYN+ACK, RST, SYN+FIN, with data, with DSCP/ECN bits and
# IPv6 flow labels) and nmap (-sS -sA -sF -sN -sX -sU, IPv4 and IPv6) get
# from a guarded port with a service behind it exactly what they get from
# an unused port, field by field (stealth_probe.py says which fields):
#
#   * first, without guards, the same probes tell the listening port from
#     the unused one (the test can fail);
#   * reset mode (the stack's answers), against the host's own unused
#     ports; and the same flow to a guarded port where nothing listens,
#     answered by nfknock and then, guard removed, by the stack: identical
#     bytes, IPv6 flow label included;
#   * drop mode, on a host whose firewall (nft) drops its unused ports:
#     silence for every probe, as for the unused ports.
#
#     c1 (10.0.0.2, fd00::2): scapy, nmap
#          |
#      hub br0
#          |
#     srv (10.0.0.1, fd00::1): tcp/8022 and udp/5353 echo (guarded),
#          tcp/8023 udp/5354 unused, tcp/8024 udp/5355 guarded and unused,
#          knock port udp/62201
#
# nfknock-timeout-factor: 2
source "$(dirname "$0")/lib.sh"

require nmap

GT=8022 UT=8023 ET=8024 GU=5353 UU=5354 EU=5355
# scapy needs its site-packages: not $PY's -S.
PROBE="/usr/bin/python3 $E2E/stealth_probe.py"

setup_net
spa_init
spa_key alice
tcp_echo "$srv" $GT
udp_echo "$srv" $GU
conf=$SPA/nfknock.conf
{
	spa_server pass | sed 's/^guard_action = .*/guard_action = "reset"/'
	spa_guard tcp/$GT tcp/$ET udp/$GU udp/$EU
	spa_user alice 'allow=["tcp/8022"]'
} > "$conf"

# nmap_ports FLAGS ADDR PORTS: "PORT STATE REASON TTL" per port.
nmap_ports() {
	ns_c1 nmap -n -Pn --reason --max-retries 1 -T4 -oX - $1 -p "$3" "$2" 2> /dev/null |
		grep -o 'portid="[0-9]*"><state state="[^"]*" reason="[^"]*" reason_ttl="[0-9]*"' |
		sed 's/portid="\([0-9]*\)"><state state="\([^"]*\)" reason="\([^"]*\)" reason_ttl="\([0-9]*\)"/\1 \2 \3 \4/'
}
# nmap_same WHAT FLAGS ADDR PORT_A PORT_B: nmap reports both ports alike.
nmap_same() {
	local out a b
	out=$(nmap_ports "$2" "$3" "$4,$5")
	a=$(awk -v p="$4" '$1 == p { print $2, $3, $4 }' <<< "$out")
	b=$(awk -v p="$5" '$1 == p { print $2, $3, $4 }' <<< "$out")
	if [[ -n $a && $a == "$b" ]]; then
		pass "nmap $2 $3: $1 $4 and $5 alike ($a)"
	else
		fail "nmap $2 $3: $1 $4 is '$a', $5 is '$b'"
	fi
}
nmap_all() {
	local f
	# On the debug kernel nmap's probes would run the same kernel paths
	# as the scapy probes just before them (the answers are compared field
	# by field there); nmap's verdicts are compared on Debian's kernels.
	if debug_kernel; then
		echo "    (debug kernel: nmap comparisons left to Debian's kernels)"
		return 0
	fi
	for f in -sS -sA -sF -sN -sX; do
		nmap_same "$1" "$f" $SRV4 $GT $UT
	done
	for f in -sS -sF -sA; do
		nmap_same "$1" "-6 $f" $SRV6 $GT $UT
	done
	nmap_same "$1" -sU $SRV4 $GU $UU
	nmap_same "$1 knock port" -sU $SRV4 $SPA_PORT $UU
	nmap_same "$1" "-6 -sU" $SRV6 $GU $UU
}

# ICMP errors are rate limited per peer (burst 6, then 1/s); the pairwise
# comparisons send more than that, so the limiter is off while they run
# (nfknock's ICMP goes through the same icmp_send()/icmpv6_send()).
ns_srv sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0

# Without guards the probes tell a listening port from an unused one.
out=$(ns_c1 $PROBE pairs $SRV4 $SRV6 "unguarded:tcp:$GT:$UT" --expect-differ)
sed 's/^/    /' <<< "$out"
check "without guards, probes tell tcp/$GT (listening) from tcp/$UT" \
	grep -q "^PASS: .* tell the two ports apart" <<< "$out"
if ! debug_kernel; then
	a=$(nmap_ports -sF $SRV4 "$GT,$UT")
	check "without guards, nmap -sF tells them apart too: $(tr '\n' ';' <<< "$a")" \
		test "$(awk '{ print $2 }' <<< "$a" | sort -u | wc -l)" = 2
fi

# --- reset mode ---
check "apply: guards in reset mode" ksrv apply "$conf"
before=$(ksrv status --json | jq .stats.refused_stray)
check "reset: scapy probes, guarded vs unused, knock port vs unused" \
	ns_c1 $PROBE pairs $SRV4 $SRV6 "guarded:tcp:$GT:$UT" \
	"guarded:udp:$GU:$UU" "knock:udp:$SPA_PORT:$UU"
after=$(ksrv status --json | jq .stats.refused_stray)
# 7 stray kinds (FIN, NULL, Xmas, ACK, ACK+data, Maimon, SYN+ACK) x 2
check "refused_stray counted the stray probes ($before -> $after)" \
	test $((after - before)) -ge 14
nmap_all reset
check "reset: the same TCP flow, answered by nfknock then by the stack" \
	ns_c1 $PROBE sameflow $SRV4 $SRV6 tcp $ET \
	"nsenter --net=/run/netns/$srv knockctl guard del tcp/$ET"
check "reset: the same UDP flow, answered by nfknock then by the stack" \
	ns_c1 $PROBE sameflow $SRV4 $SRV6 udp $EU \
	"nsenter --net=/run/netns/$srv knockctl guard del udp/$EU"
# With net.ipv6.flowlabel_reflect=2 the stack's RST carries the probe's
# flow label; so does nfknock's.
ns_srv sysctl -qw net.ipv6.flowlabel_reflect=2
check "guard tcp/$ET again" ksrv guard add tcp/$ET
check "reset, flowlabel_reflect=2: the same TCP flow, nfknock then the stack" \
	ns_c1 $PROBE sameflow $SRV4 $SRV6 tcp $ET \
	"nsenter --net=/run/netns/$srv knockctl guard del tcp/$ET"
ns_srv sysctl -qw net.ipv6.flowlabel_reflect=0

# The ICMP rate limit, back at the kernel's defaults: a burst to the
# guarded udp/$GU and one to the unused udp/$UU get as many answers.
# The limiter is the stack's (nfknock calls icmp_send()/icmpv6_send(), run
# above on every kernel), so the debug kernel leaves this comparison, four
# 7 s waits for the limiter to refill, to Debian's kernels.
ns_srv sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv6.icmp.ratelimit=1000
if ! debug_kernel; then
	check "reset: ICMP rate limit alike on udp/$GU (guarded) and udp/$UU" \
		ns_c1 $PROBE ratelimit $SRV4 $SRV6 $GU $UU 15
fi

# --- drop mode, on a host whose firewall drops what it does not serve ---
check "set guard-action drop" ksrv set guard-action drop
check "srv's firewall drops its unused ports" ns_srv nft -f - <<-NFT
	table inet fw {
		chain in {
			type filter hook input priority 0;
			tcp dport $UT drop
			udp dport { $UU, $SPA_PORT } drop
		}
	}
NFT
check "drop: scapy probes, guarded vs unused, knock port vs unused" \
	ns_c1 $PROBE pairs $SRV4 $SRV6 "guarded:tcp:$GT:$UT" \
	"guarded:udp:$GU:$UU" "knock:udp:$SPA_PORT:$UU"
nmap_all drop

# A granted client still gets in, and its connection lives on.
check "alice knocks for tcp/$GT" knock "$c1" alice $SRV4 --open tcp/$GT --for 60s
expect_tcp ok "$c1" $SRV4 $GT "alice's connection to tcp/$GT"

finish
