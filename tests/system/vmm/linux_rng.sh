#!/usr/bin/env bash
# virtio-rng (present unless --no-rng): the guest's hw_random core picks virtio_rng, and
# /dev/hwrng gives 64 bytes that are not all zero. TEST_VMM=qemu runs the same guest under QEMU.
# timeout: 700
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/devices.sh"
if [ "${1:-}" != --inside ]; then
	devices_need --no-rng
	guest_prepare <<'GUEST'
echo "rng: current=$(cat /sys/class/misc/hw_random/rng_current)"
bytes=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
echo "rng: bytes=$bytes"
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
vmm_cmd
expect_status 0 timeout 240 "${VMM_CMD[@]}" </dev/null
OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
expect_output "rng: current=virtio_rng"
expect_output "berth-kit: exit 0"
hex=$(sed -n 's/^rng: bytes=//p' <<<"$OUT")
[ "${#hex}" -eq 128 ] || fail "read ${#hex} hex digits from /dev/hwrng, want 128: '$hex'"
[[ $hex =~ [1-9a-f] ]] || fail "/dev/hwrng gave all zeros"
echo "ok: $(grep -o 'rng: current=.*' <<<"$OUT"), 64 bytes"
