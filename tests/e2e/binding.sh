#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A knock is bound to its sender. srv's user requires the address in the
# datagram to be the datagram's source (require_address, the default).
# home sits behind a NAT (gw masquerades 10.1.0.0/24 as 203.0.113.2) and
# learns the address srv will see from a STUN server (coturn) with
# `knockctl knock --discover stun:...`, then from an https echo service
# (--discover https://..., TLS verified: refused until the client trusts
# the service's certificate); it gets in both ways. Its knock, caught by eve
# on the way (sent to eve's capture socket), re-sent by eve from its own
# address and from a spoofed one, opens nothing (counted as unbound), and
# the same bytes from home afterwards still open srv for home alone: the
# thief's copies claimed nothing. Without --discover behind the NAT the
# client refuses to guess; --address observed is refused by srv. c1, on a
# public address, needs no discovery (IPv4 and IPv6).
#
#   home 10.1.0.2 -- gw (10.1.0.1 | 203.0.113.2, masquerade)
#                          |
#   +------------------ hub br0 ("the internet") -------------------+
#   |                |                 |                            |
#   srv 203.0.113.1  eve (c2)          stun 203.0.113.3             c1 203.0.113.20
#   2001:db8::1      203.0.113.66      coturn --stun-only, udp/3478 2001:db8::20
#                                      https echo, tcp/8443
#   guard tcp/22, user alice (require_address)
# nfknock-timeout-factor: 2
# nfknock-debug: skip, the debug kernel has no NAT (gw's masquerade); the
#   kernel path here (a knock refused as unbound before the replay set) runs
#   there in spa_address
source "$(dirname "$0")/lib.sh"

require nft
require turnserver

SRV=203.0.113.1 GWO=203.0.113.2 STUN=203.0.113.3 PUB=203.0.113.20
EVE=203.0.113.66 SPOOF=203.0.113.99 SRVV6=2001:db8::1 PUBV6=2001:db8::20
setup_net
gw=nfk-gw-$rnd home=nfk-home-$rnd stun=nfk-stun-$rnd
new_ns "$gw" "$home" "$stun"
{
	echo "link add p4 netns $hub type veth peer name eth0 netns $gw"
	echo "link add p5 netns $hub type veth peer name eth0 netns $stun"
	echo "link add eth1 netns $gw type veth peer name eth0 netns $home"
} | ip -batch - || exit 1
printf '%s\n' "link set p4 master br0 up" "link set p5 master br0 up" |
	ip -n "$hub" -batch - || exit 1
printf '%s\n' "addr add $SRV/24 dev eth0" "addr add $SRVV6/64 dev eth0 nodad" |
	ip -n "$srv" -batch - || exit 1
printf '%s\n' "addr add $PUB/24 dev eth0" "addr add $PUBV6/64 dev eth0 nodad" |
	ip -n "$c1" -batch - || exit 1
ip -n "$c2" addr add $EVE/24 dev eth0 || exit 1
printf '%s\n' "link set lo up" "addr add $STUN/24 dev eth0" "link set eth0 up" |
	ip -n "$stun" -batch - || exit 1
printf '%s\n' "link set lo up" "addr add $GWO/24 dev eth0" "link set eth0 up" \
	"addr add 10.1.0.1/24 dev eth1" "link set eth1 up" | ip -n "$gw" -batch - || exit 1
printf '%s\n' "link set lo up" "addr add 10.1.0.2/24 dev eth0" "link set eth0 up" \
	"route add default via 10.1.0.1" | ip -n "$home" -batch - || exit 1
in_ns "$gw" sysctl -qw net.ipv4.ip_forward=1 || exit 1
in_ns "$gw" nft -f - <<-NFT || exit 1
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			ip saddr 10.1.0.0/24 oifname "eth0" masquerade
		}
	}
NFT
nsenter --net="/run/netns/$stun" turnserver --stun-only --listening-ip $STUN \
	--listening-port 3478 --no-cli --no-tls --no-dtls --no-stdout-log \
	--log-file /dev/null > /dev/null 2>&1 &
bg_pids+=($!)
wait_listen "$stun" udp 3478 || exit 1

spa_init
spa_key alice
conf=$SPA/nfknock.conf
{
	spa_server
	spa_guard tcp/22
	spa_user alice
} > "$conf"
check "apply (require_address by default)" ksrv apply "$conf"
check_eq "users: alice is bound" "$(ksrv users --json | jq '.[0].require_address')" true
tcp_echo "$srv" 22
counted=$(knock_counters)

# Behind the NAT: the client will not guess the address srv sees.
out=$(knock "$home" alice $SRV --open tcp/22 2>&1)
check_eq "home without --discover: refused by the client" "$?" 1
check "... naming the private source and the ways out" \
	grep -q "source address 10.1.0.2 is a private one.*--discover" <<< "$out"
check_eq "... and nothing reached srv" "$(counters_moved "$counted")" ""

