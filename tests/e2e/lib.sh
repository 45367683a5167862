# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the e2e scenarios; each scenario sources this first.
# Scenarios run as root, in the test VM (tests/vm/run) or on any disposable
# Linux box with the module built for the running kernel.
#
# Topology built by setup_net (every namespace name has a random suffix):
#
#     c1: 10.0.0.2 fd00::2         c2: 10.0.0.3 fd00::3
#           eth0                         eth0
#             |                            |
#           +-+------------ hub: br0 ------+-+
#                              |
#                            eth0
#                 srv: 10.0.0.1 fd00::1    <- knockctl guards services here
#
# Conventions (as in the kernel's netfilter selftests): one "PASS: ..." or
# "FAIL: ..." line per check, exit 0 when every check passed, 1 otherwise,
# 4 (ksft_skip) when a needed tool is missing.

set -u

# NFKNOCK_TRACE=1: every command with a timestamp, to see where a slow
# scenario spends its time (tests/vm/run forwards NFKNOCK_* to the guest).
if [[ ${NFKNOCK_TRACE:-} == 1 ]]; then
	PS4='+ ${EPOCHREALTIME} ${BASH_SOURCE[0]##*/}:${LINENO}: '
	set -x
fi

ksft_skip=4
E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${NFKNOCK_REPO:-$(cd "$E2E/../.." && pwd)}
NFKNOCK_KO=${NFKNOCK_KO:-$REPO/build/kmod/$(uname -r)/kmod/nfknock.ko}
# knockctl: the harness passes a private copy; by hand, the build tree's.
export PATH="${NFKNOCK_BIN:-$REPO/build/ctl}:/usr/sbin:/usr/bin:/sbin:/bin"
# -I -S: no user site, no site-packages scan; starts noticeably faster
# under TCG and nettool.py/rawgenl.py need only the standard library.
PY="/usr/bin/python3 -I -S"
NETTOOL="$PY $E2E/nettool.py"

# The project's debug kernel (KASAN, lockdep, kmemleak; tests/vm/run
# mounts debugfs) runs everything three to five times slower under TCG, and
# the debug track is the critical path of make check: there a few scenarios
# repeat less, or leave out what runs no kernel path of the module's own
# (nmap beside scapy's same probes); docs/testing.md lists them.
debug_kernel() { [[ -e /sys/kernel/debug/kmemleak ]]; }

SRV4=10.0.0.1 C14=10.0.0.2 C24=10.0.0.3
SRV6=fd00::1 C16=fd00::2 C26=fd00::3

rnd=$(mktemp -u XXXXXXXX)
hub=nfk-hub-$rnd srv=nfk-srv-$rnd c1=nfk-c1-$rnd c2=nfk-c2-$rnd
namespaces=()
bg_pids=()
failures=0
checks=0

# in_ns NS CMD...: run CMD in network namespace NS. nsenter joins only the
# network namespace; `ip netns exec` also builds a mount namespace with a
# fresh /sys, which costs about 0.5 s per command on the debug kernel
# under TCG (0.3 s with nsenter) and no scenario needs.
# A function run with & is a subshell, so $! would not be the server:
# background jobs whose $! is killed call nsenter directly instead.
in_ns() { nsenter --net="/run/netns/$1" -- "${@:2}"; }
ns_hub() { in_ns "$hub" "$@"; }
ns_srv() { in_ns "$srv" "$@"; }
ns_c1() { in_ns "$c1" "$@"; }
ns_c2() { in_ns "$c2" "$@"; }
# knockctl acts on the namespace it runs in: the server's.
ksrv() { in_ns "$srv" knockctl "$@"; }

pass() { checks=$((checks + 1)); echo "PASS: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }

# check DESC CMD...: CMD must succeed. check_not DESC CMD...: must fail.
# Output of CMD is shown (indented) so a failure explains itself.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ -n $out ]] && sed 's/^/    /' <<< "$out"
	if ((rc == 0)); then pass "$desc"; else fail "$desc (exit $rc)"; fi
}
check_not() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ -n $out ]] && sed 's/^/    /' <<< "$out"
	if ((rc != 0)); then pass "$desc"; else fail "$desc (succeeded)"; fi
}
# check_eq DESC GOT WANT
check_eq() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1 (got '$2', want '$3')"
	fi
}

# finish: the scenario's exit status.
finish() {
	echo "$(basename "$0" .sh): $checks checks, $failures failed"
	((failures == 0)) && exit 0
	exit 1
}

require() {
	local t
	for t; do
		command -v "$t" > /dev/null && continue
		echo "SKIP: $t not found"
		exit $ksft_skip
	done
}

[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit $ksft_skip; }
require ip nsenter socat ss knockctl jq /usr/bin/python3

