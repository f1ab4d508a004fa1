# bench/lib.sh - measuring commands for Berth's benchmarks (sourced).
#
# measure LABEL RUNS CMD...: runs CMD RUNS times through bench/timing.c (posix_spawn, wait4:
# the harness adds one spawn, see the "/bin/true" row) and prints one table row: the median
# wall time from spawn to exit and the median peak RSS, with failures.
# measure_until LABEL RUNS TEXT CMD...: the same, but each run is timed from spawn until TEXT
# shows on CMD's stdout (a VMM's serial console), then CMD is killed; a run where TEXT never
# shows (within 10 minutes) is a failure.
# Around each run of either: MEASURE_BEFORE, if set, names a command run first, untimed (a
# fresh copy of a disk); with MEASURE_EXITS=1 the run's KVM exits are counted (kvm_exits_*
# below) and their medians printed under the row. MEASURE_QUIET=1: no row is printed.
# measure_collect LABEL: the rows measure made under LABEL, such as one run each in rounds
# that interleave variants (so that a change of load weighs on all alike), as one row of
# their medians, printed and recorded last (delta and ratio read the last row of a label).
# interleave ROUNDS ::: LABEL CMD... [::: LABEL CMD...]...: ROUNDS rounds that run each CMD
# once (timing's "rounds": the starting one rotates), then a row per LABEL with the spread
# too (quartiles of the time, median CPU time); paired LABEL_A LABEL_B: of the same
# rounds (those where both succeeded), the median of A's time minus B's with its confidence
# interval and quartiles, wall (also as a percentage of B's median) and CPU.

MEASURE_ROWS=()
declare -A MEASURE_RUNS=() # label -> "TIME_US CPU_US" lines in round order (interleave)
BENCH_TIMING=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/bench/timing

measure() {
	_measure "$1" "$2" run "" "${@:3}"
}

measure_until() {
	_measure "$1" "$2" until "$3" "${@:4}"
}

# _measure LABEL RUNS MODE TEXT CMD...: MODE is timing's "run" or "until" (with TEXT).
_measure() {
	local label=$1 runs=$2 mode=$3 text=$4 rows="" exits="" i fails t r
	shift 4
	make -C "${BENCH_TIMING%/build/bench/timing}" -s build/bench/timing
	[ "${MEASURE_EXITS:-0}" != 1 ] || exits=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench-exits.XXXXXX")
	for ((i = 0; i < runs; i++)); do
		[ -z "${MEASURE_BEFORE:-}" ] || "$MEASURE_BEFORE"
		[ -z "$exits" ] || kvm_exits_start
		if [ "$mode" = until ]; then
			rows+=$("$BENCH_TIMING" until 1 "$text" "$@" </dev/null 2>/dev/null)$'\n'
		else
			rows+=$("$BENCH_TIMING" run 1 "$@" </dev/null 2>/dev/null)$'\n'
		fi
		[ -z "$exits" ] || kvm_exits_stop "$exits/$i"
	done
	rows=${rows%$'\n'}
	# MEASURE_OK_STATUS: a non-zero status that counts as success (QEMU's isa-debug-exit).
	fails=$(awk -v ok="${MEASURE_OK_STATUS:-0}" '$3 != 0 && $3 != ok' <<<"$rows" | wc -l)
	t=$(awk '{print $1}' <<<"$rows" | median)
	r=$(awk '{print $2}' <<<"$rows" | median)
	[ "${MEASURE_QUIET:-0}" = 1 ] || print_row "$label" "$runs" "$t" "$r" "$fails"
	MEASURE_ROWS+=("$label|$t|$r|$fails")
	if [ -n "$exits" ]; then
		kvm_exits_summary "$exits" "$runs"
		rm -rf "$exits"
	fi
}

