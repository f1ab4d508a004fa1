#!/usr/bin/env bash
# ledger_disk.sh - the disk ledger sells the state directory's file system as it is: on a
# 300 MiB file system (tmpfs) holding a 200 MiB image imported after berthd started, a VM
# server asking for a 250 MiB disk is refused at once with "not enough disk", leaving no row
# and no file; GET /1.0/host shows the image's space as reserved; a server that fits is
# created and counted; its resize beyond the free disk, or to a smaller disk, is refused
# with nothing changed.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"

need_root
need_berth_cli
command -v mkfs.ext4 >/dev/null || skip "needs e2fsprogs"
KERNEL=$GUESTS/tiny-poweroff.bzImage
[ -f "$KERNEL" ] || skip "build/guests is not built (make guests)"

MIB=1048576
mkdir -p "$STATE"
mount -t tmpfs -o size=300m,mode=0711 berth-test "$STATE" || skip "cannot mount a tmpfs"
# a small margin (the default 1G is larger than this whole file system)
printf 'host_reserve_disk = 8M\n' >"$SCRATCH/berthd.conf"
start_berthd --host-memory 2G --host-cpus 4

# 200 MiB of data (no zeros: no holes), imported after berthd started.
{ yes berth || true; } | head -c $((200 * MIB)) >"$SCRATCH/disk.img"
expect_status 0 berth image import big --kind vm --kernel "$KERNEL" --disk "$SCRATCH/disk.img"

api GET /1.0/host >/dev/null
images=$(jq .disk.images <<<"$REPLY")
[ "$images" -ge $((200 * MIB)) ] || fail "the image's space is not counted: $REPLY"
[ "$(jq .disk.reserved <<<"$REPLY")" -ge $((200 * MIB)) ] || fail "image not reserved: $REPLY"
[ "$(jq .disk.free <<<"$REPLY")" -lt $((100 * MIB)) ] || fail "free disk overstated: $REPLY"

# 250 MiB cannot fit beside a 200 MiB image in 300 MiB: refused before any copy.
expect_status 1 berth create v1 --kind vm --image big --cpus 1 --memory 64M --disk 250M
expect_output "not enough disk"
[ "$(db 'SELECT count(*) FROM servers')" = 0 ] || fail "a refused server left a row"
[ -z "$(ls -A "$STATE/servers" 2>/dev/null)" ] || fail "a refused server left files: $(ls -A "$STATE/servers")"
# its own size (200 MiB, a copy of the image's disk) does not fit either
expect_status 1 berth create v2 --kind vm --image big --cpus 1 --memory 64M
expect_output "not enough disk"

# What fits is given and counted: a container on a 40 MiB disk of its own.
busybox_rootfs "$SCRATCH/rootfs"
expect_status 0 berth image import bb --kind ct --rootfs "$SCRATCH/rootfs"
expect_status 0 berth create c1 --kind ct --image bb --cpus 1 --memory 64M --disk 40M
api GET /1.0/host >/dev/null
bb=$(db "SELECT size FROM images WHERE name = 'bb'")
[ "$(jq .disk.reserved <<<"$REPLY")" = $((images + bb + 40 * MIB)) ] ||
	fail "reserved is not images + the server's disk: $REPLY"
echo "ledger_disk: 250 MiB refused beside a $((images / MIB)) MiB image on 300 MiB; $(jq -c .disk <<<"$REPLY")"

# A resize beyond the free disk, and one smaller, are refused; the disk file and the ledger
# stay as they were.
reserved=$(jq .disk.reserved <<<"$REPLY")
expect_status 1 berth resize c1 --disk 250M
expect_output "not enough disk"
expect_status 1 berth resize c1 --disk 20M
expect_output "cannot shrink"
[ "$(stat -c %s "$STATE/servers/c1/disk.ext4")" = $((40 * MIB)) ] || fail "a refused resize changed disk.ext4"
api GET /1.0/host >/dev/null
[ "$(jq .disk.reserved <<<"$REPLY")" = "$reserved" ] || fail "a refused resize changed the ledger: $REPLY"
echo "ledger_disk: resizes beyond the free disk and smaller refused, nothing changed"
