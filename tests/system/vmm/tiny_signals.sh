#!/usr/bin/env bash
# SIGTERM presses the ACPI power button (a guest that watches it powers off, status 0);
# a second SIGTERM stops a guest that ignores it (status 143).
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
echo ok
