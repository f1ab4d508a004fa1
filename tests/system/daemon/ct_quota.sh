#!/usr/bin/env bash
# ct_quota.sh - a container's disk is its own ext4 file system in servers/NAME/disk.ext4,
# of the size it reserved: writing past it fails inside with "No space left on device" and
# the host's disk stays free; mounted on rootfs/ while it runs, not when stopped; a running
# container survives a berthd restart with its mount; resize grows it; delete, and a create
# cut short by SIGKILL, leave no mount, no loop device and no file.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

need_root
[ -x "$BUILD/berth-ct" ] || skip "build/berth-ct is not built"
command -v mkfs.ext4 >/dev/null || skip "needs e2fsprogs"
command -v losetup >/dev/null || skip "needs losetup (util-linux)"

MIB=1048576
start_berthd --host-memory 2G --host-cpus 4
busybox_rootfs "$SCRATCH/rootfs"
# at boot, fill the disk (200 MiB into a 64 MiB one) and record how that ended
printf '%s\n' "::sysinit:/bin/sh -c 'dd if=/dev/zero of=/fill bs=1M count=200 2>/tmp/dd.err; echo \$? >/tmp/dd.rc'" \
	'::respawn:/bin/sleep 1000' >"$SCRATCH/rootfs/etc/inittab"
import_ct bb "$SCRATCH/rootfs"

# loops_on FILE: the loop devices backed by FILE.
loops_on() { losetup -nl -O NAME,BACK-FILE | awk -v f="$1" '$2 == f {print $1}'; }
# leftovers: mounts and loop devices of anything under the state directory.
leftovers() {
	awk -v s="$STATE/" 'index($5, s) == 1 {print "mount " $5}' /proc/self/mountinfo
	losetup -nl -O NAME,BACK-FILE | awk -v s="$STATE/" 'index($2, s) == 1 {print "loop " $0}'
}
op() { wait_op "$(jq -r .operation <<<"$REPLY")"; }
server() { api GET "/1.0/servers/$1" >/dev/null; }

# Too small for the image's tree: refused at once, saying what it needs.
expect_api 400 POST /1.0/servers '{"name":"tiny","kind":"ct","image":"bb","cpus":1,"memory":"64M","disk":"8M"}'
grep -q "disk too small: asked 8 MiB" <<<"$REPLY" || fail "no clear refusal: $REPLY"
grep -q "at least" <<<"$REPLY" || fail "the refusal does not say what is needed: $REPLY"

# No size asked: the image's tree plus headroom, reserved as the disk file's size.
expect_api 202 POST /1.0/servers '{"name":"dflt","kind":"ct","image":"bb","cpus":1,"memory":"64M"}'
op
size=$(jq .disk <<<"$(api GET /1.0/servers/dflt)")
[ "$size" -gt $((1024 * MIB)) ] || fail "default disk of $size bytes has no headroom"
[ "$(stat -c %s "$STATE/servers/dflt/disk.ext4")" = "$size" ] || fail "dflt: disk file is not its reservation"
expect_api 202 DELETE /1.0/servers/dflt
op

expect_api 202 POST /1.0/servers '{"name":"q1","kind":"ct","image":"bb","cpus":1,"memory":"64M","disk":"64M"}'
op
DISK=$STATE/servers/q1/disk.ext4
ROOT=$STATE/servers/q1/rootfs
[ "$(stat -c %s "$DISK")" = $((64 * MIB)) ] || fail "disk.ext4 is not 64 MiB"
[ "$(stat -c %b "$DISK")" -lt $((64 * MIB / 512)) ] || fail "disk.ext4 is not sparse"
! mountpoint -q "$ROOT" || fail "a stopped server's rootfs is mounted"
[ -z "$(ls -A "$ROOT")" ] || fail "a stopped server's rootfs is not empty"
[ -z "$(loops_on "$DISK")" ] || fail "a stopped server holds a loop device"
# the tree is inside the file system, with its owners and modes
debugfs -R 'stat /bin/busybox' "$DISK" 2>/dev/null | grep -q "Mode:  0755" || fail "busybox not in disk.ext4"

free_before=$(df -B1 --output=avail "$STATE" | tail -1)
expect_api 202 PUT /1.0/servers/q1/state '{"action":"start"}'
op
mountpoint -q "$ROOT" || fail "rootfs not mounted while running"
[ "$(findmnt -n -o FSTYPE "$ROOT")" = ext4 ] || fail "rootfs is not the ext4 disk"
findmnt -n -o OPTIONS "$ROOT" | grep -q nodev || fail "rootfs not mounted nodev"
[ -n "$(loops_on "$DISK")" ] || fail "no loop device on disk.ext4 while running"
for _ in $(seq 100); do [ -s "$ROOT/tmp/dd.rc" ] && break; sleep 0.1; done
[ "$(cat "$ROOT/tmp/dd.rc" 2>/dev/null)" = 1 ] || fail "dd inside did not fail: rc $(cat "$ROOT/tmp/dd.rc" 2>/dev/null)"
grep -q "No space left on device" "$ROOT/tmp/dd.err" || fail "dd failed otherwise: $(cat "$ROOT/tmp/dd.err")"
fill=$(stat -c %s "$ROOT/fill")
[ "$fill" -lt $((64 * MIB)) ] && [ "$fill" -gt $((32 * MIB)) ] || fail "wrote $fill bytes into a 64 MiB disk"
free_after=$(df -B1 --output=avail "$STATE" | tail -1)
# the host gave the container at most its disk file's 64 MiB...
[ $(($(stat -c %b "$DISK") * 512)) -le $((64 * MIB)) ] || fail "disk.ext4 takes more than 64 MiB"
# ...and lost far less than the 200 MiB written (other programs may write meanwhile)
[ $((free_before - free_after)) -lt $((150 * MIB)) ] || fail "the host lost $((free_before - free_after)) bytes"
echo "inside: $(grep "No space" "$ROOT/tmp/dd.err"); host free space $((free_before - free_after)) bytes less"

