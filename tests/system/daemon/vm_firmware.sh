#!/usr/bin/env bash
# vm_firmware.sh - servers of disk-only images boot by firmware through berthd, in the rig:
# a scripts/mkimage memtest-disk imported with --disk alone makes a server that `berth
# show` says boots by firmware; started, SeaBIOS boots the disk's GRUB (its menu on the
# serial console, in console.log), which loads memtest86+, whose test screen follows; the
# VMM's command line has --firmware and no kernel. Stopped with --force, nothing of it runs.
# (GNU Mach's disk boots the same way: berth-vmm's own tests boot it, tests/system/vmm.)
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"
. "$(dirname "$0")/lib/firmware.bash"

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare
	need_firmware
	mkdisk memtest
	mkdir "$SCRATCH/img" # no kit-vm image: these servers boot their own disks
	rig_try maybe --timeout 600 -- "$0" --inside "$SCRATCH"
	exit
fi

rig_daemon_init firmware "$2"
SCRATCH=$2 # the host's scratch (9p): the disks
rig_daemon_start

# boots SERVER IMAGE.img PATTERN...: import IMAGE.img as a disk-only image, make SERVER
# of it, start it and wait for each PATTERN on its console in turn; then stop it.
boots() {
	local server=$1 disk=$2 console=$STATE/servers/$1/console.log pid p
	shift 2
	expect_status 0 berth image import "$server" --kind vm --disk "$SCRATCH/$disk"
	expect_status 0 berth create "$server" --kind vm --image "$server" --cpus 1 --memory 256M
	expect_status 0 berth show "$server" --format json
	jq_ok '.boot == "firmware" and (has("cmdline") | not)'
	expect_status 0 berth start "$server"
	expect_status 0 berth show "$server" --format json
	pid=$(jq .pid <<<"$OUT")
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--firmware --disk $STATE/servers/$server/disk.img" ||
		fail "$server's VMM does not boot its disk by firmware: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--kernel" || fail "$server's VMM got a kernel"
	for p in "$@"; do wait_for "$console" "$p" 1 180; done
	expect_status 0 berth stop --force "$server"
	gone "$pid" 10 || fail "$server's VMM ($pid) survived its stop"
	expect_status 0 berth delete "$server"
	expect_status 0 berth image delete "$server"
}

boots memtest memtest.img "GNU GRUB" "Memory test (memtest86+x64.bin" "Memtest86+ v"
echo "ok: a disk-only image's server boots by firmware: SeaBIOS, the disk's GRUB, memtest86+'s test screen"
