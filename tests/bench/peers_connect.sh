#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bench (make bench, not a test): from the start of a knock client to the
# first connection the knock lets in, nfknock beside other port knockers,
# side by side in one boot. A TCP sink on srv's tcp/5000 is closed (every
# closed configuration answers a SYN with a RST) until c1 knocks:
#   floor             no knock: /bin/true as the client, port open
#   nfknock_spa       knockctl knock (one SPA datagram), guard tcp/5000
#   nfknock_seq       knockctl knock --sequence (alice's derived 3-step TCP
#                     sequence, the default 200 ms gap between steps)
#   nfknock_seq_gap1  the same with --gap 1ms (the least), close to how
#                     knockd's `knock` sends its steps (no pause)
#   nfknock_static    an nfknock static sequence ([[sequence]], tcp 7000
#                     8000 9000 opens tcp/5000), knockd's `knock` as client
#   nft               the nftables wiki's port-knocking ruleset: sets with
#                     timeouts, tcp 7000 8000 9000, then tcp/5000 accepted
#                     for the source (knockd's `knock` as the client)
#   pknock            xt_pknock (xtables-addons, iptables -m pknock
#                     --knockports 7000,8000,9000 --strict), `knock`
#   knockd            knockd (pcap on eth0), 7000 8000 9000 with SYN flags;
#                     its command inserts an iptables accept for the source
#   fwknop            fwknopd (Debian's defaults: pcap on eth0, iptables
#                     backend) and the fwknop client (Rijndael + HMAC keys
#                     made in this run)
# Each measurement is one knock_connect.py run in c1: one connection must
# be refused first (the port is closed; in floor, accepted), then the clock starts, the knock
# client runs, and connections are tried every 5 ms until one is accepted;
# it prints the wall time, the client's own time and the attempts ("after
# the client": the wall time minus the client's, per sample).
# Configurations interleave round by round (the order rotates every
# round); before each, nothing of another may be left (daemons, `nft list
# ruleset`, `iptables -S`, xt_pknock loaded, nfknock guards), or that
# sample is discarded and the line says so (a self-test first shows the
# check sees them). Prints per configuration "BENCH peers_connect NAME:
# median ..." with its ratio to the floor.
#
# The peers come from scripts/peers.sh (NFKNOCK_BENCH_PEERS names its
# directory; make bench builds it): Debian's packages unpacked, never
# installed, and xt_pknock built for one kernel, the 6.1 one: on another
# kernel this bench skips. NFKNOCK_BENCH_PEER_ROUNDS (20) rounds;
# NFKNOCK_BENCH_PEER_CONFIGS (comma-separated) runs a subset.
#
#     c1 (10.0.0.2): knock clients     srv (10.0.0.1): sink tcp/5000, knockers
# nfknock-timeout-factor: 3
source "$(dirname "$0")/../e2e/lib.sh"
require socat nft

BENCH=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${NFKNOCK_BENCH_PEER_ROUNDS:-20}
ALL=(floor nfknock_spa nfknock_seq nfknock_seq_gap1 nfknock_static nft pknock knockd fwknop)
IFS=, read -r -a CONFIGS <<< "${NFKNOCK_BENCH_PEER_CONFIGS:-$(IFS=,; echo "${ALL[*]}")}"
PORT=5000
KV=$(uname -r)

PEERS=${NFKNOCK_BENCH_PEERS:-}
if [[ -z $PEERS ]]; then
	PEERS=$(ls -td /var/cache/nfknock/peers-*/ok 2> /dev/null | head -n 1)
	PEERS=${PEERS%/ok}
fi
if [[ -z $PEERS || ! -e $PEERS/ok ]]; then
	echo "SKIP: no peer kit (scripts/peers.sh; make bench builds it)"
	exit $ksft_skip
fi
PKO=$PEERS/kmod/$KV/xt_pknock.ko
if [[ ! -e $PKO ]]; then
	echo "SKIP: no xt_pknock for $KV in $PEERS (peers_connect runs on the kernel scripts/peers.sh built it for, Debian's 6.1)"
	exit $ksft_skip
fi
# The peers' binaries need these (root/'s libraries and iptables
# extensions); only their processes get them.
mapfile -t PENV < "$PEERS/env"
echo "peers: $PEERS ($(tr '\n' ' ' < "$PEERS/versions"))"
PBIN=$PEERS/bin
ipt() { ns_srv env "${PENV[@]}" "$PBIN/iptables" "$@"; }

