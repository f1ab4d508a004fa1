#!/usr/bin/env bash
# On a kvm_pvm host, berth-vmm warns up front that a real Linux kernel will likely be emulated
# for about a minute and then stop, and points at the test rig; it still runs it. Tiny
# hand-made guests (no version string) get no such warning.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
need_kvm
[ -e /sys/module/kvm_pvm ] || skip "this host's KVM is not kvm_pvm"
scratch
kernel=$("$ROOT/tests/kit/kernel") || skip "the kit's kernel cannot be had (tests/kit/kernel failed)"
kver=$("$ROOT/tests/kit/kernel" --version)

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-poweroff.bzImage"
[[ $OUT != *"kvm_pvm"* ]] || fail "a tiny guest got the kvm_pvm warning: $OUT"

"$VMM" --kernel "$kernel" --console none 2>"$SCRATCH/err" &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT # a failed check leaves no VMM behind
for _ in $(seq 100); do
	grep -q "will likely be emulated" "$SCRATCH/err" && break
	sleep 0.1
done
OUT=$(cat "$SCRATCH/err")
expect_output "berth-vmm: warning: this host's /dev/kvm is kvm_pvm"
expect_output "Linux $kver will likely be emulated for about a minute and then stop"
expect_output "tests/rig/run -- berth-vmm"
# It runs the guest all the same: still there, stopped by two SIGTERMs.
kill -0 "$pid" 2>/dev/null || fail "berth-vmm refused to run the kernel: $OUT"
kill -TERM "$pid"
for _ in $(seq 100); do
	grep -q "power button" "$SCRATCH/err" && break
	sleep 0.1
done
kill -TERM "$pid" 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
# 143: stopped by the second SIGTERM; 1: the emulation failure came first.
[ "$rc" -eq 143 ] || [ "$rc" -eq 1 ] || fail "berth-vmm exited $rc: $(cat "$SCRATCH/err")"
echo ok
