#!/usr/bin/env bash
# image_qcow2.sh - a VM disk brought as qcow2 is told from a raw one by its first bytes and
# stored raw (converted by qemu-img, sparse), its content unchanged. A customer's qcow2 is
# hostile: one with a backing file or an external data file naming a host file is refused, and
# that file is never opened (an inotify watch on its directory sees no event); a truncated one
# is refused with a message naming the file; one whose virtual size exceeds image_max_size is
# refused, as is one over the disk the ledger could give. Each refusal leaves no image row and no file. The judge answers the upload itself;
# the conversion is an operation whose progress berth shows.
# timeout: 300
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli
command -v qemu-img >/dev/null || skip "needs qemu-img (qemu-utils)"
command -v inotifywait >/dev/null || skip "needs inotifywait (inotify-tools)"
command -v mkfs.ext4 >/dev/null || skip "needs mkfs.ext4"
command -v debugfs >/dev/null || skip "needs debugfs"

printf 'image_max_size = 256M\n' >"$SCRATCH/berthd.conf"
start_berthd

nothing_left() {
	wait_until 10 eval "[ ! -e '$STATE/images/$1' ] && [ ! -e '$STATE/images/$1.tmp' ]" ||
		fail "image $1 left files: $(ls -la "$STATE/images")"
	api GET "/1.0/images/$1" >/dev/null
	[ "$STATUS" = 404 ] || fail "image $1 left a row: $STATUS $REPLY"
}

# A raw ext4 disk with a known file, and the same disk as qcow2.
mkdir -p "$SCRATCH/tree"
echo "berth qcow2 marker $$" >"$SCRATCH/tree/marker"
mkfs.ext4 -q -F -L qtest -d "$SCRATCH/tree" "$SCRATCH/disk.raw" 64M
qemu-img convert -f raw -O qcow2 "$SCRATCH/disk.raw" "$SCRATCH/disk.qcow2"

expect_status 0 berth image import q1 --kind vm --disk "$SCRATCH/disk.qcow2"
# The conversion is an operation after the upload, its progress shown to the end.
expect_output "import q1: done"
DISK=$STATE/images/q1/disk.img
[ "$(head -c 4 "$DISK")" != $'QFI\xfb' ] || fail "the image's disk is still qcow2"
cmp "$SCRATCH/disk.raw" "$DISK" || fail "the raw disk differs from what the qcow2 held"
[ "$(debugfs -R 'cat /marker' "$DISK" 2>/dev/null)" = "berth qcow2 marker $$" ] ||
	fail "the marker file is not in the imported disk"
# Sparse: the 64 MiB disk takes far less than its size.
[ "$(du -k "$DISK" | cut -f1)" -lt 32768 ] || fail "the raw disk is not sparse: $(du -k "$DISK")"
api GET /1.0/images/q1 >/dev/null
[ "$(jq -r .boot <<<"$REPLY")" = firmware ] || fail "q1 does not boot by firmware: $REPLY"
# A raw disk is taken as it is.
expect_status 0 berth image import r1 --kind vm --disk "$SCRATCH/disk.raw"
cmp "$SCRATCH/disk.raw" "$STATE/images/r1/disk.img" || fail "the raw import changed the disk"

# Host files a hostile qcow2 names, in a directory watched for any access.
HOSTDIR=$SCRATCH/host
mkdir -p "$HOSTDIR"
truncate -s 64M "$HOSTDIR/secret.raw"
echo "host secret" | dd of="$HOSTDIR/secret.raw" conv=notrunc status=none
qemu-img create -q -f qcow2 -F raw -b "$HOSTDIR/secret.raw" "$SCRATCH/backed.qcow2"
qemu-img create -q -f qcow2 -o data_file="$HOSTDIR/secret.raw",data_file_raw=on \
	"$SCRATCH/datafile.qcow2" 64M
# qemu-img create wrote the data file's header; the watch starts after it.
inotifywait -m -q -e open,access,modify,attrib --format '%e %w%f' "$HOSTDIR" \
	>"$SCRATCH/inotify.log" 2>"$SCRATCH/inotify.err" &
WATCH=$!
sleep 0.5 # the watch is set up before inotifywait prints anything; give it its moment
touch "$HOSTDIR/probe"
wait_until 5 grep -q probe "$SCRATCH/inotify.log" || fail "the inotify watch sees nothing"

expect_status 1 berth image import b1 --kind vm --disk "$SCRATCH/backed.qcow2"
expect_output "--disk $SCRATCH/backed.qcow2"
expect_output "has a backing file"
nothing_left b1
expect_status 1 berth image import d1 --kind vm --disk "$SCRATCH/datafile.qcow2"
expect_output "--disk $SCRATCH/datafile.qcow2"
expect_output "external data file"
nothing_left d1
sleep 0.5
kill "$WATCH"
wait "$WATCH" 2>/dev/null || true
if grep -v probe "$SCRATCH/inotify.log"; then
	fail "a refused import touched the host file its qcow2 named"
fi

# Truncated: a qcow2 holding data, cut in half.
head -c 8M /dev/urandom >"$SCRATCH/data.raw"
qemu-img convert -f raw -O qcow2 "$SCRATCH/data.raw" "$SCRATCH/data.qcow2"
head -c 4M "$SCRATCH/data.qcow2" >"$SCRATCH/cut.qcow2"
expect_status 1 berth image import t1 --kind vm --disk "$SCRATCH/cut.qcow2"
expect_output "--disk $SCRATCH/cut.qcow2"
expect_output "truncated or corrupt"
nothing_left t1
# Cut within its header: qemu-img cannot open it.
head -c 100 "$SCRATCH/data.qcow2" >"$SCRATCH/head.qcow2"
expect_status 1 berth image import t2 --kind vm --disk "$SCRATCH/head.qcow2"
expect_output "--disk $SCRATCH/head.qcow2"
expect_output "not a valid qcow2 image"
nothing_left t2

# A virtual size over image_max_size (the file itself is tiny).
qemu-img create -q -f qcow2 "$SCRATCH/huge.qcow2" 1G
expect_status 1 berth image import v1 --kind vm --disk "$SCRATCH/huge.qcow2"
expect_output "--disk $SCRATCH/huge.qcow2"
expect_output "more than image_max_size"
nothing_left v1

# The ledger's bound: a state directory on a 128 MiB file system keeping 32 MiB for the host,
# image_max_size out of the way: a qcow2 of 256 MiB (a small file) is refused before any
# conversion, one of 64 MiB is imported.
kill_berthd TERM
mkdir -p "$SCRATCH/small"
mount -t tmpfs -o size=128M berth-qcow2 "$SCRATCH/small" || skip "cannot mount a tmpfs"
STATE=$SCRATCH/small/state
printf 'host_reserve_disk = 32M\nimage_max_size = 8G\n' >"$SCRATCH/berthd.conf"
start_berthd
qemu-img create -q -f qcow2 "$SCRATCH/256m.qcow2" 256M
expect_status 1 berth image import l1 --kind vm --disk "$SCRATCH/256m.qcow2"
expect_output "more than the disk the ledger could give"
nothing_left l1
expect_status 0 berth image import l2 --kind vm --disk "$SCRATCH/disk.qcow2"
cmp "$SCRATCH/disk.raw" "$STATE/images/l2/disk.img" || fail "l2's raw disk differs"

# berthd still answers and keeps the good images.
expect_status 0 berth image list
expect_output l2
echo "ok"
