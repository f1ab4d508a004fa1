#!/usr/bin/env bash
# berth-vmm filters its system calls by default (docs/berth-vmm.md, seccomp): every thread
# shows "Seccomp: 2", a vCPU thread has its own filter on top of the main thread's, and a VM
# keeps working under them: the API socket pauses and resumes it, the console log rotates
# from a vCPU thread. --no-seccomp runs without. (A call outside the lists kills the VMM with
# its name logged: tests/unit/vmm/test_seccomp.c.)
# timeout: 90
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
need_kvm
scratch

# field PID|TASK-DIR NAME: a field of /proc/.../status
field() { awk -v f="$2:" '$1 == f {print $2}' "$1/status" 2>/dev/null; }

# wait_filtered PID: until the main thread's filter is on (it goes on after set-up)
wait_filtered() {
	for _ in $(seq 200); do
		[ "$(field "/proc/$1" Seccomp)" = 2 ] && return 0
		sleep 0.05
	done
	fail "berth-vmm never showed Seccomp: 2: $(grep -i seccomp "/proc/$1/status")"
}

S=$SCRATCH/api.sock
"$VMM" --kernel "$GUESTS/tiny-flood.bzImage" --cpus 2 --mem 64M --api-sock "$S" \
	--console "file=$SCRATCH/console,max=64K" 2>"$SCRATCH/log" &
pid=$!
trap 'kill -9 "$pid" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT # a failed check leaves no VMM behind
wait_filtered "$pid"
api_wait_sock "$S"
sleep 0.5
tasks=0 vcpus=0
for t in /proc/$pid/task/*; do
	[ "$(cat "$t/comm")" = berth-vmm ] || continue # KVM's own kernel workers (kvm-nx-lpage-re)
	tasks=$((tasks + 1))
	[ "$(field "$t" Seccomp)" = 2 ] || fail "thread ${t##*/} is not filtered: $(grep -i seccomp "$t/status")"
	# Seccomp_filters: 1 on the main thread, 2 on a vCPU (its own on top of the inherited)
	[ "$(field "$t" Seccomp_filters)" = 2 ] && vcpus=$((vcpus + 1))
done
[ "$tasks" -eq 3 ] || fail "expected 3 threads (main, 2 vCPUs), saw $tasks"
if [ -n "$(field "/proc/$pid" Seccomp_filters)" ]; then # Linux 5.9+
	[ "$(field "/proc/$pid" Seccomp_filters)" = 1 ] || fail "main thread: $(grep -i seccomp "/proc/$pid/status")"
	[ "$vcpus" -eq 2 ] || fail "expected 2 vCPU threads with 2 filters each, saw $vcpus"
fi
out=$(api "$S" '{"cmd":"pause"}' '{"cmd":"status"}' '{"cmd":"resume"}')
[[ $out == *'"state":"paused"'*'"state":"running"'* ]] || fail "pause, status, resume: $out"
for _ in $(seq 100); do [ -e "$SCRATCH/console.1" ] && break; sleep 0.1; done
[ -e "$SCRATCH/console.1" ] || fail "the console log never rotated: $(cat "$SCRATCH/log")"
kill -0 "$pid" 2>/dev/null || fail "the VMM died: $(cat "$SCRATCH/log")"
out=$(api "$S" '{"cmd":"stop"}')
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "stop: status $rc: $(cat "$SCRATCH/log")"
grep -q "seccomp" "$SCRATCH/log" && fail "a filter fired: $(cat "$SCRATCH/log")"
[ ! -e "$S" ] || fail "the API socket was not removed at exit"

"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --console none --no-seccomp 2>"$SCRATCH/log" &
pid=$!
sleep 0.5
[ "$(field "/proc/$pid" Seccomp)" = 0 ] || fail "--no-seccomp: $(grep -i seccomp "/proc/$pid/status")"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage"
expect_output "hello from tiny"
"$VMM" --help | grep -- "--no-seccomp" >/dev/null || fail "--help does not mention --no-seccomp"
echo ok
