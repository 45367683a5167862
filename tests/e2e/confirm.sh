#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Commit-confirmed apply: `knockctl apply NEW --confirm DUR` puts NEW on
# trial, and the kernel puts the previous configuration back by itself
# unless `knockctl confirm` comes in time. An SSH session opened before
# survives the trial, the rollback and the confirmation.
#
#     c1 (10.0.0.2): alice (an ssh session to srv, through her grant)
#     c2 (10.0.0.3): bob
#     srv (10.0.0.1): sshd on tcp/22, echo on tcp/2222
#       old: guards tcp/22; alice may open tcp/22; grant cap 1000
#       new: guards tcp/22 and tcp/2222; bob may open tcp/22 and tcp/2222,
#            alice is gone; grant cap 2000
#
# Checks: while on trial, status shows the time left, a second apply and a
# guard change are refused with a message, the new rules are in force (bob
# in, alice's knocks unknown) and nothing is revoked; at the deadline the
# old guards, users and grant cap are back, alice's grant from before the
# trial still stands, bob's grant from the trial is revoked
# (config_rolled_back revoked=1). Confirmed: the new rules stay past the
# deadline, alice's grant goes at the confirmation (revoked=1) while her
# ssh session goes on. A first apply on trial rolls back to nothing
# (unhooked); a flush ends a trial (nothing comes back).
#
# nfknock-timeout-factor: 2
source "$(dirname "$0")/lib.sh"
require /usr/sbin/sshd ssh ssh-keygen

# The trial must outlast the checks made during it (process start-ups are
# slow on the debug kernel).
trial=20
debug_kernel && trial=60

setup_net
spa_init
spa_key alice bob
old=$SPA/old.conf new=$SPA/new.conf
{
	spa_server
	spa_guard tcp/22
	# Her grant must outlive the trial (60 s on the debug kernel).
	spa_user alice max_duration='"10m"'
	printf '[limits]\ngrants = 1000\n\n'
} > "$old"
{
	spa_server
	spa_guard tcp/22 tcp/2222
	spa_user bob allow='["tcp/22", "tcp/2222"]'
	printf '[limits]\ngrants = 2000\n\n'
} > "$new"
check "apply the old config" ksrv apply "$old"
sshd_srv
tcp_echo "$srv" 2222
dmesg_mark

ev=$SPA/events.jsonl
in_ns "$srv" knockctl monitor --json > "$ev" 2> "$SPA/monitor.err" &
bg_pids+=($!)
for _ in $(seq 50); do
	ksrv grant 10.9.9.9 tcp/22 --for 2s > /dev/null
	sleep 0.2
	grep -q grant_opened "$ev" && break
done
check "the monitor runs" grep -q grant_opened "$ev"
n_events() { jq -s --arg t "$1" '[.[] | select(.event == $t)] | length' "$ev"; }
guards() { ksrv guard list --json | jq -r '[.[].service] | sort | join(",")'; }
left_ms() { ksrv status --json | jq -r '.confirm_left_ms'; }

# Alice's grant and an ssh session through it, fed line by line: each
# ping must come back through the same connection.
check "alice knocks from c1" knock "$c1" alice $SRV4 --open tcp/22 --for 10m
alice_fpr=$(ksrv users --json | jq -r '.[] | select(.name == "alice") | .fingerprint')
d=$SSHD
mkfifo "$d/in"
exec 7<> "$d/in"
sshc cat < "$d/in" > "$d/session.out" 2> "$d/session.err" &
session=$!
bg_pids+=($session)
ping_session() {
	echo "ping $1" >&7
	check "ssh session from before: $1" wait_grep "$d/session.out" "ping $1"
}
ping_session opened

# --- Rollback -------------------------------------------------------------
out=$(ksrv apply "$new" --confirm ${trial}s 2>&1)
check_eq "apply --confirm ${trial}s: exit 0" "$?" 0
echo "$out" | sed 's/^/    /'
check "apply says it is on trial" grep -q "on trial" <<< "$out"
left=$(left_ms)
check "status: confirm_left_ms in (0, $((trial * 1000))] ($left)" \
	test "$left" -gt 0 -a "$left" -le $((trial * 1000))
check "status text: on trial" grep -q "on trial" <<< "$(ksrv status)"
check_eq "new guards in force" "$(guards)" "tcp/22,tcp/2222"
err=$(ksrv apply "$old" 2>&1)
rc=$?
echo "    $err"
check "a second apply while on trial is refused (exit $rc)" test $rc -ne 0
check "... saying a configuration is on trial" grep -q "on trial" <<< "$err"
err=$(ksrv guard add tcp/3333 2>&1)
rc=$?
check "guard add while on trial is refused (exit $rc): $err" test $rc -ne 0
check_eq "the refused changes changed nothing" "$(guards)" "tcp/22,tcp/2222"
# (Her grant from before stands, so only the counters can tell.)
before=$(knock_counters)
check "alice knocks under the new config" knock "$c1" alice $SRV4 --open tcp/22 --for 60s
expect_counted "alice's knock (she is not a user of it)" "$before" unknown
check_eq "bob's knock opens tcp/2222 for c2" \
	"$(knock_connect "$c2" bob $SRV4 2222 --open tcp/2222 --for 60s)" ok
