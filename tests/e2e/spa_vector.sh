#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The committed test vectors (tests/vectors/spa-v1.txt), checked in the
# kernel: the guest's clock is set just before the vector's timestamp, the
# server's private key and the client's public key are the vector's, and the
# vector's datagram, sent as raw bytes, must be accepted. That proves that
# the module's SipHash hint, XChaCha20-Poly1305 open and plaintext decoding
# agree byte for byte with libsodium and the core's unit tests: the grant is
# for the vector's explicit address 192.0.2.7, tcp/22, one-shot, 30 s, from
# the user with the vector's fingerprint.
#
#     c1 (10.0.0.2): sends the vector datagram
#             |
#     srv (10.0.0.1): guard tcp/22, user "vector", knock port udp/62201
# nfknock-debug: skip, its kernel path (hint, AEAD, grant) is spa_open; the
#   committed vectors are about bytes, not memory safety
source "$(dirname "$0")/lib.sh"

# Only in the test VM: this scenario sets the system clock.
if [[ $(hostname) != nfknock-vm ]]; then
	echo "SKIP: sets the clock, runs only in the test VM"
	exit $ksft_skip
fi
vec() { sed -n "s/^$1 = //p" "$REPO/tests/vectors/spa-v1.txt"; }
ts_ms=$(vec timestamp_ms)
datagram=$(vec datagram)
[[ -n $ts_ms && -n $datagram ]] || { echo "FAIL: vectors missing"; exit 1; }

setup_net
spa_init
$PY -c 'import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' \
	"$(vec server_sk)" > "$SPA/server.key"
chmod 600 "$SPA/server.key"
vec client_pk_base64 > "$SPA/vector.pub"
knockctl pubkey < "$SPA/server.key" > "$SPA/server.pub"
check_eq "server key pair is the vector's" "$(cat "$SPA/server.pub")" "$(vec server_pk_base64)"

# The clock goes 10 s before the vector's timestamp for the apply (the
# user's replay floor is its load time, which must stay below the
# timestamp), then to 1 s before it for the knocks, which leaves 31 s until
# the timestamp falls out of the 30 s skew. Elapsed time comes from
# /proc/uptime, which clock changes leave alone.
uptime_s() { cut -d. -f1 /proc/uptime; }
saved=$(date +%s) up0=$(uptime_s)
restore_clock() { date -s "@$((saved + $(uptime_s) - up0))" > /dev/null; spa_cleanup; }
trap restore_clock EXIT
date -s "@$((ts_ms / 1000 - 10))" > /dev/null
echo "    guest clock set to $(date -u +%FT%TZ)"

conf=$SPA/nfknock.conf
{
	spa_server
	spa_guard tcp/22
	# The vector names 192.0.2.7 and is sent from c1: about bytes, not
	# binding (binding.sh), so this user takes an address not its source.
	spa_user vector allow='["tcp/22"]' max_duration='"60s"' require_address=false
} > "$conf"
check "apply the vector's user" ksrv apply "$conf"
check_eq "user fingerprint is the vector's" \
	"$(ksrv users --json | jq -r '.[0].fingerprint')" "$(vec fpr)"
counted=$(knock_counters)

before=$counted
check_eq "vector datagram with one flipped tag byte" \
	"$(ns_c1 $SPA_TOOL send $SRV4 $SPA_PORT --hex "$datagram" --flip $((${#datagram} / 2 - 1)) --timeout 1)" refused
expect_counted "flipped tag" "$before" bad_auth

date -s "@$((ts_ms / 1000 - 1))" > /dev/null
before=$counted
check_eq "vector datagram sent (pass mode: the unused port refuses)" \
	"$(ns_c1 $SPA_TOOL send $SRV4 $SPA_PORT --hex "$datagram" --timeout 1)" refused
expect_counted "vector datagram" "$before" accepted
before=$counted
check_eq "the same datagram again" \
	"$(ns_c1 $SPA_TOOL send $SRV4 $SPA_PORT --hex "$datagram" --timeout 1)" refused
expect_counted "vector datagram replayed" "$before" replay
echo "    knocks done $(( $(date +%s) - ts_ms / 1000 )) s after the vector's timestamp (skew 30 s)"

check_eq "grant for the vector's address and service, by its user" \
	"$(grants_of 192.0.2.7)" "tcp/22 vector"
g=$(ksrv grants --json | jq -c '.[0]')
check_eq "grant is one-shot" "$(jq -r .once <<< "$g")" true
left=$(jq -r .expires_ms <<< "$g")
check "grant runs for at most the vector's 30 s (left: $left ms)" \
	test "$left" -gt 0 -a "$left" -le 30000

finish
