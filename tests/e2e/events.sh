#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Audit events and lockout. `knockctl monitor --json` in srv's namespace sees
# every event a scripted run makes, with their fields; a monitor in another
# namespace sees none of them; an unprivileged subscriber is refused;
# `--exec` runs its command with the NFKNOCK_* variables. dmesg gets the
# lines that matter and none for garbage: 100,000 random datagrams to the
# knock port leave no line and count exactly. Lockout: three failures
# spoofed with c2's address lock c2 out of sequences while its valid SPA
# knock still opens; replays never count; unlock ends it; wrong sequence
# steps lock c1 out until the duration ends.
#
#     c1 (10.0.0.2): alice, bob          c2 (10.0.0.3): alice, the victim
#     srv (10.0.0.1): guards tcp/22 and tcp/2222; alice may open tcp/22,
#         bob tcp/8000; static sequence ev-seq (tcp/7000 tcp/8000 tcp/9000)
#         opens tcp/2222; lockout after 3 failures in 60 s, for 10 s, in a
#         table of 1,024 sources
#
# nfknock-timeout-factor: 2
source "$(dirname "$0")/lib.sh"
require nc
require setpriv

setup_net
spa_init
spa_key alice bob
conf=$SPA/nfknock.conf
# The skew is 10 minutes so that a knock captured in 6 still has a hint
# the server knows (a bad tag, not an unknown datagram) during the floods.
{
	spa_server pass 600s
	spa_guard tcp/22 tcp/2222
	spa_user alice allow='["tcp/22"]' max_duration='"10m"'
	spa_user bob allow='["tcp/8000"]'
	cat <<-'TOML'
		[limits]
		sources = 1024

		[lockout]
		threshold = 3
		window = "60s"
		duration = "10s"

		[[sequence]]
		name = "ev-seq"
		knock = ["tcp/7000", "tcp/8000", "tcp/9000"]
		opens = "tcp/2222"
		for = "30s"
	TOML
} > "$conf"
check "apply the config" ksrv apply "$conf"
tcp_echo "$srv" 22 2222
dmesg_mark

# Monitors: srv's (JSON lines), one in c2's namespace (must see nothing of
# srv's), and one that runs a command for its first event.
ev=$SPA/events.jsonl other=$SPA/other.jsonl envf=$SPA/exec.env
in_ns "$srv" knockctl monitor --json > "$ev" 2> "$SPA/monitor.err" &
bg_pids+=($!)
in_ns "$c2" knockctl monitor --json > "$other" 2>&1 &
bg_pids+=($!)
in_ns "$srv" knockctl monitor --quiet --count 1 \
	--exec "env | grep '^NFKNOCK_' | sort > $envf" &
exec_pid=$!
bg_pids+=($exec_pid)
# The monitors have joined once a grant's event reaches srv's and the
# --exec one ran its command.
for _ in $(seq 50); do
	ksrv grant 10.9.9.9 tcp/22 --for 2s > /dev/null
	sleep 0.2
	grep -q grant_opened "$ev" && [[ -s $envf ]] && break
done
check "srv's monitor sees an administrator's grant" grep -q '"event":"grant_opened"' "$ev"
check "--exec monitor ran its command once and exited" \
	timeout 20 tail --pid=$exec_pid -f /dev/null
check_eq "--exec: the command saw the event's variables" \
	"$(grep -E '^NFKNOCK_(EVENT|ADDRESS|SERVICE|DURATION)=' "$envf" | tr '\n' ' ')" \
	"NFKNOCK_ADDRESS=10.9.9.9 NFKNOCK_DURATION=2 NFKNOCK_EVENT=grant_opened NFKNOCK_SERVICE=tcp/22 "

# An unprivileged subscriber is refused (CAP_NET_ADMIN over the namespace).
err=$(in_ns "$srv" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all knockctl monitor --timeout 2s 2>&1)
rc=$?
check_eq "unprivileged monitor: exit 3" "$rc" 3
check "unprivileged monitor: says it needs CAP_NET_ADMIN" grep -q CAP_NET_ADMIN <<< "$err"

# 1. A knock accepted, the grant it opens, a connection through it.
# 10 minutes: section 3 revokes this grant, however slow the kernel.
check "alice knocks from c1" knock "$c1" alice $SRV4 --open tcp/22 --for 10m
expect_tcp ok "$c1" $SRV4 22 "c1 connects through the grant"
fpr=$(ksrv users --json | jq -r '.[] | select(.name == "alice") | .fingerprint')
check "event knock_accepted, every field" wait_event knock_accepted \
	".user == \"alice\" and .fingerprint == \"$fpr\" and .source == \"$C14\" and
	 .address == \"$C14\" and .service == \"tcp/22\" and .proto == \"tcp\" and
	 .port == 22 and .duration_s == 600 and .unverified == false and (.time_ms > 0)"
