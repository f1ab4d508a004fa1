#!/usr/bin/env bash
# vm_debian_disk.sh - a customer's own Debian disk through berthd, in the rig: a scripts/mkimage
# debian-disk (GRUB in its MBR, Debian's own cloud kernel and initramfs on its partition)
# imported with --disk alone; its server boots SeaBIOS -> the disk's GRUB -> the disk's own
# kernel (its "Linux version" line, its command line from GRUB's menu) -> systemd's login
# prompt on the serial console; `berth stop` (the ACPI power button) powers it off
# cleanly: systemd reaches "reboot: Power down" and the VMM exits by itself, well before
# the stop's timeout.
# timeout: 1800
. "$(dirname "$0")/lib/rig_daemon.bash"
. "$(dirname "$0")/lib/firmware.bash"

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare
	need_firmware
	# a debootstrap and a kernel install the first time (minutes), then cached; 1 GiB, the
	# size that a server's copy of it in the rig's RAM affords
	mkdisk debian --size 1G
	mkdir "$SCRATCH/img"
	rig_try maybe --timeout 900 -- "$0" --inside "$SCRATCH"
	exit
fi

rig_daemon_init debdisk "$2"
SCRATCH=$2 # the host's scratch (9p): the disks
roomy_state
rig_daemon_start
CONSOLE=$STATE/servers/deb/console.log

expect_status 0 berth image import debian --kind vm --disk "$SCRATCH/debian.img"
expect_status 0 berth create deb --kind vm --image debian --cpus 1 --memory 1G
expect_status 0 berth show deb
grep -Eq '^boot +firmware' <<<"$OUT" || fail "berth show deb: $OUT"
expect_status 0 berth start deb
expect_status 0 berth show deb --format json
pid=$(jq .pid <<<"$OUT")
VMM_PID=$pid
wait_for "$CONSOLE" "GNU GRUB" 1 180
wait_for "$CONSOLE" "Linux version .*-cloud-amd64" 1 240
tr -d '\r' <"$CONSOLE" | grep -q "Command line: BOOT_IMAGE=/boot/vmlinuz-.* root=UUID=.* console=ttyS0" ||
	fail "the kernel did not get GRUB's command line: $(tr -d '\r' <"$CONSOLE" | grep -m1 'Command line')"
wait_for "$CONSOLE" "berth-debian login:" 1 400
echo "ok: SeaBIOS -> the disk's GRUB -> its own Debian kernel -> systemd's login prompt on ttyS0"

sleep 5 # logind is up with the prompt; let it settle before the button
expect_status 0 berth stop --timeout 300 deb
gone "$pid" 10 || fail "deb's VMM ($pid) survived its stop"
VMM_PID=
tr -d '\r' <"$CONSOLE" | grep -q "reboot: Power down" ||
	fail "the guest did not power down cleanly: $(tr -d '\r' <"$CONSOLE" | tail -20)"
expect_status 0 berth show deb --format json
jq_ok '.state == "stopped"'
echo "ok: berth stop powered the Debian guest off cleanly (systemd: reboot: Power down)"
