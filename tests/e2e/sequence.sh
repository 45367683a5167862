#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Derived port-sequence knocks: TCP SYNs (or UDP datagrams) to ports derived
# from the user's key, the time window and the service open that service for
# the sender, from `knockctl knock --sequence` or from plain `nc -z`. The
# same ports in the wrong order, for a service the user may not open, from a
# source outside the user's prefixes, or replayed (sniffed with tcpdump)
# after their window open nothing; two clients knocking interleaved both
# get in; a listener on a port that is also a step keeps serving; an nmap
# scan of the whole range opens nothing; the same over IPv6. A static
# sequence (knockd's kind) sent with nc opens its service, over IPv4 and
# IPv6, with unrelated traffic between its steps; in the wrong order or
# with a step's protocol wrong it opens nothing.
#
#     c1 (10.0.0.2 fd00::2): alice           c2 (10.0.0.3 fd00::3): alice, bob
#             \                                   /
#              ------------- hub br0 -------------
#                               |
#     srv (10.0.0.1 fd00::1): guards tcp/22, tcp/2222 (socat echo); alice
#         may open tcp/22 with default sequences (4 TCP steps, 10000-65000,
#         30 s windows); bob tcp/22 with 3 UDP steps in 20000-29999 and 10 s
#         windows, from 10.0.0.3 only; static sequence knockd-2222:
#         tcp/7000 udp/8000 tcp/9000 opens tcp/2222 for 30 s
source "$(dirname "$0")/lib.sh"
require nc
require tcpdump

setup_net
spa_init
spa_key alice bob
conf=$SPA/nfknock.conf
bobseq='{ proto = "udp", length = 3, range = "20000-29999", window = "10s" }'
{
	spa_server
	spa_guard tcp/22 tcp/2222
	spa_user alice allow='["tcp/22"]' sequence=true
	spa_user bob allow='["tcp/22"]' sources='["10.0.0.3/32"]' sequence="$bobseq"
	cat <<-'TOML'
		[[sequence]]
		name = "knockd-2222"
		knock = ["tcp/7000", "udp/8000", "tcp/9000"]
		opens = "tcp/2222"
		for = "30s"
	TOML
} > "$conf"
# bob's client profile carries bob's sequence parameters.
cat > "$SPA/bob.toml" <<-TOML
	[[server]]
	name = "srv"
	address = "$SRV4"
	public_key = "$(spa_pub server)"
	key_file = "$SPA/bob.key"
	sequence = $bobseq
TOML
check "check accepts the config" ksrv check "$conf"
check "check warns that the static sequence can be replayed" \
	grep -qi "replay" <<< "$(ksrv check "$conf" 2>&1)"
check "apply the config" ksrv apply "$conf"
tcp_echo "$srv" 22 2222
dmesg_mark

# seq_json NS USER HOST SERVICE [ARGS...]: knockctl sequence --json, with
# at least 8 s left in the window (else the next window's, once it began).
seq_json() {
	local ns=$1 user=$2 host=$3 svc=$4 out left
	shift 4
	out=$(in_ns "$ns" knockctl sequence "$host" "$svc" --json \
		--server-key "$(spa_pub server)" --key "$SPA/$user.key" "$@") || return 1
	left=$(jq -r .seconds_left <<< "$out")
	if ((left < 8)); then
		sleep $((left + 1))
		out=$(in_ns "$ns" knockctl sequence "$host" "$svc" --json \
			--server-key "$(spa_pub server)" --key "$SPA/$user.key" "$@") || return 1
	fi
	echo "$out"
}
ports_of() { jq -r '.ports | map(tostring) | join(" ")' <<< "$1"; }
# nc_steps NS HOST PORT...: one SYN to each port in order (nc -z: connect,
# then close; an unused port answers RST at once).
nc_steps() {
	local ns=$1 host=$2 p
	shift 2
	for p; do in_ns "$ns" nc -z -w 1 "$host" "$p"; done
	return 0
}
# forget ADDR: revoke ADDR's grants, if it still has any.
forget() { ksrv revoke "$1" > /dev/null 2>&1 || :; }
# tcp_nc NS HOST PORT: ok when a connection is made within 2 s, else closed.
tcp_nc() { in_ns "$1" nc -z -w 2 "$2" "$3" && echo ok || echo closed; }
seq_counters() {
	ksrv status --json | jq -r '.stats | to_entries[] |
		select(.key | startswith("seq_")) | "\(.key) \(.value)"'
}
seq_moved() {
	printf '%s\n--\n%s\n' "$1" "$(seq_counters)" | awk '
		$0 == "--" { after = 1; next }
		!after { a[$1] = $2; next }
		$2 != a[$1] { printf "%s%s+%d", sep, $1, $2 - a[$1]; sep = "," }'
}