# A running container keeps its disk over a berthd restart.
server q1
pid=$(jq .pid <<<"$REPLY")
kill_berthd KILL
start_berthd
server q1
[ "$(jq -r .state <<<"$REPLY")" = running ] && [ "$(jq .pid <<<"$REPLY")" = "$pid" ] || fail "q1 not adopted: $REPLY"
mountpoint -q "$ROOT" || fail "rootfs unmounted by a berthd restart"
[ -e "$ROOT/fill" ] || fail "the disk's files are gone after a restart"

expect_api 202 PUT /1.0/servers/q1/state '{"action":"stop","timeout":5}'
op
! mountpoint -q "$ROOT" || fail "rootfs still mounted after stop"
[ -z "$(loops_on "$DISK")" ] || fail "loop device left after stop"

# A stopped server's disk left mounted (by hand, here) is unmounted at berthd's start.
kill_berthd TERM
mount -o loop,nodev "$DISK" "$ROOT"
start_berthd
! mountpoint -q "$ROOT" || fail "a stopped server's mount survived berthd's start"
[ -z "$(loops_on "$DISK")" ] || fail "loop device left at berthd's start"

# Resize: grow while stopped, shrinking refused.
expect_api 200 PATCH /1.0/servers/q1 '{"disk":"128M"}'
[ "$(stat -c %s "$DISK")" = $((128 * MIB)) ] || fail "disk.ext4 not grown"
blocks=$(dumpe2fs -h "$DISK" 2>/dev/null | awk -F: '/^Block count/ {print $2 + 0}')
bsize=$(dumpe2fs -h "$DISK" 2>/dev/null | awk -F: '/^Block size/ {print $2 + 0}')
[ $((blocks * bsize)) = $((128 * MIB)) ] || fail "file system not grown: $blocks blocks of $bsize"
expect_api 400 PATCH /1.0/servers/q1 '{"disk":"100M"}'
grep -q "cannot shrink" <<<"$REPLY" || fail "shrink not refused clearly: $REPLY"
expect_api 202 PUT /1.0/servers/q1/state '{"action":"start"}'
op
[ "$(df -B1 --output=size "$ROOT" | tail -1)" -gt $((100 * MIB)) ] || fail "the container does not see its grown disk"
[ -e "$ROOT/fill" ] || fail "files lost by the resize"

# Delete (forced, while running): no mount, no loop device, no file.
expect_api 202 DELETE "/1.0/servers/q1?force=1"
op
[ ! -e "$STATE/servers/q1" ] || fail "q1's files left after delete"
[ -z "$(leftovers)" ] || fail "left after delete: $(leftovers)"

# berthd SIGKILLed during creates, then restarted: nothing of the cut ones is left.
add_junk "$SCRATCH/rootfs" 30
import_ct big "$SCRATCH/rootfs"
cut_mounted=0
for delay in 0.02 0.05 0.1 0.2 0.3 0.6; do
	curl -s --unix-socket "$SOCK" -X POST -o /dev/null \
		--data-binary '{"name":"k","kind":"ct","image":"big","cpus":1,"memory":"64M","disk":"64M"}' \
		http://berthd/1.0/servers
	sleep "$delay"
	kill_berthd KILL
	at_kill=$(leftovers)
	[ -z "$at_kill" ] || cut_mounted=$((cut_mounted + 1))
	start_berthd
	state=$(db "SELECT state FROM servers WHERE name = 'k'")
	echo "killed $delay s into a create: ${state:-absent}; at the kill: ${at_kill:-nothing mounted}" | tr '\n' ' '
	echo
	[ ! -e "$STATE/servers/k.tmp" ] || fail "a .tmp directory is left"
	case $state in
	"") [ ! -e "$STATE/servers/k" ] || fail "files without a row" ;;
	stopped) [ -f "$STATE/servers/k/disk.ext4" ] || fail "stopped without its disk" ;;
	*) fail "left in state $state" ;;
	esac
	[ -z "$(leftovers)" ] || fail "left by a create cut short: $(leftovers)"
	if [ -n "$state" ]; then
		expect_api 202 DELETE /1.0/servers/k
		op
	fi
done
grep -q "rolled back server k" "$SCRATCH/berthd.log" || fail "no create was cut short: the test proved nothing"
[ "$cut_mounted" -gt 0 ] || fail "no create was cut while its disk was mounted: the test proved nothing"
[ -z "$(leftovers)" ] || fail "left at the end: $(leftovers)"
