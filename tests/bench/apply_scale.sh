#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bench (make bench, not a test): what an apply costs at the largest sizes.
# With NFKNOCK_BENCH_GRANTS (default 100,000) live grants in the table, an
# apply of NFKNOCK_BENCH_USERS (default 65,536) users, then an apply that
# removes them all; the function_graph tracer (absolute timestamps) times
# the commit (sort, duplicate check, hint index, swap, grace period,
# revocation walk), the revocation walk alone, and every section between a
# bucket's spin_lock_bh and spin_unlock_bh inside the walk: the longest one
# is the longest time the walk keeps bottom halves off. The grants are the
# administrator's (rawgenl.py fill-grants: a knock per grant would take
# hours under TCG); the walk visits and checks each of them, and revokes
# none, so the figure is the walk, not the freeing.
#
#     srv (10.0.0.1): knock port, tcp/22 guarded
source "$(dirname "$0")/../e2e/lib.sh"

USERS=${NFKNOCK_BENCH_USERS:-65536}
GRANTS=${NFKNOCK_BENCH_GRANTS:-100000}

# The debug kernel has no tracer (a tinyconfig without ftrace): there the
# bench gives wall times only, and what it shows is that lockdep, KASAN and
# the soft-lockup detector stay quiet through the largest apply.
ft=/sys/kernel/tracing
[[ -e $ft/trace ]] || mount -t tracefs nodev "$ft" 2> /dev/null
tracer=1
if ! grep -qw function_graph "$ft/available_tracers" 2> /dev/null; then
	echo "no function_graph tracer in this kernel: wall times only"
	tracer=
fi

setup_net
spa_init
conf=$SPA/nfknock.conf
# Both files keep the cap at $GRANTS (an apply without [limits] grants would
# bring back the default cap and resize the table inside the timed commit).
limits() { printf '[limits]\ngrants = %s\n\n' "$GRANTS"; }
{
	spa_server
	limits
	spa_guard tcp/22
	$SPA_TOOL pubkeys "$USERS" --raw 1 | awk '{
		printf "[[user]]\nname = \"u%d\"\npublic_key = \"%s\"\n", NR, $1
		printf "allow = [\"tcp/22\"]\nmax_duration = \"60s\"\n"
		printf "sources = [\"0.0.0.0/0\"]\n\n" }'
} > "$conf"
{
	spa_server
	limits
	spa_guard tcp/22
} > "$SPA/none.conf"
check "an empty configuration" ksrv apply "$SPA/none.conf"
check "max-grants $GRANTS" ksrv set max-grants "$GRANTS"
fill=$(ns_srv $PY "$E2E/rawgenl.py" fill-grants "$GRANTS")
echo "    $fill"
check "$GRANTS grants in the table" grep -q "^filled $GRANTS of $GRANTS" <<< "$fill"

trace_on() {
	[[ -n $tracer ]] || return 0
	echo 0 > "$ft/tracing_on"
	echo nop > "$ft/current_tracer"
	if ! printf '%s\n' nfknock_txn_commit > "$ft/set_graph_function"; then
		# Say why, for the next run: is the module's text traceable?
		echo "set_graph_function refused nfknock_txn_commit;" \
			"nfknock functions in available_filter_functions:" \
			"$(grep -c '\[nfknock\]' "$ft/available_filter_functions")," \
			"txn_commit: $(grep 'txn_commit' "$ft/available_filter_functions" | tr '\n' ' ')"
	fi
	: > "$ft/set_ftrace_filter"
	# The sorts' comparisons (a million calls for 65,536 users) would
	# overrun the buffer and lose the commit's first line: not traced.
	printf '%s\n' sort sort_r > "$ft/set_graph_notrace" 2> /dev/null
	# commit (1) > revocation walk (2) > bucket lock (3); not deeper:
	# the sort's comparisons alone would be millions of entries.
	echo 3 > "$ft/max_graph_depth"
	echo 65536 > "$ft/buffer_size_kb"
	echo function_graph > "$ft/current_tracer"
	# A tracer's own options exist only while it is the current one.
	echo funcgraph-abstime > "$ft/trace_options"
	# "} /* name */" on every closing line: what the figures look for.
	echo funcgraph-tail > "$ft/trace_options"
	: > "$ft/trace"
	echo 1 > "$ft/tracing_on"
}
# figures NAME: BENCH lines from the trace of one commit.
figures() {
	[[ -n $tracer ]] || return 0
	echo 0 > "$ft/tracing_on"
	# A module's functions print as "name [nfknock]" (%ps). A closing
	# line carries the call's duration ("1083456 us |  } /* name */"):
	# the commit's total even when a long commit overran the buffer and
	# its opening line is lost.
	awk -v name="$1" '
		function took(   s) {
			s = $0; sub(/ us .*/, "", s); sub(/.*[^0-9.]/, "", s)
			return s / 1000
		}
		/\} \/\* nfknock_txn_commit( \[nfknock\])? \*\// { ms = took() }
		/nfknock_grants_revoke_disallowed( \[nfknock\])?\(\) \{/ { inrev = 1 }
		/\} \/\* nfknock_grants_revoke_disallowed( \[nfknock\])? \*\// { rms = took(); inrev = 0 }
		inrev && /_raw_spin_lock_bh\(\)/ { l = $1 }
		inrev && /_raw_spin_unlock_bh\(\)/ && l { d = $1 - l; if (d > m) m = d; l = 0; n++ }
		END { printf "BENCH %s commit_ms=%.1f revoke_walk_ms=%.1f buckets_locked=%d longest_bh_off_us=%.1f\n",
			name, ms, rms, n, m * 1e6 }' "$ft/trace" |
		tee -a "$SPA/bench"
	grep -q 'nfknock_txn_commit' "$ft/trace" ||
		{ echo "no commit in the trace; its first lines:"; grep -v '^#' "$ft/trace" | head -n 8; }
	echo nop > "$ft/current_tracer"
	echo 0 > "$ft/max_graph_depth"
	: > "$ft/set_graph_notrace"
}

trace_on
start=$(date +%s%N)
check "apply $USERS users" ksrv apply "$conf"
echo "BENCH apply_${USERS}_users wall_ms=$((($(date +%s%N) - start) / 1000000))"
figures "commit_${USERS}_users_${GRANTS}_grants"
trace_on
start=$(date +%s%N)
check "apply without them" ksrv apply "$SPA/none.conf"
echo "BENCH remove_${USERS}_users wall_ms=$((($(date +%s%N) - start) / 1000000))"
figures "commit_remove_${USERS}_users_${GRANTS}_grants"
finish