setup_net
spa_init
spa_key alice
W=$SPA
export HOME=$W	# fwknop keeps its files in $HOME
daemon=
bench_cleanup() {
	[[ -n $daemon ]] && kill "$daemon" 2> /dev/null
	spa_cleanup
	grep -q '^xt_pknock ' /proc/modules && rmmod xt_pknock
	return 0
}
trap bench_cleanup EXIT

nsenter --net="/run/netns/$srv" socat -u TCP-LISTEN:$PORT,fork,reuseaddr OPEN:/dev/null &
bg_pids+=($!)
wait_listen "$srv" tcp $PORT || exit 1

# nfknock: guard tcp/5000 answering with a RST, alice may open it by SPA
# or by a 3-step derived TCP sequence.
cat > "$W/nfknock.conf" <<-TOML
[server]
private_key_file = "$W/server.key"
knock_ports = ["udp/$SPA_PORT"]
guard_action = "reset"

[[guard]]
service = "tcp/$PORT"

[[user]]
name = "alice"
public_key = "$(spa_pub alice)"
allow = ["tcp/$PORT"]
max_duration = "60s"
sequence = { length = 3 }
TOML
# alice's client profile: the server, her key, the service, and the
# sequence's parameters (the client must know its length).
cat > "$W/client.toml" <<-TOML
[[server]]
name = "bench"
address = "$SRV4"
public_key = "$(spa_pub server)"
key_file = "$W/alice.key"
service = "tcp/$PORT"
sequence = { length = 3 }
TOML
# The same guard, opened by a static sequence (knockd's kind) instead.
sed '/^\[\[user\]\]/,$d' "$W/nfknock.conf" > "$W/nfknock-static.conf"
cat >> "$W/nfknock-static.conf" <<-TOML
[[sequence]]
name = "bench"
knock = ["tcp/7000", "tcp/8000", "tcp/9000"]
opens = "tcp/$PORT"
TOML
check "nfknock configuration is valid" knockctl check "$W/nfknock.conf"
check "nfknock static configuration is valid" knockctl check "$W/nfknock-static.conf"
ksrv flush > /dev/null

# nftables: the wiki's port knocking (sets of candidates with a timeout per
# step, a set of clients), 3 TCP ports, tcp/5000 reset for everyone else.
cat > "$W/knock.nft" <<-NFT
table inet nfk_knock {
	set candidates {
		type ipv4_addr . inet_service
		flags timeout
	}
	set clients {
		type ipv4_addr
		flags timeout
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "lo" return
		tcp dport 7000 add @candidates { ip saddr . 8000 timeout 5s }
		tcp dport 8000 ip saddr . tcp dport @candidates add @candidates { ip saddr . 9000 timeout 5s }
		tcp dport 9000 ip saddr . tcp dport @candidates add @clients { ip saddr timeout 30s }
		tcp dport $PORT ip saddr @clients accept
		tcp dport $PORT ct state established,related accept
		tcp dport $PORT reject with tcp reset
	}
}
NFT

# knockd: its own log file, pcap on srv's eth0; the command runs with
# knockd's environment (PENV), so the unpacked iptables finds its pieces.
cat > "$W/knockd.conf" <<-CONF
[options]
	LogFile = $W/knockd.log
	Interface = eth0

[open]
	sequence    = 7000,8000,9000
	seq_timeout = 5
	tcpflags    = syn
	command     = $PBIN/iptables -I INPUT -s %IP% -p tcp --dport $PORT -j ACCEPT
CONF

# fwknop: keys made now; fwknopd with Debian's defaults but for the paths.
fwkeys=$(env "${PENV[@]}" "$PBIN/fwknop" --key-gen --no-rc-file) || { fail "fwknop --key-gen"; finish; }
FWKEY=$(sed -n 's/^KEY_BASE64: *//p' <<< "$fwkeys")
FWHMAC=$(sed -n 's/^HMAC_KEY_BASE64: *//p' <<< "$fwkeys")
mkdir -p "$W/fwknop-run"
cat > "$W/fwknopd.conf" <<-CONF
PCAP_INTF                   eth0;
FIREWALL_EXE                $PBIN/iptables-env;
FWKNOP_RUN_DIR              $W/fwknop-run;
CONF
cat > "$W/access.conf" <<-CONF
SOURCE              ANY
OPEN_PORTS          tcp/$PORT
KEY_BASE64          $FWKEY
HMAC_KEY_BASE64     $FWHMAC
FW_ACCESS_TIMEOUT   30
CONF
chmod 600 "$W/fwknopd.conf" "$W/access.conf"

