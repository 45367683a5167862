#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Clocks never lock a user out, and replays stay impossible:
#   * with skew = "10m", a client 8 minutes fast is accepted (the hint index
#     covers every window within the skew);
#   * a knock from a device 20 s fast, then one from the same user's
#     device with a correct clock: both accepted (no strictly increasing
#     floor);
#   * the server's clock was 10 min fast when a user was added, then
#     stepped back: the user's correct-clock knock is accepted at once;
#   * the server booted an hour behind (wrong RTC), the users were applied,
#     then NTP stepped the clock: a correct client is accepted at once;
#   * a user added with a clock 20 s slow is accepted right after the
#     apply;
#   * every datagram accepted above, resent at the end from c1 (from
#     elsewhere binding refuses it first: binding.sh), is refused as a
#     replay.
# Client clocks are shifted with libfaketime, the guest's (server's) with
# date -s; the clock is put back at the end.
#
#     c1 (10.0.0.2): knocks, some under faketime
#          |
#      hub br0
#          |
#     srv (10.0.0.1): guard tcp/22, knock port with a capture socket
source "$(dirname "$0")/lib.sh"
require faketime

start_up=$(cut -d. -f1 /proc/uptime)
real0=$(date +%s)
restore_clock() { date -s "@$((real0 + $(cut -d. -f1 /proc/uptime) - start_up))" > /dev/null; }
# step SECONDS: move the guest's wall clock (negative: back).
step() { date -s "@$(($(date +%s) + $1))" > /dev/null; }

setup_net
spa_init
trap 'restore_clock; spa_cleanup' EXIT
spa_key alice carol dave
conf=$SPA/nfknock.conf
config() {
	{
		spa_server pass 10m
		spa_guard tcp/22
		local u
		for u; do spa_user "$u"; done
	} > "$conf"
}
config alice
check "apply with alice (skew 10m)" ksrv apply "$conf"
cap=$SPA/capture
ns_srv $SPA_TOOL capture $SPA_PORT "$cap" &
bg_pids+=($!)
wait_listen "$srv" udp $SPA_PORT || exit 1

# fknock OFFSET USER: USER knocks from c1 with a clock OFFSET off
# (faketime syntax: +8m, -20s, +0).
fknock() {
	in_ns "$c1" faketime -f "$1" knockctl knock $SRV4 \
		--server-key "$(spa_pub server)" --key "$SPA/$2.key" \
		--open tcp/22 --for 60s > /dev/null
}
counted=$(knock_counters)
# accepted DESC OFFSET USER: the knock is counted as accepted.
accepted() {
	local before=$counted
	fknock "$2" "$3" || { fail "$1: knockctl failed"; return; }
	expect_counted "$1" "$before" accepted
}

accepted "a client 8 minutes fast (skew 10m)" +8m alice
accepted "alice's device 20 s fast" +20s alice
accepted "then her device with a correct clock" +0 alice

# The server's clock 10 min fast when carol is added, then corrected.
step 600
config alice carol
check "apply with carol while the server is 10 min fast" ksrv apply "$conf"
step -600
accepted "carol, correct clock, after the server's clock was corrected" +0 carol

# The server an hour behind (wrong RTC) when the users are applied, then
# NTP steps it forward.
step -3600
config alice carol dave
check "apply with dave while the server is an hour behind" ksrv apply "$conf"
step 3600
accepted "dave, correct clock, right after the server's clock stepped" +0 dave

# The module's own floor is its load time: let 25 s pass since then (the
# scenario started right after the module was loaded).
while (($(cut -d. -f1 /proc/uptime) - start_up < 25)); do sleep 1; done
spa_key erin
config alice carol dave erin
check "apply with erin" ksrv apply "$conf"
accepted "erin, 20 s slow, right after the apply" -20s erin

# The resent datagrams reach the capture too: read a copy.
cp "$cap" "$SPA/accepted"
check_eq "every knock reached the capture" "$(wc -l < "$SPA/accepted")" 6
while read -r _ d; do
	before=$counted
	in_ns "$c1" $SPA_TOOL send $SRV4 $SPA_PORT --hex "$d" --timeout 0.2 > /dev/null
	expect_counted "resent datagram" "$before" replay
done < "$SPA/accepted"

finish
