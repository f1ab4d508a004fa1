#!/usr/bin/env bash
# web_console_rig.sh - berthd's web console driving a Linux VM's screen, in a real browser
# (Debian's chromium, headless, playwright-core) on this host against a berthd where KVM
# runs Linux (the rig here, reached through its loopback forward, BERTH_RIG_FORWARD): log in
# with a token, see the VM in the list, start it, open its screen in noVNC and type on its
# first virtual terminal (a shell on tty1, drawn by efifb + fbcon) a command that writes a
# marker to its serial port; the marker is then in the VM's serial console log. A screenshot
# of the screen is not blank, and the VMM's screendump is the VNC frame, pixel for pixel.
# (A container's terminal in xterm.js: web_console.sh, on this host.)
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"

VM=lin
SHELL_UP="web-rig: a shell on tty1"
# Typed on the VM's screen (the inside gets it as its 4th argument).
MARK=${4:-mark-$$-typed}

# sync_wait FILE [SECONDS]: inside, wait (bounded) for the browser to create $SCRATCH/FILE.
sync_wait() {
	local i
	for ((i = 0; i < ${2:-240} * 2; i++)); do
		[ -e "$SCRATCH/$1" ] && return 0
		sleep 0.5
	done
	fail "the browser did not get to '$1'"
}

if [ "${1:-}" != --inside ]; then
	[ -x /usr/bin/chromium ] || skip "chromium is not installed (scripts/setup: apt-get install chromium)"
	[ -d "$ROOT/web/node_modules/playwright-core" ] || skip "web/node_modules is missing (scripts/web-build runs npm ci)"
	[ -f "$ROOT/build/web/index.html" ] || skip "the web console is not built (scripts/web-build)"
	rig_vm_prepare node python3
	cat >"$SCRATCH/guest.sh" <<GUEST
# A still screen (no blinking cursor), so that a screendump and a VNC frame can be compared.
echo 0 >/sys/class/graphics/fbcon/cursor_blink
echo "web-rig: fb0 is \$(cat /sys/class/graphics/fb0/name)"
# The shell says it is up once it runs (ash reads ENV before its first prompt), not when it
# was merely started: keys are typed only then, as a person waits for the prompt.
mkdir -p /tmp
echo 'echo "$SHELL_UP" >/dev/ttyS0' >/tmp/up.sh
ENV=/tmp/up.sh setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1' &
sleep 100000
GUEST
	rig_vm_image
	# The rig's berthd listens on this port, forwarded to the host's loopback (the same
	# number where no rig is needed).
	PORT=$((20000 + ($$ + 29) % 20000))
	# The browser's side: for each try of the rig, the berthd it announces (SCRATCH/ready);
	# a new try ends the browser of one whose rig died under it (its status, 143 or a failure,
	# must not end this loop under errexit: the new try would then have no browser).
	(
		browser=
		trap '[ -z "$browser" ] || kill "$browser" 2>/dev/null; exit' TERM
		while :; do
			if [ -e "$SCRATCH/ready" ]; then
				if [ -n "$browser" ]; then
					kill "$browser" 2>/dev/null || true
					wait "$browser" 2>/dev/null || true
				fi
				mv "$SCRATCH/ready" "$SCRATCH/ready.taken"
				SCRATCH=$SCRATCH timeout 600 node "$(dirname "$0")/lib/web_vm_screen.js" "https://127.0.0.1:$PORT/" \
					"$(cat "$SCRATCH/token")" "$VM" "$MARK" >"$SCRATCH/browser.out" 2>&1 &
				browser=$!
			elif [ -n "$browser" ] && ! kill -0 "$browser" 2>/dev/null; then
				rc=0
				wait "$browser" || rc=$?
				echo "$rc" >"$SCRATCH/browser.rc"
				browser=
			fi
			sleep 0.5
		done
	) &
	WATCH=$!
	trap 'kill "$WATCH" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
	rc=0
	BERTH_RIG_FORWARD=$PORT:$PORT rig_try maybe --timeout 600 -- "$0" --inside "$SCRATCH" "$PORT" "$MARK" || rc=$?
	sed 's/^/browser: /' "$SCRATCH/browser.out" 2>/dev/null || true
	[ "$rc" = 0 ] || fail "the test in the rig failed ($rc)"
	[ "$(cat "$SCRATCH/browser.rc" 2>/dev/null)" = 0 ] || fail "the browser run failed (see above)"
	# The VMM's screendump against noVNC's frame (decoded here: slow in the rig).
	PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$ROOT/tests/system/vmm python3 - "$SCRATCH/dump.png" "$SCRATCH/vnc.rgba" <<'PY' || fail "screendump is not the VNC frame"