# The knock client of each configuration (an array: knock_connect.py's CMD).
client() {
	case $1 in
	floor) cmd=(/bin/true) ;;
	nfknock_spa) cmd=(knockctl knock bench --profile "$W/client.toml") ;;
	nfknock_seq) cmd=(knockctl knock bench --profile "$W/client.toml" --sequence) ;;
	nfknock_seq_gap1) cmd=(knockctl knock bench --profile "$W/client.toml" --sequence --gap 1ms) ;;
	nfknock_static | nft | pknock | knockd) cmd=("$PBIN/knock" $SRV4 7000 8000 9000) ;;
	fwknop) cmd=("$PBIN/fwknop" -A tcp/$PORT -a $C14 -D $SRV4 --use-hmac
		--key-base64-rijndael "$FWKEY" --key-base64-hmac "$FWHMAC" --no-rc-file --no-save-args) ;;
	esac
}

# leftovers: what any configuration left behind, one line each (nothing
# when clean). iptables -S first: with the nft backend it lists the
# built-in chains' policies even when no table exists.
leftovers() {
	local r
	[[ -n $daemon ]] && kill -0 "$daemon" 2> /dev/null && echo "daemon $daemon still running"
	for p in knockd fwknopd; do
		pgrep -x "$p" > /dev/null && echo "a $p process is running"
	done
	r=$(ipt -S 2>&1 | grep -v '^-P ')
	[[ -n $r ]] && echo "iptables -S: $(tr '\n' ' ' <<< "$r")"
	r=$(ns_srv nft list ruleset)
	[[ -n $r ]] && echo "nft list ruleset: $(tr '\n\t' '  ' <<< "$r" | tr -s ' ' | cut -c1-200)"
	grep -q '^xt_pknock ' /proc/modules && echo "xt_pknock is loaded"
	r=$(ksrv status --json | jq -r 'select(.hooked or .guards_count > 0 or .grants_count > 0) |
		"nfknock: hooked \(.hooked), \(.guards_count) guards, \(.grants_count) grants"')
	[[ -n $r ]] && echo "$r"
}
# rm_pknock: nft releases a rule's match after its commit, so xt_pknock
# can be busy for a moment after its rules are gone.
rm_pknock() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q '^xt_pknock ' /proc/modules || return 0
		rmmod xt_pknock 2> /dev/null && return 0
		sleep 0.1
	done
	rmmod xt_pknock
}
# scrub: remove whatever is left, whoever left it.
scrub() {
	if [[ -n $daemon ]]; then
		kill "$daemon" 2> /dev/null
		wait "$daemon" 2> /dev/null
		daemon=
	fi
	ns_srv nft flush ruleset
	rm_pknock
	ksrv flush > /dev/null
}

# start_daemon LOG READY CMD...: CMD in srv, in the background, with PENV;
# waits until LOG has READY (10 s).
start_daemon() {
	local log=$1 ready=$2 end=$((SECONDS + 10))
	shift 2
	: > "$log"
	nsenter --net="/run/netns/$srv" env "${PENV[@]}" "$@" >> "$log" 2>&1 &
	daemon=$!
	until grep -q -- "$ready" "$log"; do
		if ((SECONDS >= end)) || ! kill -0 $daemon 2> /dev/null; then
			echo "not ready after 10 s:"
			sed 's/^/    /' "$log" | tail -n 20
			return 1
		fi
		sleep 0.1
	done
}

setup() {
	case $1 in
	floor) ;;
	nfknock_static) ksrv apply "$W/nfknock-static.conf" > /dev/null ;;
	nfknock_*) ksrv apply "$W/nfknock.conf" > /dev/null ;;
	nft) ns_srv nft -f "$W/knock.nft" ;;
	pknock)
		modprobe x_tables && insmod "$PKO" || return 1
		ipt -A INPUT -p tcp -m pknock --knockports 7000,8000,9000 --strict --name nfkbench \
			--time 5 --autoclose 1 --dport $PORT -j ACCEPT || return 1
		ipt -A INPUT -p tcp --dport $PORT -j REJECT --reject-with tcp-reset
		;;
	knockd)
		ipt -A INPUT -p tcp --dport $PORT -j REJECT --reject-with tcp-reset || return 1
		start_daemon "$W/knockd.log" "listening on" "$PBIN/knockd" -c "$W/knockd.conf" -i eth0 \
			-p "$W/knockd.pid"
		;;
	fwknop)
		ipt -A INPUT -p tcp --dport $PORT -j REJECT --reject-with tcp-reset || return 1
		start_daemon "$W/fwknopd.log" "main event loop" "$PBIN/fwknopd" -f -v -c "$W/fwknopd.conf" \
			-a "$W/access.conf" -d "$W/digest.cache" -p "$W/fwknopd.pid"
		;;
	esac
}
teardown() {
	case $1 in
	floor) ;;
	nfknock_*) ksrv flush > /dev/null ;;
	nft) ns_srv nft delete table inet nfk_knock ;;
	pknock) ipt -F INPUT && ns_srv nft flush ruleset && rm_pknock ;;
	knockd | fwknop)
		kill "$daemon"
		wait "$daemon" 2> /dev/null
		daemon=
		ns_srv nft flush ruleset
		;;
	esac
}

