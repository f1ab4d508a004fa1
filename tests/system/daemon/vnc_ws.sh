#!/usr/bin/env bash
# vnc_ws.sh - vm_display = yes: a VM berthd starts (the tiny echoing guest, on this host's
# KVM) has --display and --vnc in its directory; GET /1.0/servers/NAME/vnc/ws relays its
# VNC socket (the RFB greeting comes through a WebSocket, on the Unix socket and over HTTPS
# with a token), its console/ws echoes; another project's token gets 404, not upgraded.
# Without vm_display a VM has no screen: 409.
# timeout: 150
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_kvm
need_berth_cli
[ -f "$GUESTS/tiny-echo.bzImage" ] || skip "build the tiny guests first (make guests)"
WS=$(dirname "$0")/lib/ws_client.py
PORT=$((20000 + ($$ + 29) % 20000))
ws() {
	RC=0
	OUT=$(timeout 60 python3 "$WS" "$@" 2>&1) || RC=$?
}

printf 'listen = 127.0.0.1:%s\nnetwork = none\nvm_display = yes\n' "$PORT" >"$SCRATCH/berthd.conf"
start_berthd --host-cpus 2 --host-memory 2G
expect_api 201 POST /1.0/projects '{"name":"beta"}'
expect_api 202 POST /1.0/images "{\"name\":\"echo\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-echo.bzImage\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_status 0 berth create v1 --kind vm --image echo --cpus 1 --memory 64M --start
expect_status 0 berth show v1 --format json
PID=$(jq .pid <<<"$OUT")
tr '\0' ' ' <"/proc/$PID/cmdline" | grep -q -- "--display --vnc $STATE/servers/v1/vnc.sock" ||
	fail "the VMM has no display: $(tr '\0' ' ' <"/proc/$PID/cmdline")"
wait_until 10 test -S "$STATE/servers/v1/vnc.sock" || fail "no VNC socket"

ws unix "$SOCK" /1.0/servers/v1/vnc/ws --expect "RFB 003.008"
[ "$RC" = 0 ] || fail "the VNC greeting over vnc/ws: rc $RC: $OUT"
ws unix "$SOCK" /1.0/servers/v1/console/ws "vm-ws-$$\n" --expect "vm-ws-$$"
[ "$RC" = 0 ] || fail "the VM's console over console/ws: rc $RC: $OUT"
echo "ok: a VM's screen and console over WebSockets on the Unix socket"

expect_api 201 POST /1.0/tokens '{"project":"default"}'
TD=$(jq -r .token <<<"$REPLY")
expect_api 201 POST /1.0/tokens '{"project":"beta"}'
TB=$(jq -r .token <<<"$REPLY")
ws https "127.0.0.1:$PORT" /1.0/servers/v1/vnc/ws --protocol "berth, $TD" --expect "RFB 003.008"
[ "$RC" = 0 ] || fail "vnc/ws over HTTPS: rc $RC: $OUT"
ws https "127.0.0.1:$PORT" /1.0/servers/v1/vnc/ws --protocol "berth, $TB"
[ "$RC" = 1 ] && grep -q " 404 " <<<"$OUT" || fail "another project's token: rc $RC: $OUT"
echo "ok: vnc/ws over HTTPS with the project's token; another project's is 404"

# Without vm_display, no screen.
expect_status 0 berth stop v1 --force
kill_berthd TERM
printf 'network = none\n' >"$SCRATCH/berthd.conf"
start_berthd --host-cpus 2 --host-memory 2G
expect_status 0 berth start v1
ws unix "$SOCK" /1.0/servers/v1/vnc/ws
[ "$RC" = 1 ] && grep -q " 409 " <<<"$OUT" || fail "vnc/ws without a display: rc $RC: $OUT"
grep -q "has no display" <<<"$OUT" || fail "vnc/ws without a display: $OUT"
echo "ok: without vm_display a VM has no screen (409)"
expect_status 0 berth stop v1 --force
