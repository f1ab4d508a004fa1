#!/usr/bin/env bash
# deadlines.sh - each deadline of berthd's API connections (issue 16), with short settings:
# a connection that sends nothing is closed after http_idle_timeout; a request whose headers
# do not all come within http_header_timeout of its first byte is cut, however steadily its
# bytes trickle; a body slower than http_body_rate bytes/s is cut, a faster one answered; a
# member of berth gets http_per_user connections and the next is refused at once; bad
# values of the settings are refused with a message.
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"

need_root
PY=/usr/bin/python3 # the system's: an unprivileged uid must be able to run it
[ -x "$PY" ] || skip "needs python3"
HOSTILE=$(dirname "$0")/lib/hostile.py
printf 'http_header_timeout = 2\nhttp_idle_timeout = 4\nhttp_body_rate = 1024\nhttp_per_user = 3\n' \
	>"$SCRATCH/berthd.conf"
start_berthd --host-memory 2G --host-cpus 2
grep -q "up to [0-9]* API connections, 3 per user, 16 kept for root" "$SCRATCH/berthd.log" ||
	fail "berthd did not say how many connections it can hold: $(cat "$SCRATCH/berthd.log")"
# (the three below run side by side)
"$PY" "$HOSTILE" idle "$SOCK" >"$SCRATCH/idle" &
IDLE=$!
"$PY" "$HOSTILE" headers "$SOCK" 0.5 >"$SCRATCH/headers" &
HEADERS=$!
"$PY" "$HOSTILE" body "$SOCK" 256 10000 >"$SCRATCH/slow_body" &
SLOW=$!
"$PY" "$HOSTILE" body "$SOCK" 8192 12000 >"$SCRATCH/fast_body"
wait "$IDLE" "$HEADERS" "$SLOW"
echo "idle: $(cat "$SCRATCH/idle"); headers: $(cat "$SCRATCH/headers")"
echo "slow body: $(cat "$SCRATCH/slow_body"); fast body: $(cat "$SCRATCH/fast_body")"
# Each is closed once its time is up (plus the gate's quarter-second sweep, and slack for a
# busy host), not before.
jq -e '.closed_after >= 3.9 and .closed_after < 6' "$SCRATCH/idle" >/dev/null ||
	fail "an idle connection was not closed after http_idle_timeout (4 s): $(cat "$SCRATCH/idle")"
jq -e '.closed_after >= 1.9 and .closed_after < 4' "$SCRATCH/headers" >/dev/null ||
	fail "trickled headers were not cut after http_header_timeout (2 s): $(cat "$SCRATCH/headers")"
jq -e '.status == null and .sent < 10000 and .after < 4' "$SCRATCH/slow_body" >/dev/null ||
	fail "a body at 256 bytes/s was not cut: $(cat "$SCRATCH/slow_body")"
jq -e '.status == 400 and .sent == 12000' "$SCRATCH/fast_body" >/dev/null ||
	fail "a body at 8 KiB/s was not answered: $(cat "$SCRATCH/fast_body")"

# Shares: a member of berth holds 3 connections (http_per_user); the 4th is refused at once
# with a 503 that says why; root is still served.
GID=$(getent group berth | cut -d: -f3) || skip "needs the berth group"
chmod 755 "$SCRATCH"
setpriv --reuid 64018 --regid 64018 --groups "$GID" "$PY" - "$SOCK" >"$SCRATCH/shares" <<'PY'
import socket, sys
held = []
for _ in range(3):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append(s)
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(2)
print(s.recv(4096).decode().split("\r\n")[0])
for h in held:
    h.settimeout(0.5)
    try:
        print("closed" if h.recv(1) == b"" else "data")
    except socket.timeout:
        print("held")
PY
[ "$(head -1 "$SCRATCH/shares")" = "HTTP/1.1 503 Service Unavailable" ] ||
	fail "a 4th connection of one user was not refused: $(cat "$SCRATCH/shares")"
[ "$(grep -c held "$SCRATCH/shares")" -eq 3 ] || fail "the first 3 were not held: $(cat "$SCRATCH/shares")"
expect_api 200 GET /1.0/servers

# Bad settings: berthd refuses to start, naming the key.
kill_berthd TERM
for bad in "http_header_timeout = 0" "http_body_rate = fast" "http_per_user = -1" "http_idle_timeout = 99999999"; do
	echo "$bad" >"$SCRATCH/bad.conf"
	expect_status 1 "$BERTHD" --state-dir "$STATE" --socket "$SOCK" --config "$SCRATCH/bad.conf"
	expect_output "${bad%% =*}"
done
echo "ok: idle, header and body deadlines, per-user shares and their settings"
