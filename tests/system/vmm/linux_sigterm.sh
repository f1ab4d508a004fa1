#!/usr/bin/env bash
# SIGTERM presses the ACPI power button; the guest's acpid powers it off cleanly (status 0).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<<'echo "waiting for the power button"; sleep 600'
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
out=$(mktemp /run/berth-sigterm.XXXXXX)
"${GUEST_VMM[@]}" </dev/null >"$out" 2>&1 &
pid=$!
wait_for "$out" "waiting for the power button"
sleep 1 # acpid is up before the script starts; give the button driver a moment too
kill -TERM "$pid"
wait_exit "$pid" 120 "$out"
[ "$RC" -eq 0 ] || fail "exit $RC after SIGTERM: $(tail -20 "$out")"
grep -q "reboot: Power down" "$out" || fail "guest did not power down: $(tail -20 "$out")"
rm -f "$out"
echo ok
