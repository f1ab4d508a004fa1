#!/usr/bin/env bash
# console_vm.sh - `berth console` on a VM (the tiny echoing guest, on this host's KVM):
# create, start, console (what goes in comes back, and lands in console.log), a second
# client refused, stop ends the console, delete. A Linux guest's console is the rig's
# (vm_lifecycle.sh).
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_kvm
need_berth_cli
[ -f "$GUESTS/tiny-echo.bzImage" ] || skip "build the tiny guests first (make guests)"

start_berthd --host-cpus 2 --host-memory 2G
expect_api 202 POST /1.0/images "{\"name\":\"echo\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-echo.bzImage\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_status 0 berth create v1 --kind vm --image echo --cpus 1 --memory 64M --start
CSOCK=$STATE/console/v1.sock
[ -S "$CSOCK" ] || fail "no console socket $CSOCK"

mkfifo "$SCRATCH/in"
"$BERTH" --socket "$SOCK" console v1 <"$SCRATCH/in" >"$SCRATCH/out" 2>"$SCRATCH/err" &
CLIENT=$!
exec 3>"$SCRATCH/in"
wait_until 5 grep -q "Connected to v1's console" "$SCRATCH/err" || fail "no banner: $(cat "$SCRATCH/err")"
printf 'vm-echo-%s\n' $$ >&3
wait_until 10 grep -q "vm-echo-$$" "$SCRATCH/out" || fail "no echo from the guest: $(cat -v "$SCRATCH/out")"
wait_until 5 grep -q "vm-echo-$$" "$STATE/servers/v1/console.log" || fail "console.log lacks the echo"
echo "ok: VM console round trip, logged"

expect_status 1 berth console v1 </dev/null
expect_output "the console of v1 is in use by another client"
echo "ok: a second client is refused"

expect_status 0 berth stop v1 --timeout 1
wait_until 10 eval '! kill -0 $CLIENT 2>/dev/null' || fail "the console client still runs after stop"
wait "$CLIENT" || fail "the console client exited $? at the console's end"
exec 3>&-
[ ! -e "$CSOCK" ] || fail "$CSOCK is left after stop"
expect_status 1 berth console v1 </dev/null
expect_output "server v1 is not running"
expect_status 0 berth delete v1
echo "ok: stop ends the console; delete"
