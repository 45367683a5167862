#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A configuration with 1,000 users applies in one go, `knockctl users` lists
# all of them, and the first and the last user's knocks still open the
# guard (the hint index finds a user among many without trying each).
#
#     c1 (10.0.0.2): alice (first user)    c2 (10.0.0.3): zed (last user)
#             \                             /
#              ----------- hub br0 ---------
#                             |
#     srv (10.0.0.1): guard tcp/22 (socat echo); alice, u0002..u0999, zed
#
# alice's and zed's keys come from knockctl genkey/pubkey; the 998 others
# are distinct X25519 public keys made by spa_tool.py in one process (their
# private keys are never needed, and 998 knockctl runs take minutes under
# TCG).
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice zed
conf=$SPA/nfknock.conf
{
	spa_server
	spa_guard tcp/22
	spa_user alice
	$SPA_TOOL pubkeys 998 | awk '{
		printf "[[user]]\nname = \"u%04d\"\npublic_key = \"%s\"\n", NR + 1, $1
		printf "allow = [\"tcp/22\"]\nmax_duration = \"60s\"\n\n"
	}'
	spa_user zed
} > "$conf"
check_eq "config has 1000 users" "$(grep -c '^\[\[user\]\]' "$conf")" 1000

t0=$(date +%s%N)
check "apply 1000 users" ksrv apply "$conf"
echo "    apply took $((($(date +%s%N) - t0) / 1000000)) ms"
tcp_echo "$srv" 22
start=$(knock_counters)

check_eq "users --json lists 1000" "$(ksrv users --json | jq length)" 1000
check_eq "status counts 1000 users" "$(ksrv status --json | jq .users_count)" 1000
check_eq "alice (first): knock && connect" \
	"$(knock_connect "$c1" alice $SRV4 22 --open tcp/22 --for 30s)" ok
check_eq "zed (last): knock && connect" \
	"$(knock_connect "$c2" zed $SRV4 22 --open tcp/22 --for 30s)" ok
check_eq "2 accepted, nothing else counted" "$(counters_moved "$start")" knocks_accepted+2

finish
