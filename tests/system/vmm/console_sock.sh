#!/usr/bin/env bash
# The console socket (--console-sock) and the capped console log (--console file=PATH,max=):
# a client's bytes reach the guest and its output comes back; a second client is refused
# with one line; after the first leaves a new one attaches; input larger than the UART's
# buffer arrives whole and in order; a client that floods input starves neither the API
# socket nor the guest; Ctrl-A x from a client is just bytes; a client that never reads
# does not stall the guest; the log rotates and stays capped; the socket goes at exit.
# timeout: 180
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
need_kvm
scratch

SOCK=$SCRATCH/console.sock
LOG=$SCRATCH/console.log

expect_status 2 "$VMM" --kernel "$GUESTS/tiny-echo.bzImage" --console-sock "$SOCK"
expect_output "--console-sock cannot share the console with --console stdio"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-echo.bzImage" --console "file=$LOG,max=1K" --console-sock "$SOCK"
expect_output "max must be at least 64 KiB"

# stop_vmm PID: two SIGTERMs (the tiny guests ignore the power button), then wait.
stop_vmm() {
	kill -TERM "$1"; sleep 0.3; kill -TERM "$1" 2>/dev/null || true
	local rc=0
	wait "$1" || rc=$?
	[ "$rc" -eq 143 ] || fail "berth-vmm exited $rc: $(cat "$SCRATCH/err")"
}

# An echoing guest: what a client sends comes back, and lands in the log.
"$VMM" --kernel "$GUESTS/tiny-echo.bzImage" --console "file=$LOG" --console-sock "$SOCK" \
	--api-sock "$SCRATCH/api.sock" 2>"$SCRATCH/err" &
pid=$!
api_wait_sock "$SCRATCH/api.sock"
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "console socket mode $(stat -c %a "$SOCK"), expected 660"

"$API_PY" - "$SOCK" "$SCRATCH/api.sock" "console-$$-ok" <<'PY' || fail "console socket client failed: $(cat "$SCRATCH/err")"
import socket, sys, time
sock, api, word = sys.argv[1], sys.argv[2], sys.argv[3].encode()
BUSY = b"berth-vmm: the console is in use by another client\r\n"

def connect():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sock)
    return s

def read_until(s, want, got=b""):
    while want not in got:
        chunk = s.recv(65536)
        assert chunk, "console closed while waiting for %r (got %r)" % (want, got[-200:])
        got += chunk
    return got

a = connect()
a.sendall(b"echo " + word + b"\n")
read_until(a, b"echo " + word + b"\n")

b = connect()  # one client at a time
got = b""
while True:
    chunk = b.recv(1024)
    if not chunk:
        break
    got += chunk
assert got == BUSY, "second client got %r" % got
b.close()

a.sendall(b"\x01x")  # not an escape on the socket: the bytes reach the guest
read_until(a, b"\x01x")
a.close()

# The next client attaches once the first has gone (the close may take a moment to be seen).
for _ in range(50):
    c = connect()
    c.sendall(b"again\n")
    got = c.recv(len(BUSY))
    if got and not BUSY.startswith(got):
        break
    c.close()
    time.sleep(0.1)
read_until(c, b"again\n", got)

# 64 KiB at once, 16 times the UART's buffer: the guest must get all of it, in order, while
# the API socket keeps answering. The client reads its echo meanwhile.
data = b"".join(b"%07d\n" % i for i in range(8192))
c.setblocking(False)
sent, echoed, api_ok = 0, b"", 0
deadline = time.monotonic() + 60
while (sent < len(data) or len(echoed) < len(data)) and time.monotonic() < deadline:
    if sent < len(data):
        try:
            sent += c.send(data[sent : sent + 4096])
        except BlockingIOError:
            pass
    try:
        echoed += c.recv(65536)
    except BlockingIOError:
        time.sleep(0.001)
    if sent < len(data) and sent // 16384 > api_ok:
        q = socket.socket(socket.AF_UNIX)
        q.settimeout(5)
        q.connect(api)
        q.sendall(b'{"cmd":"status"}\n')
        reply = q.recv(4096)
        assert b'"ok":true' in reply, "API status during the flood: %r" % reply
        q.close()
        api_ok += 1
assert sent == len(data), "only %d of %d bytes sent" % (sent, len(data))
assert echoed == data, "echo differs: %d bytes back, first difference at %d" % (
    len(echoed), next((i for i in range(min(len(echoed), len(data))) if echoed[i] != data[i]), -1))
c.close()

# A client that never reads: the guest's output is dropped for it, not waited for.
d = connect()
d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
d.sendall(b"z" * 20000 + b"\nend-of-flood\n")
d.close()
print("ok: attach, refuse, re-attach, 64 KiB in order, API answered %d times" % api_ok)
PY
# The last client's input is echoed into the log even though it never read the echo.
for _ in $(seq 100); do grep -q "^end-of-flood$" "$LOG" && break; sleep 0.1; done
grep -q "^end-of-flood$" "$LOG" || fail "the stuck client's input did not all reach the guest"
grep -q "^echo console-$$-ok$" "$LOG" || fail "the log lacks the echoed command"
grep -q "^0008191$" "$LOG" || fail "the log lacks the end of the 64 KiB"
kill -0 "$pid" || fail "berth-vmm exited: $(cat "$SCRATCH/err")"
stop_vmm "$pid"
[ ! -e "$SOCK" ] || fail "the console socket was left behind"

# A guest that prints for ever into a log capped at 64 KiB, with a client that never reads.
FLOOD_LOG=$SCRATCH/flood.log
"$VMM" --kernel "$GUESTS/tiny-flood.bzImage" --console "file=$FLOOD_LOG,max=64K" --console-sock "$SOCK" \
	2>"$SCRATCH/err" &
pid=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
"$API_PY" - "$SOCK" "$FLOOD_LOG" <<'PY' || fail "stuck client: $(cat "$SCRATCH/err")"
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])  # attached, and never reads
deadline = time.monotonic() + 60  # the guest prints one byte per exit: slow on a busy host
while not os.path.exists(sys.argv[2] + ".1") and time.monotonic() < deadline:
    time.sleep(0.2)
def where():
    st = os.stat(sys.argv[2])
    return st.st_ino, st.st_size
before = where()
time.sleep(1)
assert where() != before, "the guest's output stalled behind a client that does not read"
PY
[ -e "$FLOOD_LOG.1" ] || fail "the log did not rotate"
size=$(stat -c %s "$FLOOD_LOG"); old=$(stat -c %s "$FLOOD_LOG.1")
[ "$size" -le 65536 ] && [ "$old" -le 65536 ] || fail "log sizes $size and $old pass the 64 KiB cap"
kill -0 "$pid" || fail "berth-vmm exited: $(cat "$SCRATCH/err")"
stop_vmm "$pid"
[ ! -e "$SOCK" ] || fail "the console socket was left behind"
echo ok