check_eq "users: alice's sequence parameters" \
	"$(ksrv users --json | jq -c '.[] | select(.name == "alice") | .sequence')" \
	'{"length":4,"proto":"tcp","range":"10000-65000","window_s":30}'
check_eq "tcp/22 closed to c1 before any knock" "$(tcp_nc "$c1" $SRV4 22)" closed

# 1. knockctl knock --sequence, then connect.
before=$(seq_counters)
check "c1: knock --sequence tcp/22" \
	knock "$c1" alice $SRV4 --open tcp/22 --sequence
check_eq "c1: tcp/22 open after the sequence" "$(tcp_nc "$c1" $SRV4 22)" ok
check_eq "grants: c1 tcp/22 by alice" "$(grants_of $C14)" "tcp/22 alice"
check_eq "counters: 4 steps, 1 completed" "$(seq_moved "$before")" \
	"seq_completed+1,seq_steps+4"

# 2. The same ports with plain nc -z, from c2.
j=$(seq_json "$c2" alice $SRV4 tcp/22)
ports=$(ports_of "$j")
check_eq "sequence has 4 ports in 10000-65000 ($ports)" \
	"$(jq '[.ports[] | select(. >= 10000 and . <= 65000)] | length' <<< "$j")" 4
check_eq "tcp/22 closed to c2 before its knock" "$(tcp_nc "$c2" $SRV4 22)" closed
nc_steps "$c2" $SRV4 $ports
check_eq "c2: nc -z over the 4 ports opens tcp/22" "$(tcp_nc "$c2" $SRV4 22)" ok
check_eq "grants: c2 tcp/22 by alice" "$(grants_of $C24)" "tcp/22 alice"

# 3. Wrong order: the first step, then the third before the second.
forget $C24
before=$(seq_counters)
set -- $ports
nc_steps "$c2" $SRV4 "$1" "$3" "$2" "$4"
check_eq "steps 1 3 2 4: tcp/22 still closed" "$(tcp_nc "$c2" $SRV4 22)" closed
check_eq "steps 1 3 2 4: no grant" "$(grants_of $C24)" ""
check "steps 1 3 2 4: counted as a failed attempt" \
	grep -q seq_failed <<< "$(seq_moved "$before")"

# 4. A service alice may not open: its ports start nothing.
before=$(seq_counters)
j=$(seq_json "$c2" alice $SRV4 tcp/2222)
nc_steps "$c2" $SRV4 $(ports_of "$j")
check_eq "sequence for tcp/2222 (not allowed): closed" "$(tcp_nc "$c2" $SRV4 2222)" closed
check_eq "sequence for tcp/2222: no grant" "$(grants_of $C24)" ""
check_not "sequence for tcp/2222: nothing completed" \
	grep -q seq_completed <<< "$(seq_moved "$before")"

# 5. Two clients interleaved, step by step.
forget $C14
j=$(seq_json "$c1" alice $SRV4 tcp/22)
for p in $(ports_of "$j"); do
	in_ns "$c1" nc -z -w 1 $SRV4 "$p"
	in_ns "$c2" nc -z -w 1 $SRV4 "$p"
done
check_eq "interleaved: c1 gets in" "$(tcp_nc "$c1" $SRV4 22)" ok
check_eq "interleaved: c2 gets in" "$(tcp_nc "$c2" $SRV4 22)" ok

