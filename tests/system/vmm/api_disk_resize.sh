#!/usr/bin/env bash
# disk-resize on the API socket of a real berth-vmm under its seccomp filters (a tiny guest
# that never looks at its disks: what the guest sees is linux_disk_grow.sh's, in the rig):
# the reply gives the sizes read again from the VMM's own fd, for an image file and for a
# block device (a loop device: BLKGETSIZE64 on the main thread); a file that shrank and a
# disk the VM lacks are refused; the VMM lives on through all of it.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
need_kvm
scratch
S=$SCRATCH/api.sock
LOOP=
trap '[ -z "$LOOP" ] || losetup -d "$LOOP"' EXIT

truncate -s 1M "$SCRATCH/disk.img"
"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --mem 64M --console none --api-sock "$S" \
	--disk "$SCRATCH/disk.img" 2>"$SCRATCH/log" &
pid=$!
api_wait_sock "$S"
out=$(api "$S" '{"cmd":"disk-resize"}')
[ "$out" = '{"ok":true,"disk":0,"old_size":1048576,"size":1048576}' ] || fail "unchanged: $out"
truncate -s 3M "$SCRATCH/disk.img"
out=$(api "$S" '{"cmd":"disk-resize","disk":0,"id":"a"}')
[ "$out" = '{"ok":true,"id":"a","disk":0,"old_size":1048576,"size":3145728}' ] || fail "grown: $out"
truncate -s 2M "$SCRATCH/disk.img"
out=$(api "$S" '{"cmd":"disk-resize"}')
[[ $out == '{"ok":false,"error":"virtio-blk 0 shrank to 2097152 bytes; a disk can only grow'* ]] ||
	fail "shrunk: $out"
truncate -s 3M "$SCRATCH/disk.img"
out=$(api "$S" '{"cmd":"disk-resize","disk":1}')
[ "$out" = '{"ok":false,"error":"no disk 1: the VM has 1 disk(s), numbered from 0"}' ] || fail "disk 1: $out"
kill -0 "$pid" || fail "the VMM died: $(cat "$SCRATCH/log")"
grep -q "berth-vmm: API: disk 0 grew from 1048576 to 3145728 bytes" "$SCRATCH/log" ||
	fail "no log line of the growth: $(cat "$SCRATCH/log")"
api "$S" '{"cmd":"stop"}' >/dev/null
wait "$pid" || true
echo "ok: an image file grew 1 -> 3 MiB; shrunk file and missing disk refused"

command -v losetup >/dev/null || skip "needs losetup (util-linux) for a block-device disk"
truncate -s 1M "$SCRATCH/blk.img"
LOOP=$(losetup -f --show "$SCRATCH/blk.img") || skip "no free loop device"
"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --mem 64M --console none --api-sock "$S" \
	--disk "$LOOP" 2>"$SCRATCH/log" &
pid=$!
api_wait_sock "$S"
truncate -s 2M "$SCRATCH/blk.img"
losetup -c "$LOOP"
out=$(api "$S" '{"cmd":"disk-resize"}')
[ "$out" = '{"ok":true,"disk":0,"old_size":1048576,"size":2097152}' ] || fail "block device: $out"
kill -0 "$pid" || fail "the VMM died: $(cat "$SCRATCH/log")"
api "$S" '{"cmd":"stop"}' >/dev/null
wait "$pid" || true
echo "ok: a block device grew 1 -> 2 MiB (BLKGETSIZE64 under seccomp)"
