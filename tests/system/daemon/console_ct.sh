#!/usr/bin/env bash
# console_ct.sh - `berth console` on a busybox container: piped (no terminal) it sends a
# command and reads the output back; a second client is refused; console.log has the
# output and stays capped (console_log_max, rotated to console.log.1), also while a client
# that never reads is attached, which stalls nothing; the keeper and the console survive a
# berthd restart; stopping the container ends the console, its keeper and its socket; a
# stopped server's console is refused with what to do.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli

# A console client of ours: input from the fifo $SCRATCH/in (held open on fd 3), output
# to $SCRATCH/out.N; CLIENT is its pid.
attach() {
	rm -f "$SCRATCH/in"
	mkfifo "$SCRATCH/in"
	"$BERTH" --socket "$SOCK" console c1 <"$SCRATCH/in" >"$SCRATCH/out.$1" 2>"$SCRATCH/err.$1" &
	CLIENT=$!
	exec 3>"$SCRATCH/in"
	wait_until 5 grep -q "Connected to c1's console" "$SCRATCH/err.$1" || fail "no banner: $(cat "$SCRATCH/err.$1")"
}
send() { printf '%s\n' "$1" >&3; }
saw() { grep -q "$1" "$2"; }

echo "console_log_max = 64K" >"$SCRATCH/berthd.conf"
start_berthd --host-cpus 2 --host-memory 2G
busybox_rootfs "$SCRATCH/rootfs"
import_ct busybox "$SCRATCH/rootfs"
expect_status 0 berth create c1 --kind ct --image busybox --cpus 1 --memory 256M --start
LOG=$STATE/servers/c1/console.log
CSOCK=$STATE/console/c1.sock
[ -S "$CSOCK" ] || fail "no console socket $CSOCK"
[ "$(stat -c %a "$CSOCK")" = 660 ] || fail "console socket mode $(stat -c %a "$CSOCK")"
[ "$(stat -c %a "$STATE/console")" = 2750 ] || fail "console dir mode $(stat -c %a "$STATE/console")"

# Piped: a command goes in, its output comes back (busybox init first asks for Enter).
attach 1
send ""
send 'echo con-$((6*7))-ok'
wait_until 10 saw con-42-ok "$SCRATCH/out.1" || fail "no output on the console: $(cat -v "$SCRATCH/out.1")"
echo "ok: console round trip"

# One client at a time.
expect_status 1 berth console c1 </dev/null
expect_output "the console of c1 is in use by another client"
echo "ok: a second console is refused"

# The log has what the container printed.
saw con-42-ok "$LOG" || fail "console.log lacks the output: $(cat -v "$LOG")"
kill "$CLIENT"
wait "$CLIENT" 2>/dev/null || true
exec 3>&-

# A client that never reads makes the container print 600 KB: neither the container nor
# the log waits for it, and the log stays under its cap.
python3 - "$CSOCK" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'i=0; while [ $i -lt 600 ]; do printf "%01000d\\n" $i; i=$((i+1)); done; echo flood-$((1+1))-done\n')
time.sleep(60)
PY
HOSTILE=$!
wait_until 60 saw flood-2-done "$LOG" || fail "the flood stalled behind a client that does not read"
kill "$HOSTILE"
wait "$HOSTILE" 2>/dev/null || true
[ -f "$LOG.1" ] || fail "console.log was not rotated to console.log.1"
for f in "$LOG" "$LOG.1"; do
	[ "$(stat -c %s "$f")" -le 65536 ] || fail "$f is $(stat -c %s "$f") bytes, over the 64K cap"
done
echo "ok: a client that does not read stalls nothing; console.log capped at 64K (rotated)"

# berthd restarts: the keeper stays, and the console works after it.
KEEPER=$(pgrep -f "berth-console keep .*--socket $CSOCK") || fail "no keeper process"
kill_berthd TERM
start_berthd
kill -0 "$KEEPER" 2>/dev/null || fail "the keeper did not survive a berthd restart"
expect_status 0 berth show c1 --format json
[ "$(jq -r .state <<<"$OUT")" = running ] || fail "c1 not running after the restart: $OUT"
attach 2
send 'echo again-$((5+5))'
wait_until 10 saw again-10 "$SCRATCH/out.2" || fail "no console after the restart: $(cat -v "$SCRATCH/out.2")"
echo "ok: the keeper and the console survive a berthd restart"

# Stopping the container ends the console, its keeper and its socket.
expect_status 0 berth stop c1 --timeout 10
wait_until 10 eval '! kill -0 $CLIENT 2>/dev/null' || fail "the console client still runs after stop"
wait "$CLIENT" || fail "the console client exited $? at the console's end"
saw "The console of c1 closed" "$SCRATCH/err.2" || fail "no end message: $(cat "$SCRATCH/err.2")"
exec 3>&-
gone "$KEEPER" || fail "the keeper outlived its container"
[ ! -e "$CSOCK" ] || fail "$CSOCK is left after stop"
expect_status 1 berth console c1 </dev/null
expect_output "server c1 is not running; start it first"
echo "ok: stop ends the console and its keeper; a stopped server's console is refused"

# It starts again with a new keeper.
expect_status 0 berth start c1
[ -S "$CSOCK" ] || fail "no console socket after a second start"
expect_status 0 berth delete --force c1
[ ! -e "$CSOCK" ] || fail "$CSOCK is left after delete"
echo "ok: restart and delete"