check "event grant_opened for alice's knock" wait_event grant_opened \
	".address == \"$C14\" and .user == \"alice\" and .duration_s == 600"
check "event grant_used: c1's connection" wait_event grant_used \
	".source == \"$C14\" and .service == \"tcp/22\""

# 2. Rejections: a policy refusal (logged) and garbage (counted only).
knock "$c1" bob $SRV4 --open tcp/22 > /dev/null 2>&1
check "event knock_rejected not_allowed, source unverified" wait_event knock_rejected \
	".reason == \"not_allowed\" and .source == \"$C14\" and .unverified and .user == \"bob\""
in_ns "$c1" $SPA_TOOL send $SRV4 $SPA_PORT --random 96 --timeout 0.2 > /dev/null
check "event knock_rejected unknown" wait_event knock_rejected '.reason == "unknown"'

# 3. Revoked and expired grants.
check "revoke c1's grant" ksrv revoke $C14
check "event grant_revoked" wait_event grant_revoked ".address == \"$C14\""
check "event grant_expired: the 2 s administrator's grant" \
	wait_event grant_expired '.address == "10.9.9.9"'

# 4. The static sequence: progress, completion, its grant; a wrong step.
for p in 7000 8000 9000; do in_ns "$c1" nc -z -w 1 $SRV4 $p; done
expect_tcp ok "$c1" $SRV4 2222 "c1's static sequence opens tcp/2222"
check "event sequence_progress, 2 steps done" wait_event sequence_progress \
	".count == 2 and .source == \"$C14\" and .unverified"
check "event sequence_completed ev-seq" wait_event sequence_completed \
	".sequence == \"ev-seq\" and .source == \"$C14\" and .address == \"$C14\" and
	 .service == \"tcp/2222\" and .duration_s == 30 and .unverified"

# 5. config_applied (again, same config: nothing revoked).
check "apply again" ksrv apply "$conf"
check "event config_applied, 0 revoked" wait_event config_applied '.count == 0'

# 6. Lockout by spoofed failures: a captured knock of alice's, its ciphertext
#    flipped (bad_auth), sent three times from c1 with c2's address.
cap=$SPA/capture
ns_srv $SPA_TOOL capture $SPA_PORT "$cap" &
bg_pids+=($!)
wait_listen "$srv" udp $SPA_PORT || exit 1
check "alice knocks from c1 (captured)" knock "$c1" alice $SRV4 --open tcp/22
wait_grep "$cap" "^$C14 " || fail "no capture"
read -r _ dgram < "$cap"
before=$(knock_counters)
for _ in 1 2 3 4 5; do
	in_ns "$c1" $SPA_TOOL send $SRV4 $SPA_PORT --hex "$dgram" --timeout 0.2 > /dev/null
done
check_eq "five replays of alice's knock: counted replay, no lockout" \
	"$(counters_moved "$before"),$(ksrv status --json | jq .lockout.locked)" \
	"knocks_replay+5,0"
for _ in 1 2 3; do
	in_ns "$c1" $SPA_TOOL send $SRV4 $SPA_PORT --hex "$dgram" --flip 40 \
		--spoof $C24 > /dev/null
done
check "event lockout_started for c2 (unverified)" wait_event lockout_started \
	".source == \"$C24\" and .duration_s == 10 and .unverified"
check_eq "lockouts: c2 locked" \
	"$(ksrv lockouts --json | jq -c --arg a $C24 '[.[] | select(.source == $a) | .locked_ms > 0]')" '[true]'
for p in 7000 8000 9000; do in_ns "$c2" nc -z -w 1 $SRV4 $p; done
expect_tcp timeout "$c2" $SRV4 2222 "locked-out c2: its static sequence opens nothing"
check "event sequence_failed locked_out from c2" wait_event sequence_failed \
	".reason == \"locked_out\" and .source == \"$C24\""
check_eq "locked-out c2: its valid SPA knock still opens tcp/22" \
	"$(knock_connect "$c2" alice $SRV4 22 --open tcp/22)" ok
check "unlock c2" ksrv unlock $C24
check "event lockout_ended for c2" wait_event lockout_ended ".source == \"$C24\""
for p in 7000 8000 9000; do in_ns "$c2" nc -z -w 1 $SRV4 $p; done
expect_tcp ok "$c2" $SRV4 2222 "unlocked c2: its static sequence opens tcp/2222"

