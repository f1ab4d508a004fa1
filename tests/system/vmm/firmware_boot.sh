#!/usr/bin/env bash
# Boot by firmware (--firmware: Debian's SeaBIOS) from a virtio-blk disk that holds GRUB (a
# hybrid ISO from tests/kit/grubdisk), in one rig boot, two guests at a time:
#   - GRUB boots the kit's Linux, which runs its script and powers off (status 0);
#   - GRUB boots memtest86+ (memtest86+x64.bin), which draws its test screen;
#   - GRUB boots GNU Mach by multiboot, which prints its banner;
#   - a disk with no boot loader ends in SeaBIOS's "No bootable device", then the firmware's
#     reboot ends berth-vmm with --no-reboot (status 0).
# Everything reaches the serial console (etc/sercon-port, GRUB's serial terminal), and the
# firmware's own log is in the --firmware-log file after the run.
# timeout: 3100
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	need_root
	reason=$("$ROOT/tests/rig/available") || skip "$reason"
	[ -r /usr/share/seabios/bios.bin ] || skip "no SeaBIOS (apt-get install seabios)"
	command -v grub-mkrescue >/dev/null || skip "no grub-mkrescue (apt-get install grub-common grub-pc-bin xorriso mtools)"
	scratch
	echo 'echo "firmware-linux: $(cat /proc/cmdline)"' >"$SCRATCH/guest.sh"
	"$ROOT/tests/kit/mkinitrd" -o "$SCRATCH/initrd.gz" --script "$SCRATCH/guest.sh"
	"$ROOT/tests/kit/grubdisk" linux "$("$ROOT/tests/kit/kernel")" "$SCRATCH/initrd.gz" >"$SCRATCH/linux.path"
	for kind in memtest gnumach nothing; do
		"$ROOT/tests/kit/grubdisk" "$kind" >"$SCRATCH/$kind.path"
	done
	rig_try maybe --timeout 1000 -- "$0" --inside "$SCRATCH"
	exit
fi
SCRATCH=$2

# fw_boot NAME [ARGS...]: boot NAME's disk (a private copy: disks are locked) in the
# background; its console in $SCRATCH/NAME.out, the firmware's log in $SCRATCH/NAME.fw.
fw_boot() {
	local name=$1
	shift
	cp "$(cat "$SCRATCH/$name.path")" "$SCRATCH/$name.img"
	"$VMM" --firmware --firmware-log "$SCRATCH/$name.fw" --disk "$SCRATCH/$name.img" \
		--mem 256M --no-rng --console "file=$SCRATCH/$name.out" "$@" \
		>"$SCRATCH/$name.err" 2>&1 &
	echo $! >"$SCRATCH/$name.pid"
}

# screen_has NAME TEXT: the console, its ANSI escapes taken out, holds TEXT.
screen_has() {
	sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][A-Z0-9]//g; s/\x1bc//g' "$SCRATCH/$1.out" 2>/dev/null |
		tr -d '\r' | grep -q -- "$2"
}

# wait_screen NAME TEXT [SECONDS]
wait_screen() {
	local i
	for ((i = 0; i < ${3:-400} * 2; i++)); do
		screen_has "$1" "$2" && return 0
		sleep 0.5
	done
	fail "$1: waited for '$2'; console: $(tr -d '\r' <"$SCRATCH/$1.out" | tail -c 600 | cat -v)
stderr: $(tail -5 "$SCRATCH/$1.err")"
}

# Two at a time: memtest86+ keeps a CPU busy, which would slow Linux's boot in the rig.
fw_boot linux --no-reboot
fw_boot nothing --no-reboot
wait_screen nothing "No bootable device"
wait_exit "$(cat "$SCRATCH/nothing.pid")" 120 "$SCRATCH/nothing.out"
[ "$RC" -eq 0 ] || fail "no bootable disk: status $RC: $(tail -3 "$SCRATCH/nothing.err")"
grep -q "the guest rebooted; exiting (--no-reboot)" "$SCRATCH/nothing.err" || fail "no reboot line: $(cat "$SCRATCH/nothing.err")"

wait_screen linux "berth-kit: exit 0" 800
wait_exit "$(cat "$SCRATCH/linux.pid")" 120 "$SCRATCH/linux.out"
[ "$RC" -eq 0 ] || fail "Linux by firmware: status $RC: $(tail -5 "$SCRATCH/linux.err")"
screen_has linux "firmware-linux: .*console=ttyS0" || fail "Linux's command line is not GRUB's"
screen_has linux "SeaBIOS (version" || fail "no SeaBIOS banner on the console"

fw_boot memtest
fw_boot gnumach
wait_screen gnumach "GNU Mach 1.8"
wait_screen memtest "Memtest86+ v6"
wait_screen memtest "Pass"
# Both run on until killed (memtest86+ pass after pass, GNU Mach with no bootstrap to start):
# a VM that ended by itself failed, and says why.
for name in memtest gnumach; do
	kill -KILL "$(cat "$SCRATCH/$name.pid")" 2>/dev/null ||
		fail "$name's VM ended by itself: $(tail -5 "$SCRATCH/$name.err"); console: $(tr -d '\r' <"$SCRATCH/$name.out" | tail -c 400 | cat -v)"
done
wait

for name in linux memtest gnumach nothing; do
	grep -q "SeaBIOS (version" "$SCRATCH/$name.fw" || fail "$name: no firmware log: $(head -3 "$SCRATCH/$name.fw")"
	! grep -q "SeaBIOS (version" "$SCRATCH/$name.err" || fail "$name: the firmware log reached stderr"
done
echo "ok: Linux, memtest86+, GNU Mach booted by SeaBIOS and GRUB; no bootable device ends the VM"