# 6. A listener on a port that is also a step keeps serving, and the step
#    still counts.
forget $C14
j=$(seq_json "$c1" alice $SRV4 tcp/22)
set -- $(ports_of "$j")
step2=$2
tcp_echo "$srv" "$step2"
check_eq "listener on step port $step2 serves c2" \
	"$(tcp_probe "$c2" $SRV4 "$step2")" ok
nc_steps "$c1" $SRV4 "$@"
check_eq "sequence through the listening step opens tcp/22" \
	"$(tcp_nc "$c1" $SRV4 22)" ok
check_eq "listener on step port $step2 still serves c2" \
	"$(tcp_probe "$c2" $SRV4 "$step2")" ok

# 7. bob: UDP steps from a profile; sources 10.0.0.3/32 only.
prof=(--profile "$SPA/bob.toml")
check "c2: bob's knock --sequence (udp steps) from the profile" \
	in_ns "$c2" knockctl knock srv --open tcp/22 --sequence "${prof[@]}"
check_eq "grants: c2 tcp/22 by bob" "$(grants_of $C24 | tr ',' '\n' | grep -c bob)" 1
forget $C14
before=$(seq_counters)
check "c1: bob's knock from outside bob's sources" \
	in_ns "$c1" knockctl knock srv --open tcp/22 --sequence "${prof[@]}"
check_eq "outside the sources: counted not allowed, no grant" \
	"$(seq_moved "$before"),$(grants_of $C14)" "seq_not_allowed+1,seq_steps+3,"

# 8. Sniffed and replayed after its window (bob: 10 s windows, so the
#    ports of window w are refused from window w+2 on).
forget $C24
in_ns "$hub" tcpdump -i p3 -nn -U -w "$SPA/steps.pcap" \
	"udp and src host $C24 and dst portrange 20000-29999" 2> "$SPA/tcpdump.err" &
bg_pids+=($!)
wait_grep "$SPA/tcpdump.err" "listening on" || fail "tcpdump did not start"
check "c2: bob knocks (sniffed)" \
	in_ns "$c2" knockctl knock srv --open tcp/22 --sequence "${prof[@]}"
# The steps went out in this window or the one before (knock waits for
# the next window when the current one is about to turn).
t_knock=$(date +%s)
sleep 1
kill "${bg_pids[-1]}"
wait "${bg_pids[-1]}" 2> /dev/null
sniffed=$(tcpdump -nn -r "$SPA/steps.pcap" 2> /dev/null |
	sed -nE 's/.* > [0-9.]+\.([0-9]+): UDP.*/\1/p' | uniq | tr '\n' ' ')
check_eq "tcpdump saw 3 steps ($sniffed)" "$(wc -w <<< "$sniffed")" 3
[[ -n $sniffed ]] || sniffed="none seen"
check_eq "the sniffed knock opened tcp/22" "$(tcp_nc "$c2" $SRV4 22)" ok
forget $C24
w=$((t_knock / 10))
now=$(date +%s)
((now < (w + 2) * 10)) && sleep $(((w + 2) * 10 - now))
for p in $sniffed; do
	in_ns "$c2" bash -c "echo x > /dev/udp/$SRV4/$p" 2> /dev/null
done
check_eq "replayed after the window: tcp/22 stays closed" "$(tcp_nc "$c2" $SRV4 22)" closed
check_eq "replayed after the window: no grant" "$(grants_of $C24)" ""

# 9. IPv6: alice's knock --sequence from c1's IPv6 address.
forget $C16
check "c1: knock --sequence tcp/22 over IPv6" \
	knock "$c1" alice $SRV6 --open tcp/22 --sequence
check_eq "c1: tcp/22 open over IPv6" "$(tcp_nc "$c1" $SRV6 22)" ok
check_eq "grants: $C16 tcp/22 by alice" "$(grants_of $C16)" "tcp/22 alice"

# 10. The static sequence: tcp/7000 udp/8000 tcp/9000 opens tcp/2222.
check_eq "status: one static sequence" \
	"$(ksrv status --json | jq -c '[.static_sequences[] | .name, .knock, .opens, .for_s]')" \
	'["knockd-2222",["tcp/7000","udp/8000","tcp/9000"],"tcp/2222",30]'