# 7. Wrong steps lock c1 out; the lockout ends by itself after 10 s.
#    c1's policy refusal in 2 counted as a failure, in a window anchored at
#    it: whether that window is still open here depends on the kernel's
#    speed (on the debug kernel it closed between the second and third
#    wrong step, which restarted the count, and no lockout came). Forgetting
#    c1's entry first makes the three wrong steps the only failures.
ksrv revoke $C14 > /dev/null 2>&1
ksrv unlock $C14 > /dev/null 2>&1 || :
for _ in 1 2 3; do
	in_ns "$c1" nc -z -w 1 $SRV4 7000
	in_ns "$c1" nc -z -w 1 $SRV4 9000
done
check "event lockout_started for c1 after 3 wrong steps" wait_event lockout_started \
	".source == \"$C14\""
t0=$SECONDS
check "event lockout_ended for c1 by itself" wait_event lockout_ended ".source == \"$C14\""
check "the lockout lasted about its 10 s" test $((SECONDS - t0)) -le 20
for p in 7000 8000 9000; do in_ns "$c1" nc -z -w 1 $SRV4 $p; done
expect_tcp ok "$c1" $SRV4 2222 "after its lockout c1's sequence opens tcp/2222"

# 8. 20,000 random datagrams (NFKNOCK_FLOOD_RANDOM: 100,000 was tried and
#    passes, but under make check's three guests on two cores it cost the
#    6.1 guest five minutes): counted exactly, not one dmesg line.
flood_n=${NFKNOCK_FLOOD_RANDOM:-20000}
before=$(counter knocks_unknown)
lines=$(dmesg_since | grep -c 'nfknock:')
in_ns "$c1" $SPA_TOOL burst $SRV4 $SPA_PORT --random 96 --count $flood_n --interval 0 > /dev/null
check_eq "$flood_n random datagrams: knocks_unknown +$flood_n" \
	"$(($(counter knocks_unknown) - before))" $flood_n
check_eq "$flood_n random datagrams: no dmesg line" \
	"$(($(dmesg_since | grep -c 'nfknock:') - lines))" 0

# 9. Failures from 5,000 spoofed sources (NFKNOCK_FLOOD_SPOOFED; five
#    times the table's cap of 1,024, enough to fill it and evict from it;
#    200,000 was tried and passes): the source table stays at its cap,
#    memory does not grow with them, and a knock from a real client during
#    the flood gets in.
n=${NFKNOCK_FLOOD_SPOOFED:-5000}
slab0=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
in_ns "$c1" $SPA_TOOL burst $SRV4 $SPA_PORT --hex "$dgram" --flip 40 --count $n \
	--interval 0 --spoof-from 10.128.0.0 > "$SPA/flood.out" 2>&1 &
flood=$!
sleep 2
ksrv revoke $C24 > /dev/null 2>&1
# Up to three tries, as a user would: on a slow kernel the flood can fill
# the veth's backlog, which drops the knock or the SYN before the module
# sees it (the module is not what refuses them: the check fails if every
# try does).
for try in 1 2 3; do
	got=$(knock_connect "$c2" alice $SRV4 22 --open tcp/22)
	[[ $got == ok ]] && break
done
check_eq "during the flood: c2's knock && connect ($try tries)" "$got" ok
kill -0 $flood 2> /dev/null && echo "    (the flood was still going)" ||
	echo "    (the flood had ended)"
wait $flood
check_eq "the flood went out" "$(cat "$SPA/flood.out")" "sent $n"
max=$(ksrv status --json | jq .lockout.sources_max)
rows=$(ksrv lockouts --json | jq length)
check "source table at most its cap ($rows of $max entries)" test "$rows" -le "$max"
check "the flood filled the table ($rows entries)" test "$rows" -ge $((max / 2))
check "the flood evicted older sources (lockout_evicted)" \
	test "$(ksrv status --json | jq .stats.lockout_evicted)" -gt 0
slab1=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
check "slab grew by less than 8 MiB over $n spoofed sources ($slab0 -> $slab1 kB)" \
	test $((slab1 - slab0)) -lt 8192

# The other namespace's monitor saw nothing of all this.
check_eq "a monitor in c2's namespace saw no event of srv's" "$(wc -l < "$other")" 0
log=$(dmesg_since)
check "dmesg: lockout_started for c2, unverified" \
	grep -Fq "nfknock: lockout_started source=$C24 unverified=yes duration=10s" <<< "$log"
check_not "dmesg: no line for unknown datagrams" grep -Fq "reason=unknown" <<< "$log"
finish
