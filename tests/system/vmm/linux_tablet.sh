#!/usr/bin/env bash
# The tablet that --display brings, as Debian's cloud kernel drives it: virtio_input binds
# it and evdev makes /dev/input/eventN with QEMU's virtio-tablet's name, IDs and axes
# (EVIOCGNAME, EVIOCGID, EVIOCGABS: 0..32767). A VNC client moves the pointer, clicks and
# scrolls; the guest's program (tests/guests/tablet_probe.c) reads after each move the
# ABS_X/ABS_Y that berth-vmm scaled from the screen's size (screendump's PNG tells it), each
# mapping back to the very pixel pointed at (value x size / 32768), and the left button and
# wheel as they were. A right click ends the guest's program and the VM powers off.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/api_lib.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare --program tablet_probe --modules virtio_input <<<'/tablet_probe "QEMU Virtio Tablet"'
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
# Sockets in /run: the rig's / (9p) has none.
out=$(mktemp /run/berth-tablet.XXXXXX)
"${GUEST_VMM[@]}" --mem 256M --display --vnc "$out.vnc" --api-sock "$out.api" \
	--console "file=$out" </dev/null >"$out.vmm" 2>&1 &
pid=$!
trap 'rc=$?; [ $rc -eq 0 ] || { echo "--- berth-vmm:"; tail -20 "$out.vmm"; echo "--- console:"
	tr -d "\r" <"$out" | tail -30; } >&2
	kill -9 $pid 2>/dev/null || true; rm -f "$out" "$out.vmm" "$out.vnc" "$out.api"; exit $rc' EXIT
wait_for "$out" 'tablet: \(ready\|failed\)' 1 180
OUT=$(tr -d '\r' <"$out")
expect_output "tablet: ready"
expect_output "tablet: name=QEMU Virtio Tablet dev=/dev/input/event"
expect_output "tablet: id bus=6 vendor=0627 product=0003 version=2"
expect_output "tablet: abs_x min=0 max=32767"
expect_output "tablet: abs_y min=0 max=32767"

PYTHONPATH=$(dirname "$0") "$API_PY" - "$out.vnc" "$out.api" "$out" <<'PY' || fail "see above"
import struct, sys, time
from screen_lib import Vnc, screendump
vnc_path, api_path, console = sys.argv[1:4]

# The screen's size from the PNG's header (decoding the picture in the rig would be slow).
line, png = screendump(api_path)
if not png:
    sys.exit("no screendump: " + line)
w, h = struct.unpack(">II", png[16:24])

def axis(p, size):
    """berth-vmm's scaling: the middle of the pixel's span of 0..32767 (past the end: the last)."""
    return (2 * min(p, size - 1) + 1) * 32768 // (2 * size)

def guest_sees(want, seen):
    """Wait (bounded) for the guest's line "tablet: want" after the first seen lines."""
    for _ in range(600):
        text = open(console, errors="replace").read().replace("\r", "")
        lines = [l.strip() for l in text.splitlines() if l.startswith("tablet: ")]
        if "tablet: " + want in lines[seen:]:
            return len(lines)
        time.sleep(0.1)
    sys.exit("the guest never read '%s'; it read: %s" % (want, lines[-8:]))

v = Vnc(vnc_path)
seen = 0
# (x, y, RFB buttons), and the wheel's steps so far: what the guest must have after each.
for x, y, buttons, wheel in [(100, 200, 0, 0), (w - 1, h - 1, 1, 0), (w - 1, h - 1, 0, 0),
                             (0, 0, 0, 0), (w // 2, h // 3, 8, 1), (w // 3, h // 2, 16, 0),
                             (65535, 0, 0, 0)]:
    v.s.sendall(struct.pack(">BBHH", 5, buttons, x, y))
    ax, ay = axis(x, w), axis(y, h)
    # The pixel the guest's value maps back to is the one pointed at.
    assert ax * w // 32768 == min(x, w - 1) and ay * h // 32768 == min(y, h - 1), (x, y, ax, ay)
    seen = guest_sees("x=%d y=%d left=%d wheel=%d" % (ax, ay, buttons & 1, wheel), seen)
v.s.sendall(struct.pack(">BBHH", 5, 4, 0, 0))  # a right click: the guest's program ends
guest_sees("done", seen)
print("ok: %dx%d screen" % (w, h))
PY
wait_exit $pid 120 "$out"
[ "$RC" -eq 0 ] || fail "berth-vmm exited with $RC"
OUT=$(tr -d '\r' <"$out")
expect_output "berth-kit: exit 0"
echo "ok: virtio_input binds the tablet; the guest reads a VNC client's moves (each at the pixel"\
	"pointed at), clicks and wheel"