check_eq "nothing revoked while on trial: alice's grant (by fingerprint: she is no user now)" \
	"$(grants_of $C14)" "tcp/22 $alice_fpr"
ping_session "on trial"

check "event config_applied on trial" wait_event config_applied \
	".trial == true and .confirm_s == $trial and .count == 0"
check "event config_rolled_back at the deadline, revoking bob's grant" \
	wait_event config_rolled_back ".count == 1" $((trial + 30))
check_eq "after the rollback: status has no deadline" "$(left_ms)" null
check_eq "old guards back" "$(guards)" "tcp/22"
check_eq "old users back" "$(ksrv users --json | jq -r '[.[].name] | join(",")')" alice
check_eq "old grant cap back" "$(ksrv status --json | jq .grants_max)" 1000
check_eq "alice's grant from before the trial stands" "$(grants_of $C14)" "tcp/22 alice"
check_eq "bob's grant from the trial is revoked" "$(grants_of $C24)" ""
expect_tcp ok "$c2" $SRV4 2222 "tcp/2222 is no longer guarded"
before=$(knock_counters)
check "alice knocks again" knock "$c1" alice $SRV4 --open tcp/22 --for 60s
expect_counted "alice's knock" "$before" accepted
check_eq "a new ssh login from c1" "$(sshc echo ok 2> /dev/null)" ok
ping_session "rolled back"

# --- Confirmed ------------------------------------------------------------
# 10 s are enough here: only the apply's exit comes before the confirm.
check "apply --confirm 10s again" ksrv apply "$new" --confirm 10s
out=$(ksrv confirm 2>&1)
check_eq "confirm: exit 0" "$?" 0
echo "    $out"
check "confirm reports alice's grant revoked" grep -q "1 grant" <<< "$out"
check "event config_confirmed revoked=1" wait_event config_confirmed ".count == 1"
check_eq "alice's grant went at the confirmation" "$(grants_of $C14)" ""
ping_session confirmed
check_eq "status: no deadline once confirmed" "$(left_ms)" null
rolled=$(n_events config_rolled_back)
err=$(ksrv confirm 2>&1)
rc=$?
check "a second confirm fails (exit $rc): $err" test $rc -ne 0
check "... saying nothing is on trial" grep -q "nothing to confirm" <<< "$err"
# The work item was cancelled: nothing happens at the old deadline.
sleep 12
check_eq "past the deadline: the new guards stay" "$(guards)" "tcp/22,tcp/2222"
check_eq "past the deadline: no rollback" "$(n_events config_rolled_back)" "$rolled"
ping_session "past the deadline"

# --- A first apply on trial, and a flush during a trial --------------------
check "flush" ksrv flush
check "apply on a namespace never configured since, --confirm 3s" \
	ksrv apply "$old" --confirm 3s
check "it rolls back to nothing" wait_event config_rolled_back ".count == 0" 30
check_eq "... no guard" "$(ksrv status --json | jq .guards_count)" 0
check_eq "... unhooked" "$(ksrv status --json | jq .hooked)" false
rolled=$(n_events config_rolled_back)
check "apply --confirm 3s" ksrv apply "$old" --confirm 3s
check "flush during the trial" ksrv flush
sleep 5
check_eq "no rollback after a flush" "$(n_events config_rolled_back)" "$rolled"
check_eq "still unconfigured" "$(ksrv status --json | jq .guards_count)" 0

# A namespace deleted with a trial pending, and one deleted as its 1 s
# trial rolls back: the rollback work is stopped before the hooks go (a
# rollback must not hook a namespace on its way out); KASAN, lockdep and
# kmemleak would report a slip through dmesg.
t1=nfk-t1-$rnd t2=nfk-t2-$rnd
new_ns $t1 $t2
check "apply --confirm 60s in a namespace to delete" \
	in_ns $t1 knockctl apply "$old" --confirm 60s
check "apply --confirm 1s in another" in_ns $t2 knockctl apply "$old" --confirm 1s
sleep 0.9
check "both deleted" ip netns del $t1
ip netns del $t2
namespaces=("${namespaces[@]/$t1}")
namespaces=("${namespaces[@]/$t2}")

log=$(dmesg_since)
check "dmesg: config_applied on trial" \
	grep -Fq "nfknock: config_applied trial=yes confirm=${trial}s revoked=0" <<< "$log"
check "dmesg: config_rolled_back revoked=1" grep -Fq "nfknock: config_rolled_back revoked=1" <<< "$log"
check "dmesg: config_confirmed revoked=1" grep -Fq "nfknock: config_confirmed revoked=1" <<< "$log"
exec 7>&-
finish
