#!/usr/bin/env bash
# boot_modes.sh - how a VM server boots, through berthd and the CLI (no VM runs): an image
# of a disk alone boots by firmware, one with a kernel boots it with berth's kernel command
# line plus the image's (import --cmdline) or the server's (create --cmdline); `berth show`
# and the API's objects say so. A command line is hostile input: too long, control bytes,
# non-ASCII, on a container or a firmware image are refused with a message, and nothing is
# left behind (no image, no server, no reservation).
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"
need_berth_cli

start_berthd --host-memory 2G --host-cpus 4
KERNEL=$ROOT/build/guests/tiny-hello.bzImage
[ -f "$KERNEL" ] || skip "build the test guests first (make: build/guests/tiny-hello.bzImage)"
truncate -s 4M "$SCRATCH/disk.img"
BASE="console=ttyS0 reboot=k panic=-1"

# import_vm NAME BODY-FIELDS: import a VM image and wait for it.
import_vm() {
	expect_api 202 POST /1.0/images "{\"name\":\"$1\",\"kind\":\"vm\",$2}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
}

# The CLI: a disk alone, a kernel with a command line.
expect_status 0 berth image import bare --kind vm --disk "$SCRATCH/disk.img"
expect_status 0 berth image import kern --kind vm --kernel "$KERNEL" --disk "$SCRATCH/disk.img" \
	--cmdline "root=/dev/vda1 ro"
import_vm plain "\"kernel\":\"$KERNEL\""
expect_api 200 GET /1.0/images/bare
jq -e '.boot == "firmware" and (has("cmdline") | not)' <<<"$REPLY" >/dev/null || fail "bare: $REPLY"
expect_api 200 GET /1.0/images/kern
jq -e --arg c "$BASE root=/dev/vda1 ro" '.boot == "kernel" and .cmdline == $c' <<<"$REPLY" >/dev/null ||
	fail "kern: $REPLY"
expect_api 200 GET /1.0/images/plain
jq -e --arg c "$BASE" '.boot == "kernel" and .cmdline == $c' <<<"$REPLY" >/dev/null || fail "plain: $REPLY"
echo "ok: a disk alone boots by firmware, a kernel with the image's command line"

expect_status 0 berth create fw --kind vm --image bare --cpus 1 --memory 64M
expect_status 0 berth create inherit --kind vm --image kern --cpus 1 --memory 64M
expect_status 0 berth create own --kind vm --image kern --cpus 1 --memory 64M \
	--cmdline 'root=/dev/vda2 init=/bin/sh quiet="a b"'
expect_status 0 berth show fw --format json
jq_ok '.boot == "firmware" and (has("cmdline") | not)'
expect_status 0 berth show inherit --format json
jq_ok ".boot == \"kernel\" and .cmdline == \"$BASE root=/dev/vda1 ro\""
expect_status 0 berth show own --format json
jq_ok '.boot == "kernel" and .cmdline == "console=ttyS0 reboot=k panic=-1 root=/dev/vda2 init=/bin/sh quiet=\"a b\""'
expect_status 0 berth show fw
expect_output "boot"
grep -Eq '^boot +firmware' <<<"$OUT" || fail "berth show fw: no 'boot firmware' line: $OUT"
! grep -q '^cmdline' <<<"$OUT" || fail "berth show fw prints a cmdline: $OUT"
expect_status 0 berth show own
grep -Eq '^boot +kernel' <<<"$OUT" || fail "berth show own: no 'boot kernel' line: $OUT"
grep -Fq 'root=/dev/vda2 init=/bin/sh quiet="a b"' <<<"$OUT" || fail "berth show own: $OUT"
expect_status 0 berth list --format json
jq_ok '[.[] | .boot] == ["firmware", "kernel", "kernel"]'
echo "ok: servers boot as their image says, with its command line or their own; show says how"

