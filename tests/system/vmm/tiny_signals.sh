#!/usr/bin/env bash
# SIGTERM presses the ACPI power button (a guest that watches it powers off, status 0);
# a second SIGTERM stops a guest that ignores it (status 143), even one whose console output
# nobody reads; a console reader that goes away does not kill the VMM.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
need_kvm
scratch

wait_for_start() { # the VMM has blocked SIGTERM once its signalfd exists
	for _ in $(seq 100); do
		grep -q '^SigBlk:.*[4-7]...$' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.05
	done
}

"$VMM" --kernel "$GUESTS/tiny-button.bzImage" 2>"$SCRATCH/log" &
pid=$!
wait_for_start "$pid"; sleep 0.2
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "power-button guest exited $rc: $(cat "$SCRATCH/log")"
grep -q "pressed the guest's power button" "$SCRATCH/log" || fail "no power-button line: $(cat "$SCRATCH/log")"

"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" 2>"$SCRATCH/log" &
pid=$!
wait_for_start "$pid"; sleep 0.2
kill -TERM "$pid"; sleep 0.3; kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "spinning guest exited $rc after two SIGTERMs: $(cat "$SCRATCH/log")"
grep -q "stopped by a second signal" "$SCRATCH/log" || fail "no stop line: $(cat "$SCRATCH/log")"
# A guest flooding a console pipe that is never read: the vCPU blocks in write(), yet two
# SIGTERMs still stop the VM.
mkfifo "$SCRATCH/stuck"
exec 4<>"$SCRATCH/stuck" # holds the pipe open, never reads it
"$VMM" --kernel "$GUESTS/tiny-flood.bzImage" >"$SCRATCH/stuck" 2>"$SCRATCH/log" &
pid=$!
wait_for_start "$pid"; sleep 0.5
kill -TERM "$pid"; sleep 0.3; kill -TERM "$pid"
rc=0; timeout 10 tail --pid="$pid" -f /dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "a VM blocked on its console did not stop"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "flooding guest exited $rc: $(cat "$SCRATCH/log")"
exec 4>&-

# The console's reader goes away: output is dropped, the VM runs on until stopped.
{ "$VMM" --kernel "$GUESTS/tiny-flood.bzImage" 2>"$SCRATCH/log" & echo $! >"$SCRATCH/pid"; } | head -c 100 >/dev/null
pid=$(cat "$SCRATCH/pid")
sleep 0.3
kill -0 "$pid" || fail "the VMM died when its console reader went away: $(cat "$SCRATCH/log")"
kill -TERM "$pid"; sleep 0.3; kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "the VMM did not stop"
grep -q "stopped by a second signal" "$SCRATCH/log" || fail "no stop line: $(cat "$SCRATCH/log")"
echo ok
