#!/usr/bin/env bash
# --vnc: a VNC client (the test's own small RFB 3.8 client) sees the screen SeaBIOS draws on
# --display, and the frame is the screendump's, pixel for pixel, once the screen is still.
# Hostile clients: 5 MiB of cut text, a list of 3000 encodings (bad ones among them), a key
# flood, a wrong protocol version, an unknown message and a fifth client at once; none of
# them harms the VMM or the well-behaved client, which still gets its frames.
# timeout: 180
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
. "$(dirname "$0")/screen_lib.sh"

expect_status 2 "$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --vnc "$SCRATCH/x.sock"
expect_output "--vnc shows the display: add --display"

"$VMM" --firmware --firmware-log "$SCRATCH/fw.log" --disk "$SCRATCH/empty.img" --mem 128M --no-rng \
	--display --console "file=$SCRATCH/out" --api-sock "$SCRATCH/api.sock" --vnc "$SCRATCH/vnc.sock" \
	2>"$SCRATCH/err" &
pid=$!
pids+=("$pid")
api_wait_sock "$SCRATCH/api.sock"
[ "$(stat -c %a "$SCRATCH/vnc.sock")" = 600 ] || fail "the VNC socket is not 0600"

"$API_PY" - "$SCRATCH/vnc.sock" "$SCRATCH/api.sock" <<'PY' || fail "VNC: see above; stderr: $(grep -v 'ignored guest' "$SCRATCH/err" | tail -5)"
import socket, struct, sys, time
from screen_lib import Vnc, screendump, png_decode, lit_pixels
vnc_path, api_path = sys.argv[1], sys.argv[2]

def raw(data, expect_close=False):
    """A rogue client: the handshake, then data; it must be dropped or ignored, never crash."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(vnc_path)
    s.recv(12)
    s.sendall(data)
    if expect_close:
        while s.recv(65536):
            pass
    return s

v = Vnc(vnc_path)
# SeaBIOS's text, and once the screen is still, the screendump's very pixels.
for _ in range(100):
    rows = v.frame()
    if v.width == 1024 and lit_pixels(rows) > 300:
        break
    time.sleep(0.3)
else:
    sys.exit("no firmware text in the VNC frame (%dx%d)" % (v.width, v.height))
assert v.ext_key, "the server did not take QEMU's extended key event"
for _ in range(20):
    rows = v.frame()
    line, png = screendump(api_path)
    w, h, dump = png_decode(png)
    if [bytes(r) for r in rows] == dump:
        break
    time.sleep(0.5)
else:
    sys.exit("the VNC frame never matched the screendump")

hs = b"RFB 003.008\n\x01\x01"
# 5 MiB of cut text in one message: skipped, the connection lives on and gets its frame.
cut = Vnc(vnc_path)
cut.s.sendall(struct.pack(">BxxxI", 6, 5 << 20))
chunk = b"x" * 65536
for _ in range(80):
    cut.s.sendall(chunk)
cut.frame()
# 3000 encodings, most of them nonsense.
enc = Vnc(vnc_path, encodings=[(i * 7919) - 10000 for i in range(3000)])
enc.frame()
# A key flood (no keyboard takes them yet: dropped), then a frame.
for i in range(20000):
    v.key(0x61, i % 2 == 0)
v.frame()
# A bad version and an unknown message: dropped at once.
raw(b"RFB 003.003\n", expect_close=True)
raw(hs + b"\x09" * 16, expect_close=True)
# Four clients are served (v, cut, enc and this one); a fifth is told no.
fourth = Vnc(vnc_path)
try:
    Vnc(vnc_path)
    sys.exit("a fifth VNC client was accepted")
except ValueError as e:
    assert "too many VNC clients" in str(e), e
fourth.s.close()
cut.s.close()
enc.s.close()
time.sleep(0.5)
Vnc(vnc_path).frame()  # a place came free
v.frame()
print("ok")
PY
kill -0 $pid || fail "berth-vmm died: $(tail -5 "$SCRATCH/err")"
kill -KILL $pid
wait $pid 2>/dev/null || true
echo "ok: VNC frame matches screendump; cut text, encodings, key floods, bad versions and a fifth client harm nothing"