# The whole flow: STUN, knock, connect, through the NAT.
before=$counted
check_eq "home knocks with --discover stun: and connects" \
	"$(knock_connect "$home" alice $SRV 22 --open tcp/22 --for 30s \
		--discover stun:$STUN)" ok
expect_counted "home's knock" "$before" accepted
check_eq "grant for the NAT's address" "$(grants_of $GWO)" "tcp/22 alice"
check "revoke it" ksrv revoke $GWO tcp/22

# The same through an https echo service (on the STUN host), whose
# certificate the client trusts only inside its own mount namespace.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=echo -addext "subjectAltName=IP:$STUN" -keyout "$SPA/echo.key" \
	-out "$SPA/echo.crt" 2> /dev/null || exit 1
nsenter --net="/run/netns/$stun" $SPA_TOOL echo-https $STUN 8443 "$SPA/echo.crt" \
	"$SPA/echo.key" &
bg_pids+=($!)
wait_listen "$stun" tcp 8443 || exit 1
out=$(knock "$home" alice $SRV --open tcp/22 --discover https://$STUN:8443/ 2>&1)
check_eq "https echo with an untrusted certificate: refused" "$?" 1
check "... saying why" grep -qi "certificate" <<< "$out"
before=$counted
check_eq "home knocks with --discover https: (certificate trusted) and connects" \
	"$(unshare -m bash -c 'mount --bind "$1" /etc/ssl/certs/ca-certificates.crt &&
		nsenter --net="/run/netns/$2" knockctl knock '$SRV' --open tcp/22 \
			--server-key "$3" --key "$4" --discover https://'$STUN':8443/ ||
			{ echo "knock failed"; exit 1; }
		exec nsenter --net="/run/netns/$2" $5 tcp '$SRV' 22 --timeout 3' _ \
		"$SPA/echo.crt" "$home" "$(spa_pub server)" "$SPA/alice.key" "$NETTOOL")" ok
expect_counted "home's knock (https)" "$before" accepted
check_eq "grant for the NAT's address" "$(grants_of $GWO)" "tcp/22 alice"
check "revoke it" ksrv revoke $GWO tcp/22

# eve catches the next knock (it goes to eve's capture socket), sends it
# on from its own address, then from a spoofed one.
cap=$SPA/capture
nsenter --net="/run/netns/$c2" $SPA_TOOL capture $SPA_PORT "$cap" &
bg_pids+=($!)
wait_listen "$c2" udp $SPA_PORT || exit 1
out=$(knock "$home" alice $EVE --open tcp/22 --for 30s --discover stun:$STUN -v)
check "home's knock names the NAT's address" grep -q "address $GWO (from stun:$STUN)" <<< "$out"
wait_grep "$cap" "^$GWO " || exit 1
dgram=$(awk '{ print $2; exit }' "$cap")
before=$counted
ns_c2 $SPA_TOOL send $SRV $SPA_PORT --hex "$dgram" --timeout 0.2 > /dev/null
expect_counted "eve re-sends it from $EVE" "$before" unbound
before=$counted
check_eq "eve re-sends it spoofed from $SPOOF" \
	"$(ns_c2 $SPA_TOOL send $SRV $SPA_PORT --hex "$dgram" --spoof $SPOOF)" sent
sleep 0.2
expect_counted "spoofed copy" "$before" unbound
check_eq "no grant for eve" "$(grants_of $EVE)" ""
check_eq "no grant for the spoofed address" "$(grants_of $SPOOF)" ""
expect_tcp timeout "$c2" $SRV 22 "eve stays out"
before=$counted
in_ns "$home" $SPA_TOOL send $SRV $SPA_PORT --hex "$dgram" --timeout 0.2 > /dev/null
expect_counted "the same bytes from home, after the thief's copies" "$before" accepted
check_eq "grant for home (as the NAT's address)" "$(grants_of $GWO)" "tcp/22 alice"
expect_tcp ok "$home" $SRV 22 "home gets in"
expect_tcp timeout "$c2" $SRV 22 "eve still out"
check "revoke it" ksrv revoke $GWO tcp/22

# No address in the datagram: srv refuses it.
before=$counted
check "home knocks with --address observed" knock "$home" alice $SRV --open tcp/22 \
	--address observed
expect_counted "--address observed" "$before" unbound
check_eq "no grant" "$(grants_of $GWO)" ""

# A client on a public address needs no discovery.
for dst in $SRV $SRVV6; do
	before=$counted
	check_eq "c1 (public) knocks $dst with --address auto and connects" \
		"$(knock_connect "$c1" alice $dst 22 --open tcp/22 --for 30s)" ok
	expect_counted "c1's knock to $dst" "$before" accepted
done
check_eq "grants of c1" "$(grants_of $PUB),$(grants_of $PUBV6)" "tcp/22 alice,tcp/22 alice"

finish
