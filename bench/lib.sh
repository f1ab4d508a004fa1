# bench/lib.sh - measuring commands for Berth's benchmarks (sourced).
#
# measure LABEL RUNS CMD...: runs CMD RUNS times through bench/timing.c (posix_spawn, wait4:
# the harness adds one spawn, see the "/bin/true" row) and prints one table row: the median
# wall time from spawn to exit and the median peak RSS, with failures.

MEASURE_ROWS=()
BENCH_TIMING=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bench/timing

measure() {
	local label=$1 runs=$2 rows fails
	shift 2
	make -C "${BENCH_TIMING%/build/bench/timing}" -s build/bench/timing
	rows=$("$BENCH_TIMING" run "$runs" "$@" </dev/null 2>/dev/null)
	# MEASURE_OK_STATUS: a non-zero status that counts as success (QEMU's isa-debug-exit).
	fails=$(awk -v ok="${MEASURE_OK_STATUS:-0}" '$3 != 0 && $3 != ok' <<<"$rows" | wc -l)
	local t r
	t=$(awk '{print $1}' <<<"$rows" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	r=$(awk '{print $2}' <<<"$rows" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	printf '%-44s %5d runs  median %9.2f ms  peak RSS %8.2f MiB  failures %d\n' \
		"$label" "$runs" "$(echo "$t / 1000" | bc -l)" "$(echo "$r / 1024" | bc -l)" "$fails"
	MEASURE_ROWS+=("$label|$t|$r|$fails")
}

# ratio LABEL_A LABEL_B: print A's time and RSS as a fraction of B's.
ratio() {
	local a b ta ra tb rb row
	for row in "${MEASURE_ROWS[@]}"; do
		IFS='|' read -r l t r _ <<<"$row"
		[ "$l" = "$1" ] && { ta=$t; ra=$r; }
		[ "$l" = "$2" ] && { tb=$t; rb=$r; }
	done
	[ -n "${ta:-}" ] && [ -n "${tb:-}" ] || return 0
	printf '  %s / %s: time %.3fx, peak RSS %.3fx\n' "$1" "$2" "$(echo "$ta / $tb" | bc -l)" "$(echo "$ra / $rb" | bc -l)"
}

# delta LABEL_A LABEL_B: print how much longer A's median time is than B's, in ms.
delta() {
	local ta tb row l t
	for row in "${MEASURE_ROWS[@]}"; do
		IFS='|' read -r l t _ _ <<<"$row"
		[ "$l" = "$1" ] && ta=$t
		[ "$l" = "$2" ] && tb=$t
	done
	[ -n "${ta:-}" ] && [ -n "${tb:-}" ] || return 0
	printf '  %s - %s: %+.3f ms\n' "$1" "$2" "$(echo "($ta - $tb) / 1000" | bc -l)"
}
