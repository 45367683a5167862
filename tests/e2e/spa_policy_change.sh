#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Grants follow the policy that allowed them. A user's knocks hold at most
# max_grants live grants (one key cannot fill the table for everyone). An
# apply that shrinks a user's services, disables the user or removes it
# revokes the grants the new configuration no longer allows, says how many,
# and leaves every other grant (other users', the administrator's) alone.
#
#     c1 (10.0.0.2): alice and bob knock from here
#          |
#      hub br0
#          |
#     srv (10.0.0.1): guards tcp/22 and tcp/8000-8100
source "$(dirname "$0")/lib.sh"

setup_net
spa_init
spa_key alice bob
conf=$SPA/nfknock.conf
# Grants last 10 minutes: every revocation this scenario counts must find
# its grant still there, however slow the kernel (on the debug kernel the
# knocks alone take minutes; 60 s grants expired before they were revoked).
long='max_duration="10m"'
config() {
	{
		spa_server
		spa_guard tcp/22 tcp/8000-8100
		spa_user alice "allow=$1" 'max_grants=3' "$long"
		spa_user bob "$long" ${2:+"$2"}
	} > "$conf"
}
config '["tcp/22", "tcp/8000-8100"]' ''
check "apply the config" ksrv apply "$conf"
check "admin grant for c2 on tcp/8050" ksrv grant $C24 tcp/8050 --for 10m

for p in 22 8000 8001; do
	check "alice opens tcp/$p" knock "$c1" alice $SRV4 --open tcp/$p --for 10m
done
check "bob opens tcp/22 for c1 too" knock "$c1" bob $SRV4 --open tcp/22 --for 10m
# bob's knock for the same address and service took alice's tcp/22 grant
# over: it now counts against bob.
check_eq "grants after the knocks" "$(grants_of $C14)" "tcp/22 bob,tcp/8000 alice,tcp/8001 alice"
check "alice opens tcp/8002 (her third grant)" knock "$c1" alice $SRV4 --open tcp/8002 --for 10m
check "alice knocks for tcp/8003 (a fourth)" knock "$c1" alice $SRV4 --open tcp/8003 --for 10m
full=$(ksrv status --json | jq '.stats.grants_user_full')
check_eq "alice's fourth grant refused: user at its cap" "$full" 1
check_eq "alice holds three grants" "$(grants_of $C14 | tr ',' '\n' | grep -c alice)" 3
check_eq "users shows alice's grants and cap" \
	"$(ksrv users --json | jq -r '.[] | select(.name == "alice") | "\(.grants)/\(.max_grants)"')" "3/3"

# Shrink alice's services to tcp/22: her tcp/8000-8100 grants go.
config '["tcp/22"]' ''
out=$(ksrv apply "$conf")
echo "$out" | sed 's/^/    /'
check "apply says three grants were revoked" grep -q "revoked 3 grants" <<< "$out"
check_eq "grants after shrinking alice" "$(grants_of $C14)" "tcp/22 bob"
check_eq "the administrator's grant stays" "$(grants_of $C24)" "tcp/8050 admin"

# Disable bob: his grant goes.
config '["tcp/22"]' 'enabled=false'
out=$(ksrv apply "$conf")
check "apply says one grant was revoked" grep -q "revoked 1 grants" <<< "$out"
check_eq "no grant left for c1" "$(grants_of $C14)" ""

# Remove alice (she knocks first, so she has a grant to lose).
config '["tcp/22"]' ''
check "apply with bob enabled again" ksrv apply "$conf"
check "alice opens tcp/22" knock "$c1" alice $SRV4 --open tcp/22 --for 10m
{
	spa_server
	spa_guard tcp/22 tcp/8000-8100
	spa_user bob "$long"
} > "$conf"
out=$(ksrv apply "$conf")
check "apply without alice revokes her grant" grep -q "revoked 1 grants" <<< "$out"
check_eq "no grant left for c1 after alice went" "$(grants_of $C14)" ""
check_eq "the administrator's grant is still there" "$(grants_of $C24)" "tcp/8050 admin"
check_eq "revoked counter" "$(ksrv status --json | jq '.stats.grants_revoked')" 5

finish
