#!/usr/bin/env bash
# resize_online.sh - `berth resize NAME --disk SIZE` on running servers, inside the test rig
# (an online ext4 resize needs CAP_SYS_RESOURCE, which root has there; and real guests):
# a busybox container's `df /` inside shows the new size at once, without a restart; a
# kit-vm VM's guest sees its /sys/block/vda/size change (berthd grows disk.img and sends
# disk-resize to its VMM). Refused, with nothing changed (file, ledger, what runs): a smaller
# disk, a disk beyond the host's free disk, and other CPUs for a running server.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"
# its containers need user namespaces, which the rig refuses to a chrooted command
export BERTH_RIG_ROOT=move

MIB=1048576

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare busybox
	bb=$(command -v busybox)
	cat >"$SCRATCH/guest.sh" <<'EOS'
first=$(cat /sys/block/vda/size)
echo "resize-online: vda $first sectors"
i=0
while [ "$(cat /sys/block/vda/size)" = "$first" ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done
echo "resize-online: vda now $(cat /sys/block/vda/size) sectors"
sleep 600
EOS
	mkdir -p "$SCRATCH/rootfs"/{bin,sbin,etc,proc,sys,dev,tmp,root}
	cp "$bb" "$SCRATCH/rootfs/bin/busybox"
	ln -sf busybox "$SCRATCH/rootfs/bin/sh"
	ln -sf ../bin/busybox "$SCRATCH/rootfs/sbin/init"
	printf '%s\n' '::respawn:/bin/sleep 1000' >"$SCRATCH/rootfs/etc/inittab"
	rig_vm_run "$0"
fi

rig_daemon_init resize "$2"
rig_daemon_start

# ct_size: the size in bytes of / inside c1, as df shows it.
ct_size() {
	expect_status 0 berth exec c1 -- /bin/busybox df -k /
	awk 'NR == 2 { print $2 * 1024 }' <<<"$OUT"
}
# disk_of NAME: its disk reservation, as berthd lists it.
disk_of() {
	expect_status 0 berth show "$1" --format json
	jq .disk <<<"$OUT"
}

# A running container.
expect_status 0 berth image import bb --kind ct --rootfs "$2/rootfs"
expect_status 0 berth create c1 --kind ct --image bb --cpus 1 --memory 64M --disk 64M
expect_status 0 berth start c1
CTDISK=$STATE/servers/c1/disk.ext4
pid=$(berth show c1 --format json | jq .pid)
before=$(ct_size)
[ "$before" -gt $((40 * MIB)) ] && [ "$before" -le $((64 * MIB)) ] || fail "c1 sees / of $before bytes, not about 64 MiB"
expect_status 0 berth resize c1 --disk 256M
after=$(ct_size)
[ "$after" -gt $((200 * MIB)) ] || fail "after the resize c1 sees / of $after bytes, not about 256 MiB"
[ "$(stat -c %s "$CTDISK")" = $((256 * MIB)) ] || fail "disk.ext4 is $(stat -c %s "$CTDISK") bytes"
[ "$(berth show c1 --format json | jq -r '"\(.state) \(.pid)"')" = "running $pid" ] || fail "c1 was restarted"
echo "ok: a running container's / grew from $before to $after bytes (df inside), no restart"

# Refused, nothing changed: a smaller disk, more than the host has, other CPUs.
expect_status 1 berth resize c1 --disk 128M
expect_output "cannot shrink"
expect_status 1 berth resize c1 --disk 100T
expect_output "not enough disk"
expect_status 1 berth resize c1 --cpus 2
expect_output "server c1 is running: stop it before changing its CPUs or memory"
[ "$(stat -c %s "$CTDISK")" = $((256 * MIB)) ] || fail "a refused resize changed disk.ext4"
[ "$(disk_of c1)" = $((256 * MIB)) ] || fail "a refused resize changed the ledger: $OUT"
[ "$(ct_size)" = "$after" ] || fail "a refused resize changed what c1 sees"
echo "ok: refused while running: smaller, beyond the free disk, other CPUs; nothing changed"

# A running VM: its guest sees the larger disk without a reboot.
expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img"
expect_status 0 berth create v1 --kind vm --image kit --cpus 1 --memory 256M --disk 128M
expect_status 0 berth start v1
CONSOLE=$STATE/servers/v1/console.log
wait_for "$CONSOLE" "resize-online: vda $((128 * MIB / 512)) sectors" 1 180
expect_status 1 berth resize v1 --disk 64M
expect_output "cannot shrink"
expect_status 0 berth resize v1 --disk 192M
wait_for "$CONSOLE" "resize-online: vda now $((192 * MIB / 512)) sectors" 1 60
[ "$(stat -c %s "$STATE/servers/v1/disk.img")" = $((192 * MIB)) ] || fail "disk.img not grown"
[ "$(disk_of v1)" = $((192 * MIB)) ] || fail "the ledger: $OUT"
echo "ok: a running VM's guest saw its disk grow from 128 to 192 MiB (/sys/block/vda/size)"
