#!/usr/bin/env bash
# Debian's memtest86+x64.bin, whose last 16-byte paragraph is short (the header promises 8
# bytes more than the file holds, as GRUB and QEMU allow), boots by direct boot and draws
# its test screen on the serial console (console=ttyS0 on its command line).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	need_root
	reason=$("$ROOT/tests/rig/available") || skip "$reason"
	scratch
	"$ROOT/tests/kit/debpkg" memtest86+ >"$SCRATCH/memtest-dir"
	guest_run_inside "$0"
	exit
fi
SCRATCH=$2
"$VMM" --kernel "$(cat "$SCRATCH/memtest-dir")/boot/memtest86+x64.bin" --cmdline console=ttyS0 \
	--mem 256M --console "file=$SCRATCH/console" --no-rng 2>"$SCRATCH/stderr" &
pid=$!
# The screen's frame, then the test in progress (its pass counter and the running test).
wait_for "$SCRATCH/console" "Memtest86+ v"
wait_for "$SCRATCH/console" "Pass"
kill -KILL "$pid"
wait "$pid" || true
echo "ok: memtest86+x64 drew its screen: $(tr -d '\r' <"$SCRATCH/console" | grep -o 'Memtest86+ v[0-9.]*' | head -1)"
