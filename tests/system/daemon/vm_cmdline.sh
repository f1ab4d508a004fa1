#!/usr/bin/env bash
# vm_cmdline.sh - the kernel command line through berthd and the CLI, in the rig: a kit-vm
# image imported with --cmdline gives its servers berth's "console=ttyS0 reboot=k panic=-1"
# then the image's; a server created with --cmdline gets its own instead. The guest's
# /proc/cmdline says so, and `berth show` says what berth passed.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare
	cat >"$SCRATCH/guest.sh" <<'GUEST'
echo "cmdline-test: $(cat /proc/cmdline)"
sleep 600
GUEST
	rig_vm_run "$0"
fi

rig_daemon_init cmdline "$2"
rig_daemon_start
BASE="console=ttyS0 reboot=k panic=-1"

# guest_cmdline SERVER: start it, print the /proc/cmdline its guest saw, stop it.
guest_cmdline() {
	local console=$STATE/servers/$1/console.log
	expect_status 0 berth start "$1"
	wait_for "$console" "cmdline-test: " 1 120
	expect_status 0 berth stop --force "$1"
	tr -d '\r' <"$console" | sed -n 's/.*cmdline-test: //p' | head -n 1
}

expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" \
	--disk "$IMG/disk.img" --cmdline "berth.test=image loglevel=4"
expect_status 0 berth create inherits --kind vm --image kit --cpus 1 --memory 256M
expect_status 0 berth create own --kind vm --image kit --cpus 1 --memory 256M \
	--cmdline "berth.test=server loglevel=3 berth.quoted=\"a b\""
expect_status 0 berth show inherits --format json
jq_ok ".boot == \"kernel\" and .cmdline == \"$BASE berth.test=image loglevel=4\""
expect_status 0 berth show own --format json
jq_ok '.boot == "kernel" and .cmdline == "console=ttyS0 reboot=k panic=-1 berth.test=server loglevel=3 berth.quoted=\"a b\""'

seen=$(guest_cmdline inherits)
# a network adds its berth.ip= and berth.gw= after what berth shows
[[ $seen == "$BASE berth.test=image loglevel=4"* ]] || fail "inherits' guest saw: $seen"
echo "ok: the image's command line reached the guest: $seen"
seen=$(guest_cmdline own)
[[ $seen == "$BASE berth.test=server loglevel=3 berth.quoted=\"a b\""* ]] || fail "own's guest saw: $seen"
[[ $seen != *berth.test=image* ]] || fail "own's guest got the image's command line too: $seen"
echo "ok: the server's command line replaced the image's: $seen"
