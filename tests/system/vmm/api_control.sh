#!/usr/bin/env bash
# The API socket drives tiny guests: status, pause and resume (a paused VM uses no CPU, with
# SMP: the second vCPU waits in KVM for a SIPI, like a halted one), a guest reset while paused
# stays paused, stop (status 143), and shutdown pressing the power button (status 0), also
# while paused (the guest sees the button once resumed). Watchers see every change. A vCPU
# blocked on its console is paused too.
# timeout: 90
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
need_kvm
scratch
S=$SCRATCH/api.sock

"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --cpus 2 --mem 64M --console none --api-sock "$S" 2>"$SCRATCH/log" &
pid=$!
api_wait_sock "$S"
[ "$(stat -c %a "$S")" = 600 ] || fail "socket mode $(stat -c %a "$S"), expected 600"
out=$(api "$S" '{"cmd":"status","id":1}')
for want in '"ok":true' '"id":1' '"state":"running"' '"cpus":2' '"mem":67108864' "\"pid\":$pid" \
	'"reboots":0' '"kernel":"'"$GUESTS/tiny-spin.bzImage"'"' '"uptime":'; do
	[[ $out == *"$want"* ]] || fail "status lacks $want: $out"
done
api_watch "$S" 30 >"$SCRATCH/events" &
watcher=$!
sleep 0.3
out=$(api "$S" '{"cmd":"pause"}')
[ "$out" = '{"ok":true,"state":"paused"}' ] || fail "pause: $out"
sleep 0.2
t0=$(cpu_ticks "$pid"); sleep 1; t1=$(cpu_ticks "$pid")
[ $((t1 - t0)) -le 3 ] || fail "a paused VM used $((t1 - t0)) ticks of CPU in 1 s"
out=$(api "$S" '{"cmd":"status"}')
[[ $out == *'"state":"paused"'* ]] || fail "status while paused: $out"
out=$(api "$S" '{"cmd":"pause"}' '{"cmd":"resume"}' '{"cmd":"resume"}')
[ "$out" = '{"ok":true,"state":"paused"}
{"ok":true,"state":"running"}
{"ok":true,"state":"running"}' ] || fail "pause twice, resume twice: $out"
t0=$(cpu_ticks "$pid"); sleep 1; t1=$(cpu_ticks "$pid")
[ $((t1 - t0)) -ge 10 ] || fail "a resumed spinning VM used only $((t1 - t0)) ticks of CPU in 1 s"
out=$(api "$S" '{"cmd":"stop"}')
[ "$out" = '{"ok":true}' ] || fail "stop: $out"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "stopped VM exited $rc: $(cat "$SCRATCH/log")"
grep -q "stopped through the API socket" "$SCRATCH/log" || fail "no stop line: $(cat "$SCRATCH/log")"
[ ! -e "$S" ] || fail "the socket file was left behind"
wait "$watcher" || true
[ "$(cat "$SCRATCH/events")" = '{"ok":true}
{"event":"paused"}
{"event":"resumed"}
{"event":"stopped","status":143}' ] || fail "events: $(cat "$SCRATCH/events")"

# shutdown presses the power button, like a first SIGTERM; a paused guest sees it on resume.
"$VMM" --kernel "$GUESTS/tiny-button.bzImage" --console none --api-sock "$S" 2>"$SCRATCH/log" &
pid=$!
api_wait_sock "$S"
out=$(api "$S" '{"cmd":"pause"}' '{"cmd":"shutdown"}' '{"cmd":"status"}')
[[ $out == *'{"ok":true}'* && $out == *'"state":"paused"'* ]] || fail "pause, shutdown, status: $out"
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "a paused guest acted on the power button: $(cat "$SCRATCH/log")"
out=$(api "$S" '{"cmd":"resume"}')
[ "$out" = '{"ok":true,"state":"shutting-down"}' ] || fail "resume after shutdown: $out"
rc=0; timeout 10 tail --pid="$pid" -f /dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "the guest did not power off after the button"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "button guest exited $rc: $(cat "$SCRATCH/log")"
grep -q "API: pressed the guest's power button" "$SCRATCH/log" || fail "no button line: $(cat "$SCRATCH/log")"

# A guest that reboots for ever: paused, it stops rebooting (a reset racing the pause
# comes up paused); resumed, it reboots again.
"$VMM" --kernel "$GUESTS/tiny-reset.bzImage" --mem 64M --console none --api-sock "$S" 2>/dev/null &
pid=$!
api_wait_sock "$S"
api_watch "$S" 30 >"$SCRATCH/events" &
watcher=$!
reboots() { api "$S" '{"cmd":"status"}' | sed -n 's/.*"reboots":\([0-9]*\).*/\1/p'; }
api "$S" '{"cmd":"pause"}' >/dev/null
r0=$(reboots); sleep 0.5; r1=$(reboots)
[ "$r0" = "$r1" ] || fail "a paused VM rebooted ($r0, then $r1)"
api "$S" '{"cmd":"resume"}' >/dev/null
sleep 0.5; r2=$(reboots)
[ "$r2" -gt "$r1" ] || fail "a resumed VM did not reboot again ($r1, then $r2)"
api "$S" '{"cmd":"stop"}' >/dev/null
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "rebooting VM exited $rc after stop"
wait "$watcher" || true
grep -q '^{"event":"rebooted"}$' "$SCRATCH/events" || fail "no rebooted event: $(head -5 "$SCRATCH/events")"

# A vCPU blocked writing to a console pipe nobody reads is still paused (the kick interrupts
# the write, whose byte is dropped as for a stop); stop still works.
mkfifo "$SCRATCH/stuck"
exec 4<>"$SCRATCH/stuck" # holds the pipe open, never reads it
"$VMM" --kernel "$GUESTS/tiny-flood.bzImage" --cpus 2 --mem 64M --api-sock "$S" >"$SCRATCH/stuck" 2>/dev/null &
pid=$!
api_wait_sock "$S"
sleep 0.3
out=$(api "$S" '{"cmd":"pause"}')
[ "$out" = '{"ok":true,"state":"paused"}' ] || fail "pausing a VM stuck on its console: $out"
api "$S" '{"cmd":"stop"}' >/dev/null
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "console-stuck VM exited $rc after stop"
exec 4>&-
echo ok