# The leftover check must see what it is there to see: a table, xt_pknock
# and a guard left on purpose are reported, and gone after scrub.
ns_srv nft add table inet nfk_probe
modprobe x_tables && insmod "$PKO"
ksrv guard add tcp/9 > /dev/null
left=$(leftovers)
check_eq "the leftover check sees a table, xt_pknock and a guard" \
	"$(grep -c -e 'nfk_probe' -e 'xt_pknock is loaded' -e 'nfknock: hooked true, 1 guards' <<< "$left")" 3
scrub
check_eq "nothing left after scrub" "$(leftovers)" ""

declare -A ms att cli aft disc
for ((r = 1; r <= ROUNDS; r++)); do
	n=${#CONFIGS[@]}
	for ((j = 0; j < n; j++)); do
		c=${CONFIGS[(j + r - 1) % n]}
		left=$(leftovers)
		if [[ -n $left ]]; then
			echo "round $r $c: discarded: left by the previous configuration: $(tr '\n' ';' <<< "$left")"
			disc[$c]=$((${disc[$c]:-0} + 1))
			scrub
			continue
		fi
		# Not in a subshell: a daemon's PID must reach $daemon.
		if ! setup "$c" > "$W/setup.log" 2>&1; then
			echo "round $r $c: discarded: setup failed: $(tail -n 20 "$W/setup.log")"
			disc[$c]=$((${disc[$c]:-0} + 1))
			scrub
			continue
		fi
		client "$c"
		opts=(--closed)
		[[ $c == floor ]] && opts=(--open)
		[[ $c == fwknop ]] && opts+=(--env "$(grep ^LD_LIBRARY_PATH= "$PEERS/env")")
		res=$(ns_c1 $PY "$BENCH/knock_connect.py" $SRV4 $PORT "${opts[@]}" -- "${cmd[@]}")
		echo "round $r $c: $res"
		case $res in
		ok\ *)
			read -r _ t k a <<< "$res"
			ms[$c]+="${t#total_ms=} " cli[$c]+="${k#client_ms=} " att[$c]+="${a#attempts=} "
			aft[$c]+="$(awk -v t="${t#total_ms=}" -v k="${k#client_ms=}" 'BEGIN { print t - k }') "
			;;
		open-before | closed-before)
			echo "round $r $c: discarded: tcp/$PORT was ${res%-before} before the knock"
			disc[$c]=$((${disc[$c]:-0} + 1))
			;;
		*) fail "round $r $c: the knock did not open tcp/$PORT ($res)" ;;
		esac
		if ! teardown "$c" > "$W/teardown.log" 2>&1; then
			echo "round $r $c: teardown: $(cat "$W/teardown.log")"
		fi
	done
done
scrub

# stats "V V V ...": "median min max n"
stats() {
	tr ' ' '\n' <<< "$1" | grep . | sort -g | awk '{ v[NR] = $1 }
		END { if (!NR) { print "- - - 0"; exit }
		      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      print m, v[1], v[NR], NR }'
}
read -r floor _ <<< "$(stats "${ms[floor]:-}")"
for c in "${CONFIGS[@]}"; do
	read -r m lo hi cnt <<< "$(stats "${ms[$c]:-}")"
	read -r am _ <<< "$(stats "${att[$c]:-}")"
	read -r cm _ <<< "$(stats "${cli[$c]:-}")"
	read -r fm _ <<< "$(stats "${aft[$c]:-}")"
	if ((cnt == 0)); then
		echo "BENCH peers_connect $c: no measurement (${disc[$c]:-0} discarded)"
		continue
	fi
	awk -v c="$c" -v m="$m" -v lo="$lo" -v hi="$hi" -v am="$am" -v cm="$cm" -v fm="$fm" -v f="$floor" \
		-v n="$cnt" -v d="${disc[$c]:-0}" 'BEGIN {
		r = (f != "" && f != "-" && f > 0) ? sprintf("%.2f", m / f) : "-"
		printf "BENCH peers_connect %s: median %.1f ms (min %.1f, max %.1f), attempts median %s, client median %.1f ms, after the client median %.1f ms, floor %s ms, ratio %s (n=%d, %d discarded)\n",
			c, m, lo, hi, am, cm, fm, (f == "" ? "-" : f), r, n, d }'
done
finish