# Bad input: refused with a message, nothing recorded.
refused() { # refused NEEDLE METHOD PATH BODY
	local needle=$1
	shift
	expect_api 400 "$@"
	[[ $(jq -r .error <<<"$REPLY") == *"$needle"* ]] || fail "$1 $2: error lacks '$needle': $REPLY"
}
long=$(head -c 1025 /dev/zero | tr '\0' x)
vm='"kind":"vm","image":"kern","cpus":1,"memory":"64M"'
refused "field 'cmdline' is 1025 bytes: at most 1024" POST /1.0/servers "{\"name\":\"x\",$vm,\"cmdline\":\"$long\"}"
refused "must be printable ASCII (byte 0x0a at 14" POST /1.0/servers "{\"name\":\"x\",$vm,\"cmdline\":\"root=/dev/vda1\\ninit=/bin/sh\"}"
refused "must be printable ASCII (byte 0x1b" POST /1.0/servers "{\"name\":\"x\",$vm,\"cmdline\":\"\\u001b[2J\"}"
refused "must be printable ASCII (byte 0xc3" POST /1.0/servers "{\"name\":\"x\",$vm,\"cmdline\":\"caf\\u00e9\"}"
refused "must be a non-empty string" POST /1.0/servers "{\"name\":\"x\",$vm,\"cmdline\":\"\"}"
refused "must be a non-empty string" POST /1.0/servers "{\"name\":\"x\",$vm,\"cmdline\":[\"a\"]}"
refused "'cmdline' needs an image with a kernel" POST /1.0/servers \
	'{"name":"x","kind":"vm","image":"bare","cpus":1,"memory":"64M","cmdline":"root=/dev/vda1"}'
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"
refused "a container has no kernel command line" POST /1.0/servers \
	'{"name":"x","kind":"ct","image":"bb","cpus":1,"memory":"64M","cmdline":"quiet"}'
refused "a ct image takes 'rootfs' only" POST /1.0/images \
	"{\"name\":\"y\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\",\"cmdline\":\"quiet\"}"
refused "a VM image needs a kernel, or a bootable disk" POST /1.0/images '{"name":"y","kind":"vm"}'
refused "an initrd and a kernel command line need a kernel" POST /1.0/images \
	"{\"name\":\"y\",\"kind\":\"vm\",\"disk\":\"$SCRATCH/disk.img\",\"cmdline\":\"quiet\"}"
refused "an initrd and a kernel command line need a kernel" POST /1.0/images \
	"{\"name\":\"y\",\"kind\":\"vm\",\"disk\":\"$SCRATCH/disk.img\",\"initrd\":\"$SCRATCH/disk.img\"}"
refused "field 'cmdline' is 1025 bytes" POST /1.0/images \
	"{\"name\":\"y\",\"kind\":\"vm\",\"kernel\":\"$KERNEL\",\"cmdline\":\"$long\"}"
expect_status 2 berth create x --kind ct --image bb --cpus 1 --memory 64M --cmdline quiet
expect_output "--cmdline is for --kind vm"
expect_status 2 berth image import y --kind vm --disk "$SCRATCH/disk.img" --cmdline quiet
expect_output "--cmdline needs --kernel"
expect_status 2 berth image import y --kind vm
expect_output "--kind vm needs --kernel FILE, or a bootable --disk FILE alone"
expect_api 200 GET /1.0/images
jq -e '[.[].name] == ["bare", "bb", "kern", "plain"]' <<<"$REPLY" >/dev/null || fail "images: $REPLY"
expect_api 200 GET /1.0/servers
jq -e '[.[].name] == ["fw", "inherit", "own"]' <<<"$REPLY" >/dev/null || fail "servers: $REPLY"
expect_status 0 berth host --format json
jq_ok '.cpus.reserved == 3 and .servers == 3'
echo "ok: bad command lines and images are refused with a message; nothing was recorded"

# The settings survive a restart of berthd.
kill_berthd TERM
start_berthd
expect_status 0 berth show own --format json
jq_ok '.boot == "kernel" and (.cmdline | endswith("quiet=\"a b\""))'
expect_status 0 berth show fw --format json
jq_ok '.boot == "firmware"'
echo "ok: how servers boot is kept across a restart of berthd"
