#!/usr/bin/env bash
# image_upload.sh - berth image import uploads the files, read with the caller's rights:
# a member of the berth group who cannot read /etc/shadow cannot import it (as kernel,
# initrd, disk, rootfs tarball, or inside a rootfs directory) and berthd keeps nothing; the
# old form naming paths on berthd's host is root's only; normal imports by upload work for
# both kinds. And imports are bounded: a gzip archive that expands to 4 GiB is stopped at
# image_max_size, or where the disk the ledger can still give ends, leaving nothing; a plain
# image larger than image_max_size is refused.
# timeout: 300
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli
command -v setpriv >/dev/null || skip "needs setpriv"
command -v python3 >/dev/null || skip "needs python3 (to build the gzip archive)"
getent group berth >/dev/null || skip "needs a berth group (make install makes it)"
[ -f "$GUESTS/tiny-echo.bzImage" ] || skip "needs the test guests (make)"

NOBODY=$(id -u nobody)
# A member of the berth group and nothing more (no capabilities once not root).
as_member() { setpriv --reuid="$NOBODY" --regid="$NOBODY" --groups="$(getent group berth | cut -d: -f3)" "$@"; }
as_member cat /etc/shadow >/dev/null 2>&1 && skip "nobody can read /etc/shadow here"
chmod 755 "$SCRATCH"
printf 'image_max_size = 64M\n' >"$SCRATCH/berthd.conf"
start_berthd
member_berth() { as_member "$BERTH" --socket "$SOCK" "$@"; }

# Files the member may read.
PUB=$SCRATCH/pub
mkdir -p "$PUB"
cp "$GUESTS/tiny-echo.bzImage" "$PUB/kernel"
head -c 1M /dev/urandom >"$PUB/initrd"
truncate -s 32M "$PUB/disk.img"
echo marker | dd of="$PUB/disk.img" bs=1M seek=8 conv=notrunc status=none
busybox_rootfs "$PUB/rootfs"
tar -C "$PUB/rootfs" -czf "$PUB/rootfs.tar.gz" .
chmod -R a+rX "$PUB"

# nothing_left NAME: no row, no files (a refused upload's files go before berthd answers;
# one the client cut goes when berthd sees the connection end).
nothing_left() {
	wait_until 10 eval "[ ! -e '$STATE/images/$1' ] && [ ! -e '$STATE/images/$1.tmp' ]" ||
		fail "image $1 left files: $(ls -la "$STATE/images")"
	api GET "/1.0/images/$1" >/dev/null
	[ "$STATUS" = 404 ] || fail "image $1 left a row: $STATUS $REPLY"
}

