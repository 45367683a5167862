# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/host-stalls.awk: print a guest's kernel log without the RCU
# stall reports that say the guest was not run by the host, and say on
# stderr how many were left out. Under TCG a guest's vCPUs are threads of
# a loaded host (three guests on two cores in make check); when the host
# does not run them for tens of seconds, RCU's detector wakes up late and
# reports a stall that no code in the guest caused. Such a report is
# recognised by two facts together, both in the report itself:
#   * "timer wakeup didn't happen": the detector's own timer had not fired,
#     so the CPU took no timer interrupt for that long — no tick at all,
#     not a CPU busy in a kernel loop (whose tick still comes);
#   * every register dump in it shows "RIP: 0033:", user mode: the CPU was
#     running a process, and user mode is a quiescent state, so nothing on
#     it held up the grace period.
# A stall with any kernel RIP (a real lockup, in nfknock or elsewhere) is
# kept, and the caller fails on it. A report is the run of lines from
# "rcu: INFO: ... stall" within 2 s of its first timestamp (it is printed
# at once); the clocksource watchdog's "Long readout interval" line that
# follows a host pause is left out with it.
function ts(line,   s) {
	if (match(line, /^\[ *[0-9]+\.[0-9]+\]/)) {
		s = substr(line, RSTART + 1, RLENGTH - 2)
		return s + 0
	}
	return -1
}
function flush(   i, ok) {
	ok = timer && !kernel_rip
	if (!ok)
		for (i = 1; i <= n; i++)
			print blk[i]
	else
		left++
	n = 0; inblk = 0; timer = 0; kernel_rip = 0
}
{
	t = ts($0)
	if (inblk && t >= 0 && t > start + 2)
		flush()
	if (!inblk && $0 ~ /rcu: INFO: rcu_[a-z]+ (self-detected )?stall|rcu: INFO: rcu_[a-z]+ detected stalls/) {
		inblk = 1; start = t
	}
	if (inblk) {
		blk[++n] = $0
		if ($0 ~ /timer wakeup didn't happen/)
			timer = 1
		if ($0 ~ /RIP: / && $0 !~ /RIP: 0033:/)
			kernel_rip = 1
		next
	}
	print
}
END {
	if (inblk)
		flush()
	if (left)
		printf "dmesg: %d RCU stall report(s) of a guest the host did not run (detector's timer late, CPU in user mode) left out\n", left > "/dev/stderr"
}
