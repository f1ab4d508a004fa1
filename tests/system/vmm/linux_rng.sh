#!/usr/bin/env bash
# virtio-rng (present unless --no-rng), in three boots: the guest's hw_random core picks
# virtio_rng and /dev/hwrng gives 64 bytes that are not all zero, with interrupts as MSI-X;
# the same with pci=nomsi, the interrupts then on the IOAPIC (INTx); and with --no-rng there
# is no hw_random device at all. TEST_VMM=qemu runs the same guest under QEMU.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/devices.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
echo "rng: current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || echo none)"
bytes=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
echo "rng: bytes=$bytes"
grep virtio /proc/interrupts | sed 's/^/rng: irq /'
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"

# rng_boot WHAT ARGS...: boot with ARGS, check the guest's entropy, the interrupts' kind in $IRQ.
rng_boot() {
	local what=$1 hex
	shift
	vmm_cmd "$@"
	expect_status 0 timeout 240 "${VMM_CMD[@]}" </dev/null
	OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
	expect_output "berth-kit: exit 0"
	expect_output "rng: current=virtio_rng"
	hex=$(sed -n 's/^rng: bytes=//p' <<<"$OUT")
	[ "${#hex}" -eq 128 ] || fail "$what: read ${#hex} hex digits from /dev/hwrng, want 128: '$hex'"
	[[ $hex =~ [1-9a-f] ]] || fail "$what: /dev/hwrng gave all zeros"
	IRQ=$(grep '^rng: irq' <<<"$OUT" || true)
}

rng_boot "MSI-X"
grep -q 'PCI-MSI' <<<"$IRQ" || fail "MSI-X: no PCI-MSI interrupt for virtio: $IRQ"
rng_boot "INTx" --cmdline "$GUEST_CMDLINE pci=nomsi"
grep -q 'IO-APIC' <<<"$IRQ" || fail "INTx: no IO-APIC interrupt for virtio: $IRQ"
vmm_cmd --no-rng
expect_status 0 timeout 240 "${VMM_CMD[@]}" </dev/null
OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
expect_output "rng: current=none"
echo "ok: virtio_rng with MSI-X and with INTx, 64 bytes each; none with --no-rng"