# Someone else's file, by every option.
expect_status 1 member_berth image import s1 --kind vm --kernel "$PUB/kernel" --initrd /etc/shadow
expect_output "--initrd /etc/shadow: Permission denied"
nothing_left s1
expect_status 1 member_berth image import s2 --kind vm --kernel /etc/shadow
expect_output "--kernel /etc/shadow: Permission denied"
nothing_left s2
expect_status 1 member_berth image import s3 --kind vm --kernel "$PUB/kernel" --disk /etc/shadow
expect_output "--disk /etc/shadow: Permission denied"
nothing_left s3
expect_status 1 member_berth image import s4 --kind ct --rootfs /etc/shadow
expect_output "--rootfs /etc/shadow: Permission denied"
nothing_left s4
# Inside a directory: tar, run as the member, cannot read it; the upload is cut.
cp -a "$PUB/rootfs" "$SCRATCH/mixed"
cp /etc/shadow "$SCRATCH/mixed/etc/shadow"
chmod 0600 "$SCRATCH/mixed/etc/shadow"
expect_status 1 member_berth image import s5 --kind ct --rootfs "$SCRATCH/mixed"
expect_output "cannot read all of $SCRATCH/mixed"
expect_output "Permission denied"
nothing_left s5
# A link to it in a directory is archived as the link, never followed.
ln -s /etc/shadow "$PUB/rootfs/etc/link"
expect_status 0 member_berth image import linked --kind ct --rootfs "$PUB/rootfs"
[ "$(readlink "$STATE/images/linked/rootfs/etc/link")" = /etc/shadow ] || fail "the link was not kept as a link"
rm "$PUB/rootfs/etc/link"
# The form naming berthd's own files is root's only.
out=$(as_member curl -s --unix-socket "$SOCK" -H 'Content-Type: application/json' \
	--data-binary '{"name":"s6","kind":"vm","kernel":"'"$PUB"'/kernel","initrd":"/etc/shadow"}' \
	-w '\n%{http_code}' http://berthd/1.0/images)
[ "${out##*$'\n'}" = 403 ] || fail "a member naming berthd's files got: $out"
[[ $out == *"for root only"* ]] || fail "the refusal does not say why: $out"
nothing_left s6
echo "ok: a berth group member cannot import files it cannot read (kernel, initrd, disk, rootfs tarball, in a directory, by path)"

# Normal imports by upload, as the member.
expect_status 0 member_berth image import kit --kind vm --kernel "$PUB/kernel" --initrd "$PUB/initrd" --disk "$PUB/disk.img"
cmp "$PUB/kernel" "$STATE/images/kit/kernel" || fail "kernel differs"
cmp "$PUB/initrd" "$STATE/images/kit/initrd" || fail "initrd differs"
cmp "$PUB/disk.img" "$STATE/images/kit/disk.img" || fail "disk differs"
[ "$(du -k "$STATE/images/kit/disk.img" | cut -f1)" -lt 4096 ] || fail "the disk is no longer sparse"
expect_status 0 member_berth image import bbtar --kind ct --rootfs "$PUB/rootfs.tar.gz"
expect_status 0 member_berth image import bbdir --kind ct --rootfs "$PUB/rootfs"
[ -x "$STATE/images/bbdir/rootfs/bin/busybox" ] || fail "the rootfs directory did not arrive"
expect_status 0 member_berth image list --format json
jq_ok '[.[] | select(.state == "ready") | .name] | sort == ["bbdir", "bbtar", "kit", "linked"]'
# A VM archive holding more than its three files is refused (berthd's own check).
tar -C "$PUB" -cf "$SCRATCH/extra.tar" kernel rootfs/bin
out=$(curl -s --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' --data-binary @"$SCRATCH/extra.tar" \
	-w '\n%{http_code}' "http://berthd/1.0/images?name=extra&kind=vm")
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"kernel, initrd and disk.img, nothing else"* ]] || fail "extra files: $out"
nothing_left extra
echo "ok: uploads of vm and ct images (kernel, initrd, sparse disk; tarball, directory)"

# What a VM archive holds sets its boot; cmdline comes in the query, checked first.
# upload NAME TAR QUERY: POST the archive, $out is the reply then the status.
upload() {
	out=$(curl -s --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' --data-binary @"$2" \
		-w '\n%{http_code}' "http://berthd/1.0/images?name=$1&kind=vm$3") ||
		fail "curl could not upload $1 (status $?): $out"
}
tar -C "$PUB" -cf "$SCRATCH/diskonly.tar" disk.img
tar -C "$PUB" -cf "$SCRATCH/initrd_disk.tar" initrd disk.img
tar -C "$PUB" -cf "$SCRATCH/initrd.tar" initrd
tar -C "$PUB" -cf "$SCRATCH/kernel.tar" kernel
upload fw "$SCRATCH/diskonly.tar" ""
[ "${out##*$'\n'}" = 201 ] || fail "a disk alone: $out"
expect_api 200 GET /1.0/images/fw
jq -e '.boot == "firmware" and (has("cmdline") | not)' <<<"$REPLY" >/dev/null || fail "fw: $REPLY"
upload kc "$SCRATCH/kernel.tar" "&cmdline=root%3D%2Fdev%2Fvda1%20ro"
[ "${out##*$'\n'}" = 201 ] || fail "a kernel with cmdline: $out"
expect_api 200 GET /1.0/images/kc
jq -e '.boot == "kernel" and (.cmdline | endswith(" root=/dev/vda1 ro"))' <<<"$REPLY" >/dev/null ||
	fail "kc: $REPLY"
upload x1 "$SCRATCH/initrd.tar" ""
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"needs a kernel, or a bootable disk"* ]] || fail "initrd alone: $out"
nothing_left x1
upload x2 "$SCRATCH/initrd_disk.tar" ""
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"an initrd and a kernel command line need a kernel"* ]] ||
	fail "initrd and disk: $out"
nothing_left x2
upload x3 "$SCRATCH/diskonly.tar" "&cmdline=quiet"
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"an initrd and a kernel command line need a kernel"* ]] ||
	fail "disk and cmdline: $out"
