#!/usr/bin/env bash
# vm_cgroup.sh - every VMM berthd starts is in a cgroup of its own (tiny guests, this host's
# KVM; v1 on a hybrid host, v2 where /sys/fs/cgroup is cgroup2: vm_cgroup_pure_v2.sh runs it
# in the rig): the VMM is in BASE/NAME in every controller from its first instruction, with
# CPU quota = vCPUs x period, memory limit = RAM + the VMM's overhead, PIDs bounded; a 1-vCPU
# VM whose guest spins, with one more spinner in its cgroup, gets about one host CPU and its
# throttling counter grows; memory past the limit is not given (the cgroup's OOM killer
# acts, usage stays under the limit); stop removes the cgroup; after a berthd SIGKILL an
# adopted VMM keeps its cgroup and a dead VM's stale cgroup is removed at berthd's start.
# timeout: 300
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_kvm
need_berth_cli
[ -f "$GUESTS/tiny-spin.bzImage" ] || skip "build the tiny guests first (make guests)"

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	V=v2
	for c in cpu memory pids; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || skip "no cgroup2 $c controller here"
	done
else
	V=v1
	for c in cpu cpuacct memory pids; do
		grep -qE "^[0-9]+:([^:]*,)?$c(,[^:]*)?:" /proc/self/cgroup || skip "no cgroup v1 $c hierarchy"
	done
fi

# cgdir PID CONTROLLER: the directory of PID's cgroup holding CONTROLLER.
cgdir() {
	if [ $V = v2 ]; then
		echo "/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")"
	else
		local line h
		line=$(grep -E "^[0-9]+:([^:]*,)?$2(,[^:]*)?:" "/proc/$1/cgroup")
		h=$(cut -d: -f2 <<<"$line")
		echo "/sys/fs/cgroup/$h$(cut -d: -f3- <<<"$line")"
	fi
}
# BASES: our berthd's berth-vm-HASH directories, one per hierarchy (known once a VM runs).
BASES=()
note_bases() {
	local list path
	while IFS=: read -r _ list path; do
		[ $V = v2 ] || [ -n "$list" ] || continue
		BASES+=("/sys/fs/cgroup/${list#name=}$(dirname "$path")")
	done <"/proc/$1/cgroup"
}
# at exit, also the VMMs a failure left in our cgroups, and the cgroups
cgroup_cleanup() {
	local b c p
	cleanup
	for b in "${BASES[@]}"; do
		for c in "$b"/*/; do
			[ -f "$c/cgroup.procs" ] || continue
			for p in $(cat "$c/cgroup.procs"); do kill -9 "$p" 2>/dev/null || true; done
		done
	done
	sleep 0.5
	for b in "${BASES[@]}"; do
		for c in "$b"/*/; do [ -f "$c/cgroup.procs" ] && rmdir "$c" 2>/dev/null; done
		rmdir "$b" 2>/dev/null || true
	done
}
trap cgroup_cleanup EXIT
vmm_pid() { expect_status 0 berth show "$1" --format json && jq .pid <<<"$OUT"; }
stat_of() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

start_berthd --host-cpus 4 --host-memory 2G
for g in spin echo; do
	expect_api 202 POST /1.0/images "{\"name\":\"$g\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-$g.bzImage\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done

# --- membership and limits
expect_status 0 berth create two --kind vm --image echo --cpus 2 --memory 64M --start
pid=$(vmm_pid two)
note_bases "$pid"
CPU=$(cgdir "$pid" cpu)
MEM=$(cgdir "$pid" memory)
PIDS=$(cgdir "$pid" pids)
[[ $CPU =~ /berth-vm-[0-9a-f]{8}/two$ ]] || fail "VMM $pid is not in a cgroup of its own: $CPU"
[[ $MEM =~ /berth-vm-[0-9a-f]{8}/two$ && $PIDS =~ /berth-vm-[0-9a-f]{8}/two$ ]] ||
	fail "VMM $pid: memory $MEM, pids $PIDS"
grep -qx "$pid" "$PIDS/cgroup.procs" || fail "$pid not listed in $PIDS/cgroup.procs"
if [ $V = v2 ]; then
	[ "$(cat "$CPU/cpu.max")" = "200000 100000" ] || fail "cpu.max: $(cat "$CPU/cpu.max")"
	limit=$(cat "$MEM/memory.max")
