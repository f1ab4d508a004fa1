# tests/system/daemon/lib/firmware.bash - for berthd tests of bootable disks in the rig
# (sourced after rig_daemon.bash): on the host, whether berth-vmm boots by firmware here and
# the disks of scripts/mkimage; inside, a state directory with room for them.

# need_firmware: berth-vmm has --firmware and its default firmware, Debian's SeaBIOS, is
# installed; skip (saying which) otherwise.
need_firmware() {
	"$BUILD/berth-vmm" --help 2>&1 | grep -- '--firmware' >/dev/null ||
		skip "berth-vmm has no --firmware (firmware boot is not built in yet)"
	[ -f /usr/share/seabios/bios.bin ] || skip "needs Debian's SeaBIOS (apt-get install seabios)"
}

# mkdisk KIND [ARGS...]: scripts/mkimage KIND-disk into $SCRATCH/KIND.img (built once, then
# cached).
mkdisk() {
	"$ROOT/scripts/mkimage" "$1-disk" "$SCRATCH/$1.img" "${@:2}" >"$SCRATCH/mkimage-$1.log" 2>&1 ||
		fail "scripts/mkimage $1-disk failed: $(tail -5 "$SCRATCH/mkimage-$1.log")"
}

# roomy_state [SIZE]: inside, after rig_daemon_init: STATE on a tmpfs of its own of SIZE
# (default 4G), large enough for a 1 GiB disk image and a server's copy, whole (the import
# reads it from the rig's 9p, where holes are not seen; the rig's /run is small); unmounted
# at the end. Only what is written takes the rig's memory: SIZE is what berthd's ledger sees.
roomy_state() {
	mkdir -p "$STATE"
	mount -t tmpfs -o "size=${1:-4G},mode=0711" berth-state "$STATE" || fail "cannot mount a tmpfs on $STATE"
	rig_cleanup_extra() {
		if [ -n "${VMM_PID:-}" ]; then kill -9 "$VMM_PID" 2>/dev/null || true; fi
		umount -l "$STATE" 2>/dev/null || true
	}
}