import sys
from screen_lib import png_decode, lit_pixels
w, h, rows = png_decode(open(sys.argv[1], "rb").read())
raw = open(sys.argv[2], "rb").read()
if len(raw) != w * h * 4:
    sys.exit("the VNC frame has %d bytes, the %dx%d screendump needs %d" % (len(raw), w, h, w * h * 4))
differ = sum(1 for y in range(h) for x in range(w)
             if rows[y][3 * x:3 * x + 3] != raw[4 * (y * w + x):4 * (y * w + x) + 3])
if differ:
    sys.exit("%d of %d pixels differ" % (differ, w * h))
print("ok: the VMM's screendump (%dx%d, %d lit pixels) is noVNC's frame, pixel for pixel" % (w, h, lit_pixels(rows)))
PY
	exit 0
fi

# Inside: a berthd with an HTTPS listener and VM screens; the browser drives it.
SCRATCH=$2
PORT=$3
rm -f "$SCRATCH"/{ready,ready.taken,token,started,guest-ready,typed,marker-seen,want-dump,dump.png,dumped,browser.rc,browser.out,vnc.rgba,inside-done}
# Tells the browser to give up waiting, whatever ended this side.
rig_cleanup_extra() { touch "$SCRATCH/inside-done"; }
rig_daemon_init webrig "$SCRATCH"
ADDR=127.0.0.1
[ -z "${BERTH_RIG:-}" ] || ADDR=10.0.2.15 # the rig's end of the forward
printf 'listen = %s:%s\nnetwork = none\nvm_display = yes\n' "$ADDR" "$PORT" >"$RUN/berthd.conf"
rig_daemon_start
CONSOLE=$STATE/servers/$VM/console.log

expect_status 0 berth project create web
berth --project web image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img" >"$RUN/import.out" 2>&1 ||
	fail "import: $(tail -3 "$RUN/import.out"); berthd: $(tail -5 "$LOG")"
expect_status 0 berth --project web create "$VM" --kind vm --image kit --cpus 1 --memory 256M
TOKEN=$(berth token create --project web | grep -o 'berth_[0-9a-z_]*' | head -1)
[ -n "$TOKEN" ] || fail "no token"
echo "$TOKEN" >"$SCRATCH/token"
touch "$SCRATCH/ready"
echo "ok: berthd listens on $ADDR:$PORT; the browser takes over"

# The browser starts the VM; its shell on tty1 is up once the guest says so.
sync_wait started 180
wait_for "$CONSOLE" "$SHELL_UP" 1 240
grep -q 'web-rig: fb0 is EFI VGA' "$CONSOLE" || fail "the guest has no efifb: $(tr -d '\r' <"$CONSOLE" | tail -5)"
touch "$SCRATCH/guest-ready"
echo "ok: the VM the browser started has efifb's console and a shell on tty1"

sync_wait typed 120
wait_for "$CONSOLE" "^$MARK" 1 60
touch "$SCRATCH/marker-seen"
echo "ok: what the browser typed on the VM's screen wrote $MARK to its serial console log"

sync_wait want-dump 120
API_SOCK=$(pgrep -a -f -- "--api-sock $STATE/servers/$VM/" | grep -o -- "--api-sock [^ ]*" | head -1 | cut -d' ' -f2)
[ -S "$API_SOCK" ] || fail "no API socket of $VM's VMM"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$ROOT/tests/system/vmm python3 - "$API_SOCK" "$SCRATCH/dump.png" <<'PY' || fail "screendump failed"
import sys
from screen_lib import screendump
line, png = screendump(sys.argv[1])
if not png:
    sys.exit("no screendump: " + line)
open(sys.argv[2], "wb").write(png)
PY
touch "$SCRATCH/dumped"
echo "ok: a screendump taken for the comparison"
sync_wait browser.rc 120
