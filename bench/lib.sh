# bench/lib.sh - measuring commands for Berth's benchmarks (sourced).
#
# measure LABEL RUNS CMD...: runs CMD RUNS times and prints one table row: the median
# wall time from exec to exit and the median peak RSS (GNU time's %M), with failures.

MEASURE_ROWS=()

measure() {
	local label=$1 runs=$2 i start end rc fails=0 times=() rss=() tmp
	shift 2
	tmp=$(mktemp)
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		rc=0
		/usr/bin/time -f '%M' -o "$tmp" "$@" >/dev/null 2>&1 </dev/null || rc=$?
		end=$(date +%s%N)
		# MEASURE_OK_STATUS: a non-zero status that counts as success (QEMU's isa-debug-exit).
		[ "$rc" -eq 0 ] || [ "$rc" = "${MEASURE_OK_STATUS:-0}" ] || fails=$((fails + 1))
		times+=($(((end - start) / 1000)))
		rss+=("$(tail -1 "$tmp")")
	done
	rm -f "$tmp"
	local t r
	t=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	r=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
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