else
	[ "$(cat "$CPU/cpu.cfs_quota_us") $(cat "$CPU/cpu.cfs_period_us")" = "200000 100000" ] ||
		fail "quota/period: $(cat "$CPU/cpu.cfs_quota_us") $(cat "$CPU/cpu.cfs_period_us")"
	limit=$(cat "$MEM/memory.limit_in_bytes")
fi
# RAM + 48 MiB + RAM/64
[ "$limit" = $(((64 << 20) + (48 << 20) + (1 << 20))) ] || fail "memory limit $limit"
[ "$(cat "$PIDS/pids.max")" = 258 ] || fail "pids.max $(cat "$PIDS/pids.max")"
# the VMM's RAM (--prealloc) is charged there: it was in the cgroup before it allocated it
usage=$(cat "$MEM/memory.current" 2>/dev/null || cat "$MEM/memory.usage_in_bytes")
[ "$usage" -ge $((64 << 20)) ] && [ "$usage" -le "$limit" ] || fail "memory usage $usage (limit $limit)"
rss=$(awk '$1 == "VmRSS:" {print $2 * 1024}' "/proc/$pid/status")
echo "measured [$V]: VMM of 64 MiB: cgroup usage $usage bytes, VmRSS $rss bytes, limit $limit"
echo "ok [$V]: the VMM is in its cgroup: quota 2 CPUs, memory RAM + overhead, pids bounded"

expect_status 0 berth stop two --force
[ ! -d "$CPU" ] && [ ! -d "$MEM" ] && [ ! -d "$PIDS" ] || fail "stop left the cgroup $CPU"
for b in "${BASES[@]}"; do [ ! -d "$b" ] || fail "the last VM's stop left $b"; done
echo "ok [$V]: stop removes the cgroup (and berth-vm-HASH with the last)"

# --- CPU: a spinning 1-vCPU guest and a second spinner in its cgroup share one CPU
expect_status 0 berth create spin --kind vm --image spin --cpus 1 --memory 64M --start
pid=$(vmm_pid spin)
CPU=$(cgdir "$pid" cpu)
MEM=$(cgdir "$pid" memory)
sh -c "echo 0 >$(cgdir "$pid" pids)/cgroup.procs; exec sh -c 'while :; do :; done'" &
SPINNER=$!
if [ $V = v1 ]; then
	for h in "$CPU" "$(cgdir "$pid" cpuacct)" "$MEM"; do echo "$SPINNER" >"$h/cgroup.procs"; done
fi
read_usage() {
	if [ $V = v2 ]; then stat_of "$CPU/cpu.stat" usage_usec; else echo $(($(cat "$(cgdir "$pid" cpuacct)/cpuacct.usage") / 1000)); fi
}
# a busy host (other tests) would hide the quota: the VM's cgroup and its parent get the
# largest weight, so that they could run on both CPUs but for the quota
for d in "$CPU" "$(dirname "$CPU")"; do
	if [ $V = v2 ]; then echo 10000 >"$d/cpu.weight"; else echo 262144 >"$d/cpu.shares"; fi
done
t0=$(date +%s%N)
u0=$(read_usage)
thr0=$(stat_of "$CPU/cpu.stat" nr_throttled)
# on a busy host the cgroup may get less than its CPU for a while: throttling comes once the
# VMM and the spinner together could run on more than one
wait_until 60 eval '[ "$(stat_of "$CPU/cpu.stat" nr_throttled)" -gt "$thr0" ]'
sleep 2
u1=$(read_usage)
t1=$(date +%s%N)
thr1=$(stat_of "$CPU/cpu.stat" nr_throttled)
kill "$SPINNER"
wait "$SPINNER" 2>/dev/null || true
# CPU time over wall time, in hundredths of a CPU
share=$(((u1 - u0) * 100 / ((t1 - t0) / 1000)))
echo "measured [$V]: spinning 1-vCPU VM + 1 spinner: $share% of a CPU, nr_throttled +$((thr1 - thr0))"
[ "$thr1" -gt "$thr0" ] || fail "nr_throttled did not grow ($thr0 -> $thr1)"
[ "$share" -le 115 ] || fail "the cgroup used $share% of a CPU with a quota of one"
echo "ok [$V]: a spinning 1-vCPU VM's cgroup is throttled to about one host CPU"