nothing_left x3
upload x4 "$SCRATCH/kernel.tar" "&cmdline=root%0Ainit%3D%2Fbin%2Fsh"
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"must be printable ASCII (byte 0x0a at 4"* ]] || fail "cmdline LF: $out"
nothing_left x4
upload x5 "$SCRATCH/kernel.tar" "&cmdline=$(printf 'a%.0s' $(seq 1025))"
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"is 1025 bytes: at most 1024"* ]] || fail "long cmdline: $out"
nothing_left x5
out=$(curl -s --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' --data-binary @"$PUB/rootfs.tar.gz" \
	-w '\n%{http_code}' "http://berthd/1.0/images?name=x6&kind=ct&cmdline=quiet")
[ "${out##*$'\n'}" = 400 ] && [[ $out == *"a ct image takes no kernel command line"* ]] || fail "ct cmdline: $out"
nothing_left x6
# A refusal before the body, to a client that sends its body at once (no "Expect:
# 100-continue"): berthd reads and drops the body first, so the reply is never lost to a
# reset of a connection closed on unread bytes.
for i in 1 2 3 4 5; do
	out=$(curl -s --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' -H 'Expect:' \
		--data-binary @"$SCRATCH/kernel.tar" -w '\n%{http_code}' \
		"http://berthd/1.0/images?name=x7&kind=vm&cmdline=a%0Ab") || fail "curl, try $i: $out"
	[ "${out##*$'\n'}" = 400 ] && [[ $out == *"printable ASCII"* ]] || fail "no Expect, try $i: $out"
done
nothing_left x7
expect_status 0 member_berth image delete fw
expect_status 0 member_berth image delete kc
echo "ok: an upload's boot is what its archive holds (kernel or a disk alone); its cmdline is checked and kept"

# A gzip archive of 4 MB holding a 4 GiB file of zeros (gzip members of 1 MiB each).
python3 - "$SCRATCH/bomb.tar.gz" <<'PY'
import sys, tarfile, zlib
def gz(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()
ti = tarfile.TarInfo("zeros")
ti.size = 4 << 30
one = gz(b"\0" * (1 << 20))
with open(sys.argv[1], "wb") as f:
    f.write(gz(ti.tobuf(format=tarfile.USTAR_FORMAT)))
    for _ in range(4096):
        f.write(one)
    f.write(gz(b"\0" * 1024))
PY
chmod a+r "$SCRATCH/bomb.tar.gz"
expect_status 1 member_berth image import bomb --kind ct --rootfs "$SCRATCH/bomb.tar.gz"
expect_output "image bomb is larger than image_max_size (64 MiB): the import was stopped after"
nothing_left bomb
# A plain image over the limit (no compression), refused too.
head -c 80M /dev/urandom >"$PUB/big.img"
chmod a+r "$PUB/big.img"
expect_status 1 member_berth image import big --kind vm --kernel "$PUB/kernel" --disk "$PUB/big.img"
expect_output "image big is larger than image_max_size (64 MiB)"
nothing_left big
echo "ok: image_max_size stops a 4 GiB gzip bomb and an 80 MiB image; nothing left"

# The ledger's bound: a state directory on a 256 MiB file system keeping 64 MiB for the
# host, the per-image limit out of the way: the bomb stops where the disk ends for images.
kill_berthd TERM
mkdir -p "$SCRATCH/small"
mount -t tmpfs -o size=256M berth-test "$SCRATCH/small" || skip "cannot mount a tmpfs"
STATE=$SCRATCH/small/state
printf 'host_reserve_disk = 64M\nimage_max_size = 8G\n' >"$SCRATCH/berthd.conf"
start_berthd
expect_status 1 member_berth image import bomb --kind ct --rootfs "$SCRATCH/bomb.tar.gz"
expect_output "not enough disk for image bomb: the import was stopped after"
nothing_left bomb
used=$(df -k --output=used "$SCRATCH/small" | tail -1)
[ "$used" -lt 8192 ] || fail "the small file system still holds $used KiB"
expect_status 0 member_berth image import bbtar --kind ct --rootfs "$PUB/rootfs.tar.gz"
echo "ok: the disk the ledger can still give stops a 4 GiB gzip bomb; nothing left; a small import still fits"