# print_row LABEL RUNS TIME_US RSS_KIB FAILURES: one table row.
print_row() {
	printf '%-44s %5d runs  median %9.2f ms  peak RSS %8.2f MiB  failures %d\n' \
		"$1" "$2" "$(echo "$3 / 1000" | bc -l)" "$(echo "$4 / 1024" | bc -l)" "$5"
}

measure_collect() {
	local row l t r f ts="" rs="" n=0 fails=0
	for row in "${MEASURE_ROWS[@]}"; do
		IFS='|' read -r l t r f <<<"$row"
		[ "$l" = "$1" ] || continue
		ts+=$t$'\n'
		rs+=$r$'\n'
		n=$((n + 1))
		fails=$((fails + f))
	done
	[ "$n" -gt 0 ] || return 0
	t=$(printf '%s' "$ts" | median)
	r=$(printf '%s' "$rs" | median)
	print_row "$1" "$n" "$t" "$r" "$fails"
	MEASURE_ROWS+=("$1|$t|$r|$fails")
}

interleave() {
	local rounds=$1 labels=() args=() out i t c r fails
	shift
	[ "${1:-}" = ::: ] || { echo "interleave: ROUNDS ::: LABEL CMD... expected" >&2; return 2; }
	while [ $# -gt 0 ]; do
		if [ "$1" = ::: ]; then
			labels+=("$2")
			[ ${#labels[@]} -eq 1 ] || args+=(:::)
			shift 2
		else
			args+=("$1")
			shift
		fi
	done
	make -C "${BENCH_TIMING%/build/bench/timing}" -s build/bench/timing
	out=$("$BENCH_TIMING" rounds "$rounds" "${args[@]}" </dev/null 2>/dev/null)
	for i in "${!labels[@]}"; do
		MEASURE_RUNS[${labels[$i]}]=$(awk -v i="$i" '$1 == i {print $2, $5, $4}' <<<"$out")
		fails=$(awk -v i="$i" '$1 == i && $4 != 0' <<<"$out" | wc -l)
		t=$(awk -v i="$i" '$1 == i {print $2}' <<<"$out" | median)
		r=$(awk -v i="$i" '$1 == i {print $3}' <<<"$out" | median)
		c=$(awk -v i="$i" '$1 == i {print $5}' <<<"$out" | median)
		printf '%-50s %4d runs  median %8.2f ms (quartiles %.2f-%.2f)  CPU %7.2f ms  RSS %6.2f MiB  failures %d\n' \
			"${labels[$i]}" "$rounds" "$(echo "$t / 1000" | bc -l)" \
			"$(awk -v i="$i" '$1 == i {print $2 / 1000}' <<<"$out" | quantile 0.25)" \
			"$(awk -v i="$i" '$1 == i {print $2 / 1000}' <<<"$out" | quantile 0.75)" \
			"$(echo "$c / 1000" | bc -l)" "$(echo "$r / 1024" | bc -l)" "$fails"
		MEASURE_ROWS+=("${labels[$i]}|$t|$r|$fails")
	done
}

paired() {
	local d base
	# rounds where either run failed are left out
	d=$(paste -d' ' <(printf '%s\n' "${MEASURE_RUNS[$1]}") <(printf '%s\n' "${MEASURE_RUNS[$2]}") |
		awk '$3 == 0 && $6 == 0')
	base=$(awk '{print $4 / 1000}' <<<"$d" | median)
	printf '  %s - %s, paired by round (%d rounds; %s: median %.2f ms):\n    wall %s\n    CPU  %s\n' \
		"$1" "$2" "$(grep -c . <<<"$d")" "$2" "$base" \
		"$(awk '{print ($1 - $4) / 1000}' <<<"$d" | spread "$base")" \
		"$(awk '{print ($2 - $5) / 1000}' <<<"$d" | spread)"
}

# spread [BASE]: of the numbers (ms) on stdin, one a line: the median, its 95 % confidence
# interval (distribution-free: the order statistics n/2 -+ 0.98 sqrt(n)) and the quartiles;
# with BASE (ms), the median and its interval as a percentage of BASE too.
spread() {
	sort -g | awk -v base="${1:-}" '{a[NR]=$1} END{ n = NR; if (!n) { print "no runs"; exit }
		lo = int(n / 2 - 0.98 * sqrt(n)); hi = int(n / 2 + 1 + 0.98 * sqrt(n) + 0.999)
		if (lo < 1) lo = 1; if (hi > n) hi = n
		q1 = int(n / 4 + 0.5); q3 = int(3 * n / 4 + 0.5); if (q1 < 1) q1 = 1; if (q3 < 1) q3 = 1
		printf "median %+.3f ms (95%% CI %+.3f..%+.3f; quartiles %+.3f..%+.3f)", a[int((n + 1) / 2)], a[lo], a[hi], a[q1], a[q3]
		if (base > 0) printf "; %+.2f %% (CI %+.2f..%+.2f %%)", 100 * a[int((n + 1) / 2)] / base, 100 * a[lo] / base, 100 * a[hi] / base }'
}

# quantile Q: the Q-quantile (0..1) of the numbers on stdin, one a line (nearest rank).
quantile() {
	sort -g | awk -v q="$1" '{a[NR]=$1} END{i = int(q * NR + 0.5); if (i < 1) i = 1; print a[i]}'
}

# median: the median of the numbers on stdin, one a line (the lower one of an even count).
median() {
	sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
# ratio LABEL_A LABEL_B: print A's time and RSS as a fraction of B's.
ratio() {
	local ta ra tb rb row l t r
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

# KVM exits per run, counted by ftrace hist triggers (KVM's debugfs totals cover only the VMs
# alive when read, so a VM's exits vanish with it; a trigger's table outlives the VM):
# kvm:kvm_exit (every exit, handled in the kernel or not) by reason, kvm:kvm_userspace_exit
# (the exits that reach the VMM) by reason, kvm:kvm_pio (port I/O) by port. The tables count
# every VM on the machine: measure one at a time. Needs root.
KVM_EVENTS=/sys/kernel/tracing/events/kvm
KVM_HISTS=(
	"kvm_exit hist:keys=exit_reason"
	"kvm_userspace_exit hist:keys=reason"
	"kvm_pio hist:keys=port.hex"
)

# kvm_exits_ready: whether exits can be counted here (mounts tracefs if need be); if not,
# says so ("no KVM exit counts: WHY") and returns 1. KVM_HISTS keeps the tables the kernel
# accepts.
kvm_exits_ready() {
	local h ok=()
	if [ ! -d /sys/kernel/tracing/events ] &&
		! mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
		echo "no KVM exit counts: no tracefs at /sys/kernel/tracing (and mounting it failed: root?)"
		return 1
	fi
	[ -d "$KVM_EVENTS" ] || { echo "no KVM exit counts: no kvm trace events (is kvm loaded?)"; return 1; }
	for h in "${KVM_HISTS[@]}"; do
		if echo "${h#* }" 2>/dev/null >>"$KVM_EVENTS/${h%% *}/trigger"; then
			echo "!${h#* }" >>"$KVM_EVENTS/${h%% *}/trigger"
			ok+=("$h")
		fi
	done
	[ "${ok[0]:-}" = "${KVM_HISTS[0]}" ] || {
		echo "no KVM exit counts: the kernel refused an ftrace hist trigger on kvm:kvm_exit (CONFIG_HIST_TRIGGERS?)"
		return 1
	}
	KVM_HISTS=("${ok[@]}")
}

kvm_exits_start() {
	local h
	for h in "${KVM_HISTS[@]}"; do
		echo "${h#* }" >>"$KVM_EVENTS/${h%% *}/trigger"
	done
}

# kvm_exits_stop FILE: the tables since kvm_exits_start into FILE as "EVENT KEY COUNT" lines
# (KEY: the key's values joined by commas), then the triggers removed.
kvm_exits_stop() {
	local h
	for h in "${KVM_HISTS[@]}"; do
		awk -v ev="${h%% *}" '/^\{/ {
			key = $0; sub(/^\{ */, "", key); sub(/ *\}.*/, "", key)
			gsub(/[a-z_.]+: */, "", key); gsub(/ *, */, ",", key); gsub(/ +/, "", key)
			print ev, key, $NF }' "$KVM_EVENTS/${h%% *}/hist" >>"$1"
		echo "!${h#* }" >>"$KVM_EVENTS/${h%% *}/trigger" || true
	done
}

# kvm_symbols EVENT N: the N-th table of __print_symbolic in EVENT's format as "VALUE NAME"
# lines (values in decimal): the kernel's own names of exit reasons.
kvm_symbols() {
	awk -v n="$2" 'function num(s,  v, i) { # mawk has no strtonum
			if (s !~ /^0x/) return s + 0
			for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
			return v }
		BEGIN { RS = "__print_symbolic\\(" } NR == n + 1 {
		sub(/\).*/, "")
		gsub(/" *"/, "") # names made by pasting: { 2, "KVM_EXIT_" "IO" }
		while (match($0, /\{ *(0x[0-9a-fA-F]+|[0-9]+) *, *"[^"]*" *\}/)) {
			pair = substr($0, RSTART + 1, RLENGTH - 2); $0 = substr($0, RSTART + RLENGTH)
			split(pair, f, ","); v = f[1]; gsub(/[ "]/, "", v); name = f[2]; gsub(/[ "]/, "", name)
			print num(v), name
		} }' "$KVM_EVENTS/$1/format"
}

# _top_keys EVENT N: from stdin (a kvm_symbols table, a blank line, then kvm_exits_stop's
# lines), EVENT's N most frequent keys, named, with their share of all.
_top_keys() {
	awk -v ev="$1" 'NF == 2 && !data { name[$1] = $2; next } NF == 0 { data = 1; next }
		data && $1 == ev { n[$2] += $3; total += $3 }
		END { for (x in n) printf "%d %s %.0f%%\n", n[x], (x in name) ? name[x] : "code" x, 100 * n[x] / total }' |
		sort -rn | head -"$2" | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $3}'
}

# kvm_exits_summary DIR RUNS: from DIR's per-run files, the median exits per run (all, and
# those that reached the VMM), the reasons that dominate and the busiest ports.
kvm_exits_summary() {
	local dir=$1 runs=$2 all user reasons vmm ports svm
	all=$(for f in "$dir"/*; do awk '$1 == "kvm_exit" {s += $3} END {print s + 0}' "$f"; done | median)
	user=$(for f in "$dir"/*; do awk '$1 == "kvm_userspace_exit" {s += $3} END {print s + 0}' "$f"; done | median)
	# kvm_exit's first table of names is VMX's, its second SVM's
	svm=1
	[ -d /sys/module/kvm_amd ] && svm=2
	reasons=$({ kvm_symbols kvm_exit "$svm"; echo; cat "$dir"/*; } | _top_keys kvm_exit 5)
	vmm=$({ kvm_symbols kvm_userspace_exit 1; echo; cat "$dir"/*; } | _top_keys kvm_userspace_exit 4)
	ports=$(cat "$dir"/* | awk -v runs="$runs" '$1 == "kvm_pio" { n[$2] += $3 }
			END { for (p in n) printf "%d %s%s\n", n[p] / runs, (p ~ /^0x/ ? "" : "0x"), p }' |
		sort -rn | head -5 | awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')
	printf '  KVM exits per run: median %d (%s); to the VMM: median %d (%s)\n' "${all:-0}" "${reasons:-none}" "${user:-0}" "${vmm:-none}"
	printf '  port I/O per run (mean, busiest ports): %s\n' "${ports:-none}"
}
