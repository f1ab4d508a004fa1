#!/usr/bin/env bash
# berth-vmm on this host's KVM with tiny guests: power-off, console output, panic, triple fault,
# unclaimed I/O, SMP and RAM above 4 GiB.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
need_kvm

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-poweroff.bzImage"
expect_status 0 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --cpus 2 --mem 64M
expect_output "hello from tiny"

# More vCPUs and RAM split around the 32-bit hole.
expect_status 0 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --cpus 4 --mem 5G
expect_output "hello from tiny"

expect_status 1 "$VMM" --kernel "$GUESTS/tiny-panic.bzImage"
expect_output "the guest kernel panicked"

# A triple fault with --no-reboot (or, on kvm_pvm, the emulation failure it turns into) is a
# one-line failure; tiny_real_kvm.sh checks the reboot without --no-reboot.
expect_status 1 "$VMM" --kernel "$GUESTS/tiny-triple.bzImage" --no-reboot
[ "$(printf '%s\n' "$OUT" | grep -c '^berth-vmm:')" -eq 1 ] || fail "expected one reason line: $OUT"
if [ -e /sys/module/kvm_pvm ]; then
	expect_output "kvm_pvm"
	expect_output "tests/rig/run"
else
	expect_output "triple-faulted"
fi

# Unclaimed port and MMIO accesses are ignored and logged once per address.
expect_status 0 "$VMM" --kernel "$GUESTS/tiny-badio.bzImage"
expect_output "badio ok"
[ "$(printf '%s\n' "$OUT" | grep -c 'port read of 1 byte at 0x1234')" -eq 1 ] || fail "port 0x1234 not logged once: $OUT"
[ "$(printf '%s\n' "$OUT" | grep -c 'mmio write of 4 bytes at 0xd0000000')" -eq 1 ] || fail "MMIO not logged once: $OUT"
echo ok