# --- memory: more than the limit is never given; the cgroup's OOM killer acts
limit=$(cat "$MEM/memory.max" 2>/dev/null || cat "$MEM/memory.limit_in_bytes")
# a holder keeps the cgroup (and its counters) while the test reads them, should the OOM
# killer take the VMM too and berthd remove its cgroup
sh -c "echo 0 >$(cgdir "$pid" pids)/cgroup.procs; exec sleep 300" &
HOLD=$!
if [ $V = v1 ]; then echo "$HOLD" >"$MEM/cgroup.procs"; fi
# a hog beside the VMM grows without bound (tail buffers a line that never ends), the OOM
# killer's first choice
sh -c "echo 1000 >/proc/self/oom_score_adj; echo 0 >$(cgdir "$pid" pids)/cgroup.procs; exec tail /dev/zero" &
HOG=$!
if [ $V = v1 ]; then echo "$HOG" >"$MEM/cgroup.procs"; fi
wait_until 30 eval '! kill -0 $HOG 2>/dev/null || ! kill -0 $pid 2>/dev/null' ||
	{ kill -9 "$HOG"; fail "nothing was OOM-killed in the VM's cgroup (limit $limit)"; }
wait "$HOG" 2>/dev/null || true
if [ $V = v2 ]; then
	kills=$(stat_of "$MEM/memory.events" oom_kill)
	peak=$(cat "$MEM/memory.peak" 2>/dev/null || echo 0)
else
	kills=$(stat_of "$MEM/memory.oom_control" oom_kill)
	peak=$(cat "$MEM/memory.max_usage_in_bytes")
fi
kill "$HOLD"
[ "${kills:-0}" -ge 1 ] || fail "no oom_kill counted in the VM's cgroup"
[ "$peak" -le "$limit" ] || fail "usage peaked at $peak over the limit $limit"
kill -0 "$pid" 2>/dev/null && who="the VMM lived" || who="the VMM was killed too"
echo "measured [$V]: OOM kills $kills ($who), peak usage $peak of limit $limit"
echo "ok [$V]: memory past the VM's limit is never given (the cgroup's OOM killer acts)"
# a VMM the OOM killer took may already be marked stopped by berthd's watcher
out=$(berth stop spin --force 2>&1) || [[ $out == *"server spin is stopped"* ]] ||
	fail "stop spin after the OOM: $out"

# --- restart: an adopted VMM keeps its cgroup; stale ones of dead VMs go
# mk_stale PID NAME: a cgroup NAME beside PID's, in every hierarchy (a deleted VM's, left)
mk_stale() {
	local list path
	while IFS=: read -r _ list path; do
		[ $V = v2 ] || [ -n "$list" ] || continue
		mkdir "/sys/fs/cgroup/${list#name=}$(dirname "$path")/$2"
	done <"/proc/$1/cgroup"
}
expect_status 0 berth start spin
pid=$(vmm_pid spin)
CPU=$(cgdir "$pid" cpu)
STALE=$(dirname "$CPU")/gone
mk_stale "$pid" gone
kill_berthd KILL
start_berthd
[ "$(vmm_pid spin)" = "$pid" ] || fail "the VMM was not adopted"
[ "$(cgdir "$pid" cpu)" = "$CPU" ] && grep -qx "$pid" "$(cgdir "$pid" pids)/cgroup.procs" ||
	fail "the adopted VMM left its cgroup"
[ ! -d "$STALE" ] || fail "the stale cgroup $STALE was not removed at berthd's start"
echo "ok [$V]: adopted after a berthd SIGKILL, its cgroup kept; a deleted VM's left cgroup removed"
# the VMM dies while berthd is down: its cgroup goes at berthd's start
kill_berthd KILL
kill -9 "$pid"
wait_until 5 eval '[ ! -e /proc/$pid ]' || fail "VMM $pid did not die"
start_berthd
wait_until 10 eval '[ ! -d "$CPU" ]' || fail "a dead VM's cgroup $CPU stayed after berthd's start"
for b in "${BASES[@]}"; do [ ! -d "$b" ] || fail "berthd's start left $b with no VM in it"; done
expect_status 0 berth delete spin
expect_status 0 berth delete two
echo "ok [$V]: a VM that died while berthd was down loses its cgroup at berthd's start"
