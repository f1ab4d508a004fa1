#!/usr/bin/env bash
# --display: SeaBIOS (--firmware) finds bochs-display's ROM on its expansion ROM BAR and
# draws its text on the framebuffer; screendump on the API socket returns that screen as a
# PNG (a memory file passed with the reply) that decodes and is not blank. A VM without
# --display gets a clear error; a directly booted one finds the display's mode set. Runs SeaBIOS only
# (an empty disk: "No bootable device", then a reboot), which even kvm_pvm runs.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
. "$(dirname "$0")/screen_lib.sh"

# screen_check SOCK: one screendump; prints "WIDTHxHEIGHT LIT" or the error reply.
screen_check() {
	"$API_PY" - "$1" <<'PY'
import json, sys
from screen_lib import screendump, png_decode, lit_pixels
line, png = screendump(sys.argv[1])
reply = json.loads(line)
if not reply["ok"]:
    print(reply["error"])
    sys.exit(0)
assert png is not None and len(png) == reply["bytes"], "PNG size differs from the reply's"
w, h, rows = png_decode(png)
assert (w, h) == (reply["width"], reply["height"]), "PNG size differs from the reply's"
print("%dx%d %d" % (w, h, lit_pixels(rows)))
PY
}

# No display: the command says how to get one.
"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --mem 64M --console none --api-sock "$SCRATCH/a.sock" 2>"$SCRATCH/a.err" &
pid=$!
pids+=("$pid")
api_wait_sock "$SCRATCH/a.sock"
out=$(screen_check "$SCRATCH/a.sock")
[[ $out == *"no display (start berth-vmm with --display)"* ]] || fail "no display: $out"
kill -KILL $pid
wait $pid 2>/dev/null || true

# A directly booted kernel finds the display set up (1024x768x32, as QEMU's -kernel): a tiny
# guest knows nothing of it, so its screendump is black.
"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --mem 64M --console none --display --api-sock "$SCRATCH/b.sock" 2>"$SCRATCH/b.err" &
pid=$!
pids+=("$pid")
api_wait_sock "$SCRATCH/b.sock"
out=$(screen_check "$SCRATCH/b.sock")
[ "$out" = "1024x768 0" ] || fail "direct boot's display: $out"
kill -KILL $pid
wait $pid 2>/dev/null || true

# SeaBIOS's text on the screen.
"$VMM" --firmware --firmware-log "$SCRATCH/fw.log" --disk "$SCRATCH/empty.img" --mem 128M --no-rng \
	--display --console "file=$SCRATCH/out" --api-sock "$SCRATCH/c.sock" 2>"$SCRATCH/c.err" &
pid=$!
pids+=("$pid")
api_wait_sock "$SCRATCH/c.sock"
for ((i = 0; i < 200; i++)); do
	out=$(screen_check "$SCRATCH/c.sock")
	# The banner alone lights some hundreds of pixels; a cleared screen none.
	[[ $out =~ ^1024x768\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt 300 ] && break
	sleep 0.3
done
kill -KILL $pid
wait $pid 2>/dev/null || true
[[ $out =~ ^1024x768\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt 300 ] ||
	fail "no firmware text on the screen: $out; firmware log: $(grep -i 'display\|vga' "$SCRATCH/fw.log" | head -5)"
grep -q "bochs-display: id is 0xb0c5, good" "$SCRATCH/fw.log" || fail "SeaBIOS's ROM did not find the display"
grep -q "SeaBIOS (version" "$SCRATCH/out" || fail "no SeaBIOS banner on the serial console"
echo "ok: SeaBIOS draws on bochs-display ($out lit pixels); screendump PNGs decode; no display is refused; direct boot finds a mode set"
