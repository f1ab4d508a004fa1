#!/usr/bin/env bash
# virtio-blk (--disk) with the Debian cloud kernel, in two boots:
# 1. /dev/vda (serial=berth-disk-0) holds random bytes the guest checksums; the guest writes
#    a pattern to /dev/vdb and powers off, and the pattern is in vdb's image; a write to the
#    read-only /dev/vdc fails and leaves its image byte-identical. (Linux refuses it before
#    it reaches the device: a disk with VIRTIO_BLK_F_RO stays read-only even after
#    blockdev --setrw; the device's own I/O error for such writes is unit-tested.)
# 2. A write flushed with fsync survives kill -9 of the VMM; while that VMM runs, a second
#    VMM on the same writable image refuses to start (berth-vmm: status 2).
# TEST_VMM=qemu runs the same guest under QEMU (tests/system/vmm/devices.sh).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/devices.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
if [ -b /dev/vdb ]; then
	echo "disk: serial=$(cat /sys/block/vda/serial)"
	echo "disk: vda-sha256=$(sha256sum </dev/vda | cut -d' ' -f1)"
	yes berth-vdb | head -c 1048576 | dd of=/dev/vdb bs=64k conv=fsync 2>/dev/null
	echo "disk: vdb-written=$?"
	if err=$(dd if=/dev/zero of=/dev/vdc bs=4096 count=1 oflag=direct 2>&1); then
		echo "disk: ro-write succeeded"
	else
		echo "disk: ro-write failed: $(echo "$err" | head -1)"
	fi
else
	yes berth-flushed | head -c 65536 | dd of=/dev/vda bs=64k conv=fsync 2>/dev/null &&
		echo "disk: flushed"
	sleep 600
fi
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
run=$(mktemp -d /run/berth-disk.XXXXXX)
trap 'rm -rf "$run"' EXIT
pattern() { yes "$1" | head -c "$2"; }

# Boot 1: read, write, read-only, serial; a clean power-off.
head -c 4M /dev/urandom >"$run/vda.img"
truncate -s 8M "$run/vdb.img"
head -c 2M /dev/urandom >"$run/vdc.img"
cp "$run/vdc.img" "$run/vdc.orig"
vmm_cmd --disk "$run/vda.img,serial=berth-disk-0" --disk "$run/vdb.img" --disk "$run/vdc.img,ro"
expect_status 0 timeout 240 "${VMM_CMD[@]}" </dev/null
OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
expect_output "disk: serial=berth-disk-0"
expect_output "disk: vda-sha256=$(sha256sum <"$run/vda.img" | cut -d' ' -f1)"
expect_output "disk: vdb-written=0"
expect_output "disk: ro-write failed"
expect_output "berth-kit: exit 0"
[ "$(head -c 1M "$run/vdb.img" | sha256sum)" = "$(pattern berth-vdb 1M | sha256sum)" ] ||
	fail "vdb's image lacks the guest's pattern: $(head -c 64 "$run/vdb.img" | od -c | head -3)"
cmp -s "$run/vdc.img" "$run/vdc.orig" || fail "the read-only image changed"
echo "ok: read, write, read-only ($(grep -o 'ro-write failed.*' <<<"$OUT")), serial"

# Boot 2: a flushed write survives kill -9; the image is locked while in use.
truncate -s 8M "$run/kill.img"
vmm_cmd --disk "$run/kill.img"
"${VMM_CMD[@]}" </dev/null >"$run/out" 2>&1 &
pid=$!
wait_for "$run/out" "disk: flushed"
expect_seccomp "$pid"
rc=0
second=$(timeout 60 "${VMM_CMD[@]}" </dev/null 2>&1) || rc=$?
want=2
[ "${TEST_VMM:-berth}" != qemu ] || want=1 # QEMU: "Failed to get "write" lock"
if [ "$rc" -ne "$want" ] || ! grep -qiE 'in use|lock' <<<"$second"; then
	fail "a second VMM on the image exited $rc (want $want, 'in use' or 'locked'): $second"
fi
kill -9 "$pid"
wait_exit "$pid" 30 "$run/out"
[ "$(head -c 64K "$run/kill.img" | sha256sum)" = "$(pattern berth-flushed 64K | sha256sum)" ] ||
	fail "the flushed write is not in the image after kill -9"
echo "ok: flushed write survives kill -9; second VMM refused: $(head -1 <<<"$second")"