module_loaded() { grep -q '^nfknock ' /proc/modules; }
module_load() {
	module_loaded && return 0
	# The debug kernel has these built in and no modules directory; a
	# dependency really missing makes insmod fail with "Unknown symbol".
	modprobe -a nf_defrag_ipv4 nf_defrag_ipv6 nf_reject_ipv4 nf_reject_ipv6 \
		libchacha20poly1305 2>/dev/null
	insmod "$NFKNOCK_KO"
}

cleanup() {
	local pid
	for pid in "${bg_pids[@]}"; do
		kill "$pid" 2> /dev/null
	done
	if [[ -n ${SSHD:-} ]]; then rm -rf "$SSHD"; fi
	((${#namespaces[@]})) || return 0
	# One ip process for everything (each costs ~0.5 s on the debug kernel).
	for pid in $(printf 'netns pids %s\n' "${namespaces[@]}" | ip -force -batch - 2> /dev/null); do
		kill "$pid" 2> /dev/null
	done
	printf 'netns del %s\n' "${namespaces[@]}" | ip -force -batch - 2> /dev/null
	return 0
}
trap cleanup EXIT

# new_ns NS...: new network namespaces (one ip process), removed by cleanup.
new_ns() {
	printf 'netns add %s\n' "$@" | ip -batch - || exit 1
	namespaces+=("$@")
}

# add_ns NS...: new network namespaces with lo up.
add_ns() {
	new_ns "$@"
	local ns
	for ns; do ip -n "$ns" link set lo up; done
}

# setup_net: the topology drawn at the top of this file, built with six
# `ip -batch` runs rather than thirty ip commands.
setup_net() {
	local hosts=("$srv" "$c1" "$c2") v4=($SRV4 $C14 $C24) v6=($SRV6 $C16 $C26) i
	# lo comes up in the per-namespace batches below, not as in add_ns.
	new_ns "$hub" "${hosts[@]}"
	# p1..p3 in the hub, each peered with eth0 in one host.
	for i in 0 1 2; do
		echo "link add p$((i + 1)) netns $hub type veth peer name eth0 netns ${hosts[i]}"
	done | ip -batch - || exit 1
	printf '%s\n' "link set lo up" "link add br0 type bridge" "link set br0 up" \
		"link set p1 master br0 up" "link set p2 master br0 up" "link set p3 master br0 up" |
		ip -n "$hub" -batch - || exit 1
	for i in 0 1 2; do
		printf '%s\n' "link set lo up" "addr add ${v4[i]}/24 dev eth0" \
			"addr add ${v6[i]}/64 dev eth0 nodad" "link set eth0 up" |
			ip -n "${hosts[i]}" -batch - || exit 1
	done
	# The module's default is reset, but the scenarios tell a refusal by
	# its timeout (drop), which a missing listener never gives; the reset
	# answers have their own scenarios (guard_blocks, stealth, flush).
	ksrv set guard-action drop > /dev/null || exit 1
}

# sshd_srv (after setup_net): an sshd on srv's tcp/22 that lets root in with
# a fresh key; its keys, config and log in $SSHD (removed by cleanup).
sshd_srv() {
	SSHD=/tmp/nfk-ssh-$rnd
	mkdir -p "$SSHD" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD/host_ed25519" || exit 1
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD/id" || exit 1
	cp "$SSHD/id.pub" "$SSHD/authorized_keys"
	cat > "$SSHD/sshd_config" <<-CONF
	Port 22
	HostKey $SSHD/host_ed25519
	PidFile $SSHD/sshd.pid
	AuthorizedKeysFile $SSHD/authorized_keys
	PermitRootLogin yes
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	CONF
	ns_srv /usr/sbin/sshd -D -e -f "$SSHD/sshd_config" > "$SSHD/sshd.log" 2>&1 &
	bg_pids+=($!)
	wait_listen "$srv" tcp 22 || { cat "$SSHD/sshd.log"; exit 1; }
}

# sshc CMD: ssh from c1 to srv's sshd as root. ConnectTimeout covers the TCP
# handshake and sshd's banner, which comes from a freshly exec'd sshd: over
# 3 s on the debug kernel when the host is busy (a session once never
# started). So 30 s, and ssh_timeout=3 only where a timeout is the expected
# outcome. -F /dev/null: ignore the host's ~/.ssh/config; known_hosts is
# never written.
sshc() {
	ns_c1 ssh -F /dev/null -i "$SSHD/id" -o ConnectTimeout="${ssh_timeout:-30}" \
		-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR root@$SRV4 "$@"
}

# wait_listen NS tcp|udp PORT: until a socket listens there (30 s at most:
# a server can take seconds to start on the debug kernel on a busy host).
wait_listen() {
	local ns=$1 proto=$2 port=$3 flag=-Htln end=$((SECONDS + 30))
	[[ $proto == udp ]] && flag=-Huln
	until [[ -n $(in_ns "$ns" ss $flag "sport = :$port") ]]; do
		if ((SECONDS >= end)); then
			echo "nothing listens on $proto/$port in $ns"
			return 1
		fi
		sleep 0.1
	done
}

# tcp_echo NS PORT...: echo servers on every IPv4 and IPv6 address of NS.
tcp_echo() {
	local ns=$1 port
	shift
	for port; do
		nsenter --net="/run/netns/$ns" socat TCP6-LISTEN:"$port",ipv6only=0,fork,reuseaddr EXEC:cat &
		bg_pids+=($!)
	done
	for port; do wait_listen "$ns" tcp "$port" || exit 1; done
}

# udp_echo NS PORT...
udp_echo() {
	local ns=$1 port
	shift
	for port; do
		nsenter --net="/run/netns/$ns" $NETTOOL udp-server "$port" &
		bg_pids+=($!)
	done
	for port; do wait_listen "$ns" udp "$port" || exit 1; done
}

# tcp_probe NS ADDR PORT [TIMEOUT]: prints ok, refused or timeout.
# A guard that drops gives "timeout", one that resets gives "refused".
tcp_probe() {
	in_ns "$1" $NETTOOL tcp "$2" "$3" --timeout "${4:-3}"
}
udp_probe() {
	in_ns "$1" $NETTOOL udp "$2" "$3" --timeout "${4:-3}" | tail -n 1 |
		sed -e 's/^udp: ok=1.*/ok/' -e 's/^udp: .*refused=1.*/refused/' \
			-e 's/^udp: .*timeout=1$/timeout/'
}

# expect_tcp WANT NS ADDR PORT [DESC]: one TCP connection, check its fate.
# Blocked connections are probed with a 2 s timeout to keep runs short.
expect_tcp() {
	local want=$1 ns=$2 addr=$3 port=$4 t=3 got
	[[ $want == ok ]] || t=2
	got=$(tcp_probe "$ns" "$addr" "$port" "$t")
	check_eq "${5:-tcp $addr:$port from $(short "$ns")}: $want" "$got" "$want"
}
expect_udp() {
	local want=$1 ns=$2 addr=$3 port=$4 t=3 got
	[[ $want == ok ]] || t=2
	got=$(udp_probe "$ns" "$addr" "$port" "$t")
	check_eq "${5:-udp $addr:$port from $(short "$ns")}: $want" "$got" "$want"
}

# Namespace names in messages: "nfk-c1-XXXX" -> "c1".
short() { local n=${1#nfk-}; echo "${n%-*}"; }

# wait_grep FILE PATTERN: until FILE has a line matching PATTERN (60 s: a
# Python probe can take over 10 s to start on the debug kernel when the
# host is busy; only a failure waits that long).
wait_grep() {
	local end=$((SECONDS + 60))
	until grep -q -- "$2" "$1" 2> /dev/null; do
		((SECONDS < end)) || { echo "no '$2' in $1 after 60 s"; return 1; }
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------
# Single-packet knocks (spa_*.sh). spa_init makes a key directory; spa_key
# NAME writes NAME.key (private, genkey) and NAME.pub (pubkey) there; the
# server's key pair is "server". Config pieces are printed by spa_server,
# spa_guard and spa_user and concatenated by the scenario into a file for
# `knockctl apply`. A knock is sent from a client namespace with knock NS
# USER HOST ARGS..., which hands knockctl the server's public key and the
# user's private key.

SPA_PORT=62201
SPA_TOOL="$PY $E2E/spa_tool.py"

spa_init() {
	SPA=/tmp/nfk-spa-$rnd
	mkdir -p "$SPA" || exit 1
	trap spa_cleanup EXIT
	spa_key server
}
spa_cleanup() {
	cleanup
	if [[ -n ${SPA:-} ]]; then rm -rf "$SPA"; fi
}

spa_key() {
	local n
	for n; do
		knockctl genkey --out "$SPA/$n.key" || { echo "genkey $n failed"; exit 1; }
		knockctl pubkey < "$SPA/$n.key" > "$SPA/$n.pub" || { echo "pubkey $n failed"; exit 1; }
	done
}
spa_pub() { cat "$SPA/$1.pub"; }

# spa_server [KNOCK_PACKETS [SKEW]]: the [server] section.
spa_server() {
	cat <<-TOML
	[server]
	private_key_file = "$SPA/server.key"
	knock_ports = ["udp/$SPA_PORT"]
	skew = "${2:-30s}"
	knock_packets = "${1:-pass}"
	guard_action = "drop"

	TOML
}
# spa_guard SERVICE...
spa_guard() {
	local s
	for s; do printf '[[guard]]\nservice = "%s"\n\n' "$s"; done
}
# spa_user NAME [KEY=VALUE...]: a [[user]] with NAME's public key; each
# KEY=VALUE (TOML value syntax) replaces a default or adds a field.
spa_user() {
	local name=$1 kv k
	shift
	local -A f=([allow]='["tcp/22"]' [max_duration]='"60s"'
		[sources]='["0.0.0.0/0", "::/0"]')
	local order=(allow max_duration sources)
	for kv; do
		k=${kv%%=*}
		[[ -v f[$k] ]] || order+=("$k")
		f[$k]=${kv#*=}
	done
	printf '[[user]]\nname = "%s"\npublic_key = "%s"\n' "$name" "$(spa_pub "$name")"
	for k in "${order[@]}"; do printf '%s = %s\n' "$k" "${f[$k]}"; done
	echo
}

# knock NS USER HOST ARGS...: knockctl knock from NS with USER's key (and
# the public key of SPA_SERVER, default "server").
knock() {
	local ns=$1 user=$2 host=$3
	shift 3
	in_ns "$ns" knockctl knock "$host" \
		--server-key "$(spa_pub "${SPA_SERVER:-server}")" \
		--key "$SPA/$user.key" "$@"
}
# knock_connect NS USER HOST PORT KNOCK_ARGS...: knock (with SPA_SERVER's
# public key, as knock), then at once (same process chain, no sleep) one
# TCP connection; prints ok/refused/timeout.
knock_connect() {
	local ns=$1 user=$2 host=$3 port=$4
	shift 4
	in_ns "$ns" bash -c '
		knockctl knock "$1" --server-key "$2" --key "$3" "${@:6}" > /dev/null ||
			{ echo "knock failed"; exit 1; }
		exec $4 tcp "$1" "$5" --timeout 3' _ \
		"$host" "$(spa_pub "${SPA_SERVER:-server}")" "$SPA/$user.key" "$NETTOOL" "$port" "$@"
}

# knock_counters: srv's knocks_* counters, one "NAME VALUE" line each.
knock_counters() {
	ksrv status --json | jq -r '.stats | to_entries[] |
		select(.key | startswith("knocks_")) | "\(.key) \(.value)"'
}
# counter NAME [COUNTERS]: one value of knock_counters (or of COUNTERS).
counter() {
	awk -v k="$1" '$1 == k { print $2 }' <<< "${2:-$(knock_counters)}"
}
# counters_moved BEFORE [AFTER]: the counters that changed, "NAME+DELTA,...".
counters_moved() {
	printf '%s\n--\n%s\n' "$1" "${2:-$(knock_counters)}" | awk '
		$0 == "--" { after = 1; next }
		!after { a[$1] = $2; next }
		$2 != a[$1] { printf "%s%s+%d", sep, $1, $2 - a[$1]; sep = "," }'
}
# expect_counted DESC BEFORE REASON: since BEFORE (knock_counters output)
# exactly knocks_REASON went up, by exactly one. The counters read last are
# left in $counted, the BEFORE of a next knock.
expect_counted() {
	counted=$(knock_counters)
	check_eq "$1: counted as $3" "$(counters_moved "$2" "$counted")" "knocks_$3+1"
}
# grants_of ADDR: "SERVICE USER" of every grant of ADDR, comma-separated;
# USER is the name of the user whose fingerprint the grant carries, "static"
# for a static sequence's grant, "admin" for knockctl grant's.
grants_of() {
	local users
	users=$(ksrv users --json)
	ksrv grants --json | jq -r --arg a "$1" --argjson u "$users" '
		([$u[] | {(.fingerprint): .name}] | add // {}) as $name |
		[.[] | select(.address == $a) |
			.service + " " + (if .user then ($name[.user] // .user)
				elif .static then "static" else "admin" end)] |
		sort | join(",")'
}

# wait_event TYPE FILTER [SECONDS]: until the JSON lines of a `knockctl
# monitor --json` in the file $ev hold an event of TYPE for which the jq
# expression FILTER holds (20 s by default); shows those of TYPE otherwise.
wait_event() {
	local end=$((SECONDS + ${3:-20}))
	# Slurped: jq -e judges only the last input's output otherwise.
	until jq -e -s --arg t "$1" "any(.[]; .event == \$t and ($2))" "$ev" > /dev/null 2>&1; do
		if ((SECONDS >= end)); then
			jq -c --arg t "$1" 'select(.event == $t)' "$ev" | sed 's/^/    seen: /'
			return 1
		fi
		sleep 0.2
	done
}

# dmesg since the scenario's start: dmesg_mark writes a marker line into the
# kernel log, dmesg_since prints what came after it.
dmesg_mark() { echo "nfknock-e2e: $(basename "$0" .sh) $rnd start" > /dev/kmsg; }
dmesg_since() { dmesg | sed -n "/nfknock-e2e: .* $rnd start/,\$p"; }
