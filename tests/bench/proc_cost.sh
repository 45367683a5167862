#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bench (make bench, not a test): what one knockctl run costs in the guest,
# beside what any process costs there. Each round runs every command once,
# in turn, so drift touches them alike; the figures are medians of the
# rounds' wall times, in ms:
#   /bin/true; nsenter into a namespace and /bin/true (the price of every
#   in_ns); knockctl --version (start-up: loading, relocation, static
#   constructors, the command tree); knockctl status in srv (a netlink
#   round trip); a knock from c1 that the module accepts (key files,
#   X25519, the AEAD, the socket, through nsenter).
# NFKNOCK_BENCH_ALT_KNOCKCTL=/path/to/another/knockctl (a path the guest
# sees: the host's file system is mounted at the same place) adds the same
# knockctl commands with that binary in the same rounds, and the ratios
# alt/this: how a change to the binary (its libraries, its linking) shows.
#
#     c1 (10.0.0.2): knocks          srv (10.0.0.1): knock port udp/62201
source "$(dirname "$0")/../e2e/lib.sh"

ROUNDS=${NFKNOCK_BENCH_PROC_ROUNDS:-30}
alt=${NFKNOCK_BENCH_ALT_KNOCKCTL:-}
if [[ -n $alt && ! -x $alt ]]; then
	echo "FAIL: NFKNOCK_BENCH_ALT_KNOCKCTL=$alt is not an executable file"
	exit 1
fi
this=$(command -v knockctl)

setup_net
spa_init
spa_key alice
conf=$SPA/nfknock.conf
{ spa_server; spa_guard tcp/22; spa_user alice; } > "$conf"
check "apply the config" ksrv apply "$conf"

# timed NAME CMD...: run CMD (output discarded) and append its wall time in
# ms to $SPA/t.NAME; a failing run is counted in $SPA/f.NAME.
timed() {
	local name=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" > /dev/null 2>&1 || echo x >> "$SPA/f.$name"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >> "$SPA/t.$name"
}
# knock_with BIN: a knock by alice from c1 with knockctl BIN.
knock_with() {
	in_ns "$c1" "$1" knock $SRV4 --server-key "$srvpub" \
		--key "$SPA/alice.key" --open tcp/22 --for 30s
}
srvpub=$(spa_pub server)

names=(true nsenter version status knock)
[[ -n $alt ]] && names+=(version_alt status_alt knock_alt)
before=$(counter knocks_accepted)
for ((r = 0; r < ROUNDS; r++)); do
	timed true /bin/true
	timed nsenter in_ns "$srv" /bin/true
	timed version "$this" --version
	timed status in_ns "$srv" "$this" status
	timed knock knock_with "$this"
	if [[ -n $alt ]]; then
		timed version_alt "$alt" --version
		timed status_alt in_ns "$srv" "$alt" status
		timed knock_alt knock_with "$alt"
	fi
done
knocks=$ROUNDS
[[ -n $alt ]] && knocks=$((2 * ROUNDS))
check_eq "every knock accepted" "$(( $(counter knocks_accepted) - before ))" "$knocks"
for n in "${names[@]}"; do
	check_eq "$n: no run failed" "$(wc -l < "$SPA/f.$n" 2> /dev/null || echo 0)" 0
done

# median NAME: the median of NAME's times.
median() { sort -n "$SPA/t.$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for n in "${names[@]}"; do
	sort -n "$SPA/t.$n" | awk -v name="$n" '{ v[NR] = $1 }
		END { printf "BENCH proc_cost %s n=%d median_ms=%.1f p10_ms=%.1f p90_ms=%.1f\n",
			name, NR, v[int((NR + 1) / 2)], v[int(NR * 0.1) + 1], v[int(NR * 0.9)] }'
done
if [[ -n $alt ]]; then
	for n in version status knock; do
		echo "BENCH proc_cost ratio ${n}_alt/$n = $(awk -v a="$(median ${n}_alt)" \
			-v b="$(median $n)" 'BEGIN { printf "%.2f", a / b }') (alt: $alt)"
	done
fi
finish
