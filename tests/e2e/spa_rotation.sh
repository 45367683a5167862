#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Key rotation without a flag day (docs/config.md, "Key rotation"). A
# client key: alice listed with two public keys (public_keys = [old, new])
# gets in with either, as two kernel users (alice, alice#2); once the old
# key is removed its knock is unknown and opens nothing, the new one still
# works and kept its grant. A server key: with next_private_key_file,
# knocks made with the next server public key (alice@next) and with the
# current one both work; once the next key is the only one, the old server
# public key's knock is unknown and the new one works.
#
#     c1 (10.0.0.2 fd00::2): alice_old,       c2 (10.0.0.3 fd00::3):
#       then alice_new                          alice_new
#             \                                  /
#              ------------- hub br0 ------------
#                               |
#     srv (10.0.0.1 fd00::1): guards tcp/22 (socat echo); user alice; server
#                             keys "server", then "server_next" beside it,
#                             then "server_next" alone
# nfknock-debug: skip, knockctl's work only (the users apply loads); its
#   kernel path (several users, hint probe, grants revoked at apply) is
#   spa_open, spa_many_users and spa_policy_change
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice_old alice_new server_next
conf=$SPA/nfknock.conf
# config SERVER_KEY NEXT_KEY ALICE_KEY...: the server key pair named
# SERVER_KEY, NEXT_KEY's as next_private_key_file unless empty, tcp/22
# guarded, alice with the public keys of ALICE_KEY...
config() {
	local server=$1 next=$2 k keys=
	shift 2
	for k; do keys+="${keys:+, }\"$(spa_pub "$k")\""; done
	{
		spa_server | sed "s|\"$SPA/server.key\"|\"$SPA/$server.key\"|"
		[[ -z $next ]] || printf 'next_private_key_file = "%s"\n\n' "$SPA/$next.key"
		spa_guard tcp/22
		printf '[[user]]\nname = "alice"\npublic_keys = [%s]\nallow = ["tcp/22"]\n' "$keys"
	} > "$conf"
}
# check_apply NOTE: check notes NOTE (a fixed string), then apply loads
# alice as two kernel users.
check_apply() {
	local out
	out=$(ksrv check "$conf" 2>&1)
	echo "$out" | sed 's/^/    /'
	check "check notes: $1" grep -qF "note: $1" <<< "$out"
	check_eq "apply loads two kernel users" "$(ksrv apply "$conf")" \
		"applied $conf: 1 user (2 kernel users), 1 guard, 1 knock port"
}
# apply_revokes_one DESC: apply, which revokes one grant.
apply_revokes_one() {
	local out
	out=$(ksrv apply "$conf")
	echo "$out" | sed 's/^/    /'
	check "apply revokes $1" grep -q "revoked 1 grants" <<< "$out"
}
tcp_echo "$srv" 22
dmesg_mark

# A client key: the old and the new side by side.
config server "" alice_old alice_new
check_apply "user alice: 2 public keys"
check_eq "the old key from c1: knock && connect" \
	"$(knock_connect "$c1" alice_old $SRV4 22 --open tcp/22 --for 60s)" ok
check_eq "the new key from c2: knock && connect" \
	"$(knock_connect "$c2" alice_new $SRV4 22 --open tcp/22 --for 60s)" ok
check_eq "grants: c1 by alice (old key)" "$(grants_of $C14)" "tcp/22 alice"
check_eq "grants: c2 by alice#2 (new key)" "$(grants_of $C24)" "tcp/22 alice#2"
check_eq "users: each key once, with its own fingerprint" \
	"$(ksrv users --json | jq -r '"\([.[].name] | join(",")) \([.[].fingerprint] | unique | length)"')" \
	"alice,alice#2 2"

# The old key removed: unknown from then on; the new one is alice again.
config server "" alice_new
apply_revokes_one "the old key's grant"
check_eq "c2's grant stays, its user now alice" "$(grants_of $C24)" "tcp/22 alice"
start=$(knock_counters)
check "the old key knocks from c1" knock "$c1" alice_old $SRV4 --open tcp/22
expect_counted "the old key after its removal" "$start" unknown
expect_tcp timeout "$c1" $SRV4 22 "the old key opened nothing"
check_eq "the new key from c1: knock && connect" \
	"$(knock_connect "$c1" alice_new $SRV4 22 --open tcp/22 --for 60s)" ok

# A server key: the next one beside the current one (over IPv6, where
# c1 and c2 hold no grant yet).
config server server_next alice_new
check_apply "next server key $(spa_pub server_next) "
check_eq "the next server key from c1: knock && connect" \
	"$(SPA_SERVER=server_next knock_connect "$c1" alice_new "$SRV6" 22 --open tcp/22 --for 60s)" ok
check_eq "the current server key from c2: knock && connect" \
	"$(knock_connect "$c2" alice_new "$SRV6" 22 --open tcp/22 --for 60s)" ok
check_eq "grants: fd00::2 by alice@next" "$(grants_of "$C16")" "tcp/22 alice@next"
check_eq "grants: fd00::3 by alice" "$(grants_of "$C26")" "tcp/22 alice"
check "dmesg names alice@next" grep -q "knock_accepted user=alice@next " <<< "$(dmesg_since)"

# The next key made the current one, the old one gone.
config server_next "" alice_new
apply_revokes_one "alice@next's grant"
start=$(knock_counters)
check "a knock with the old server public key" knock "$c1" alice_new "$SRV6" --open tcp/22
expect_counted "the old server key after the rotation" "$start" unknown
expect_tcp timeout "$c1" "$SRV6" 22 "the old server key opened nothing"
check_eq "the new server key from c1: knock && connect" \
	"$(SPA_SERVER=server_next knock_connect "$c1" alice_new "$SRV6" 22 --open tcp/22 --for 60s)" ok
check_eq "grants: fd00::2 by alice" "$(grants_of "$C16")" "tcp/22 alice"

finish
