#!/usr/bin/env bash
# vm_distro_kernel.sh - a stock distribution kernel booted directly through berthd, with the
# kernel command line the image sets, in the rig: the kernel and initramfs Debian installed
# on a scripts/mkimage debian-disk (taken out of its partition with debugfs) are imported
# with that disk and --cmdline "root=/dev/vda1 ro"; the server boots them without firmware:
# Debian's initramfs finds its root on the disk's first partition, systemd shows its login
# prompt on the serial console, and `berth stop` powers it off cleanly.
# timeout: 1800
. "$(dirname "$0")/lib/rig_daemon.bash"
. "$(dirname "$0")/lib/firmware.bash"

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare debugfs
	# a debootstrap and a kernel install the first time (minutes), then cached; 1 GiB, the
	# size that a server's copy of it in the rig's RAM affords
	mkdisk debian --size 1G
	mkdir "$SCRATCH/img"
	# the partition starts at 1 MiB (scripts/mkimage); debugfs reads it from a sparse copy
	dd if="$SCRATCH/debian.img" of="$SCRATCH/part.ext4" bs=1M skip=1 conv=sparse status=none
	kver=$(debugfs -R "ls /boot" "$SCRATCH/part.ext4" 2>/dev/null | grep -o 'vmlinuz-[^ ]*' | sort -V | tail -n 1)
	[ -n "$kver" ] || fail "no /boot/vmlinuz-* on the debian-disk's partition"
	debugfs -R "dump /boot/$kver $SCRATCH/img/kernel" "$SCRATCH/part.ext4" 2>/dev/null
	debugfs -R "dump /boot/initrd.img-${kver#vmlinuz-} $SCRATCH/img/initrd" "$SCRATCH/part.ext4" 2>/dev/null
	rm "$SCRATCH/part.ext4"
	[ -s "$SCRATCH/img/kernel" ] && [ -s "$SCRATCH/img/initrd" ] || fail "cannot take $kver and its initrd out"
	rig_try maybe --timeout 900 -- "$0" --inside "$SCRATCH"
	exit
fi

rig_daemon_init distro "$2"
SCRATCH=$2 # the host's scratch (9p): the disks
roomy_state
rig_daemon_start
CONSOLE=$STATE/servers/deb/console.log

expect_status 0 berth image import debian --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" \
	--disk "$SCRATCH/debian.img" --cmdline "root=/dev/vda1 ro"
expect_status 0 berth create deb --kind vm --image debian --cpus 1 --memory 1G
expect_status 0 berth show deb --format json
jq_ok '.boot == "kernel" and .cmdline == "console=ttyS0 reboot=k panic=-1 root=/dev/vda1 ro"'
expect_status 0 berth start deb
expect_status 0 berth show deb --format json
pid=$(jq .pid <<<"$OUT")
VMM_PID=$pid
# Debian's kernel carries a PVH entry: the import kept its vmlinux, which the VM boots
jq_ok '.entry == "pvh"'
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--kernel $STATE/images/debian/vmlinux" ||
	fail "deb's VMM does not boot the image's vmlinux: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
wait_for "$CONSOLE" "Command line: console=ttyS0 reboot=k panic=-1 root=/dev/vda1 ro" 1 240
wait_for "$CONSOLE" "berth-debian login:" 1 400
echo "ok: Debian's own kernel and initramfs, booted directly with root=/dev/vda1, reach the login prompt"

sleep 5 # logind is up with the prompt; let it settle before the button
expect_status 0 berth stop --timeout 300 deb
gone "$pid" 10 || fail "deb's VMM ($pid) survived its stop"
VMM_PID=
tr -d '\r' <"$CONSOLE" | grep -q "reboot: Power down" ||
	fail "the guest did not power down cleanly: $(tr -d '\r' <"$CONSOLE" | tail -20)"
echo "ok: berth stop powered it off cleanly"