# static_steps NS HOST [PROTO/PORT...]: one SYN (nc -z) or datagram each.
static_steps() {
	local ns=$1 host=$2 s
	shift 2
	for s; do
		case $s in
		tcp/*) in_ns "$ns" nc -z -w 1 "$host" "${s#tcp/}" ;;
		udp/*) in_ns "$ns" bash -c "echo x > /dev/udp/$host/${s#udp/}" 2> /dev/null ;;
		esac
	done
	return 0
}
forget $C14
forget $C24
check_eq "tcp/2222 closed to c1 before the static sequence" "$(tcp_nc "$c1" $SRV4 2222)" closed
before=$(seq_counters)
static_steps "$c1" $SRV4 tcp/7000 udp/8000 tcp/9000
check_eq "static sequence with nc opens tcp/2222 for c1" "$(tcp_nc "$c1" $SRV4 2222)" ok
check_eq "grants: c1 tcp/2222, static" "$(grants_of $C14)" "tcp/2222 static"
check_eq "counters: 3 steps, 1 completed" "$(seq_moved "$before")" \
	"seq_completed+1,seq_steps+3"
check_eq "the static grant is for c1 only" "$(tcp_nc "$c2" $SRV4 2222)" closed
# Unrelated traffic between the steps (another port, another protocol on
# a step's port) leaves the attempt alone.
static_steps "$c2" $SRV4 tcp/7000 tcp/5555 udp/9000 udp/8000 tcp/5556 tcp/9000
check_eq "static sequence with traffic between the steps opens tcp/2222" \
	"$(tcp_nc "$c2" $SRV4 2222)" ok
forget $C24
before=$(seq_counters)
static_steps "$c2" $SRV4 tcp/7000 tcp/9000 udp/8000
check_eq "static steps 1 3 2: tcp/2222 closed" "$(tcp_nc "$c2" $SRV4 2222)" closed
check "static steps 1 3 2: counted as a failed attempt" \
	grep -q seq_failed <<< "$(seq_moved "$before")"
static_steps "$c2" $SRV4 tcp/7000 tcp/8000 tcp/9000
check_eq "static steps with udp/8000 sent as tcp: closed" "$(tcp_nc "$c2" $SRV4 2222)" closed
check_eq "no grant for c2 after the wrong sequences" "$(grants_of $C24)" ""
forget $C16
static_steps "$c1" $SRV6 tcp/7000 udp/8000 tcp/9000
check_eq "static sequence over IPv6 opens tcp/2222 for $C16" \
	"$(tcp_nc "$c1" $SRV6 2222)" ok
check_eq "grants: $C16 tcp/2222, static" \
	"$(grants_of $C16 | tr ',' '\n' | grep -c 'tcp/2222 static')" 1

# 11. An nmap SYN scan of alice's whole range from c2 opens nothing (its
#    in-range SYNs end every attempt they start). Left to Debian's kernels:
#    55,000 SYNs take minutes on the debug kernel.
if ! debug_kernel; then
	require nmap
	forget $C24
	timeout 300 ip netns exec "$c2" nmap -n -Pn -sS -T5 --max-retries 0 \
		-p 10000-65000 $SRV4 > "$SPA/nmap.out" 2>&1
	check "nmap scanned the range" grep -q "Nmap done: 1 IP address" "$SPA/nmap.out"
	check_eq "after the scan: tcp/22 closed to c2" "$(tcp_nc "$c2" $SRV4 22)" closed
	check_eq "after the scan: no grant for c2" "$(grants_of $C24)" ""
fi

log=$(dmesg_since)
check "dmesg: sequence accepted for alice from $C14" \
	grep -Fq "nfknock: sequence_completed user=alice source=$C14 unverified=yes service=tcp/22 address=$C14 duration=60s" <<< "$log"
check "dmesg: bob refused from $C14" \
	grep -Fq "nfknock: sequence_failed user=bob source=$C14 unverified=yes reason=not_allowed service=tcp/22" <<< "$log"
check "dmesg: static sequence accepted for $C14" \
	grep -Fq "nfknock: sequence_completed sequence=knockd-2222 source=$C14 unverified=yes service=tcp/2222 address=$C14 duration=30s" <<< "$log"
finish
