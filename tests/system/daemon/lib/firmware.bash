# tests/system/daemon/lib/firmware.bash - for berthd tests of firmware boot (sourced after
# rig_daemon.bash): on the host, skip unless berth-vmm boots by firmware here.

# need_firmware: berth-vmm has --firmware and its default firmware, Debian's SeaBIOS, is
# installed; skip (saying which) otherwise.
need_firmware() {
	"$BUILD/berth-vmm" --help 2>&1 | grep -q -- '--firmware' ||
		skip "berth-vmm has no --firmware (firmware boot is not built in yet)"
	[ -f /usr/share/seabios/bios.bin ] || skip "needs Debian's SeaBIOS (apt-get install seabios)"
}

# mkdisk KIND: scripts/mkimage KIND-disk into $SCRATCH/KIND.img (built once, then cached).
mkdisk() {
	"$ROOT/scripts/mkimage" "$1-disk" "$SCRATCH/$1.img" >"$SCRATCH/mkimage-$1.log" 2>&1 ||
		fail "scripts/mkimage $1-disk failed: $(tail -5 "$SCRATCH/mkimage-$1.log")"
}
