#!/usr/bin/env bash
# The tiny guests whose ends differ on a real KVM, run on one (inside the rig where this
# host's KVM is kvm_pvm, in one rig boot): power-off, a triple fault (a KVM shutdown exit,
# which kvm_pvm turns into an emulation failure) ending the VM with --no-reboot and booting
# it again without, as a PC resets; a panic through pvpanic, unclaimed I/O.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	reason=$("$ROOT/tests/rig/available") || skip "$reason"
	scratch
	guest_run_inside "$0"
	exit
fi
[ ! -e /sys/module/kvm_pvm ] || fail "still on kvm_pvm: the rig should have been used"

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-poweroff.bzImage"
[ -z "$OUT" ] || fail "a clean power-off printed: $OUT"

expect_status 1 "$VMM" --kernel "$GUESTS/tiny-triple.bzImage" --no-reboot
[ "$(printf '%s\n' "$OUT" | grep -c '^berth-vmm:')" -eq 1 ] || fail "expected one reason line: $OUT"
expect_output "the guest triple-faulted (the CPU shut down) at RIP 0x"
expect_output "CR0 0x"
[[ $OUT != *kvm_pvm* ]] || fail "the kvm_pvm hint on a real KVM: $OUT"

# Without --no-reboot the guest (which triple-faults at once, every boot) is booted again.
log=$(mktemp)
"$VMM" --kernel "$GUESTS/tiny-triple.bzImage" 2>"$log" &
pid=$!
for _ in $(seq 300); do
	[ "$(grep -c 'a PC resets on that: booting it again' "$log")" -ge 3 ] && break
	sleep 0.1
done
kill -KILL "$pid" 2>/dev/null || fail "the VM ended after a triple fault: $(tail -3 "$log")"
wait "$pid" || true
n=$(grep -c 'triple-faulted .*: booting it again' "$log")
rm -f "$log"
[ "$n" -ge 3 ] || fail "expected at least 3 boots after triple faults, saw $n"

expect_status 1 "$VMM" --kernel "$GUESTS/tiny-panic.bzImage"
expect_output "berth-vmm: the guest kernel panicked"

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-badio.bzImage"
expect_output "badio ok"
[ "$(printf '%s\n' "$OUT" | grep -c 'port read of 1 byte at 0x1234')" -eq 1 ] || fail "port 0x1234 not logged once: $OUT"
[ "$(printf '%s\n' "$OUT" | grep -c 'mmio write of 4 bytes at 0xd0000000')" -eq 1 ] || fail "MMIO not logged once: $OUT"
echo "ok: power-off 0, triple fault 1 with its registers (--no-reboot), booted again $n times without, panic 1, unclaimed I/O logged once"
