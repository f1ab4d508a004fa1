#!/usr/bin/env bash
# ws_console.sh - a container's console as a WebSocket (GET /1.0/servers/NAME/console/ws):
# over the Unix socket, and over the HTTPS listener with the token as ?token= and as a
# Sec-WebSocket-Protocol value, a command goes in and its output comes back; without a
# token the handshake is 401, with another project's token 404, neither upgraded, and the
# console is left free for the next client; a bad handshake (no key, wrong version) is
# refused; a container's screen (vnc/ws) is 400; berthd stopping ends open sessions first.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"

need_root
need_berth_cli
WS=$(dirname "$0")/lib/ws_client.py
PORT=$((20000 + ($$ + 7) % 20000))
printf 'listen = 127.0.0.1:%s\nnetwork = none\n' "$PORT" >"$SCRATCH/berthd.conf"
start_berthd --host-memory 4G --host-cpus 4

two_projects_ct
expect_api 201 POST /1.0/tokens '{"project":"alpha"}'
TA=$(jq -r .token <<<"$REPLY")
expect_api 201 POST /1.0/tokens '{"project":"beta"}'
TB=$(jq -r .token <<<"$REPLY")

# ws KIND WHERE PATH ARGS...: the client's output in $OUT, its status in $RC.
ws() {
	RC=0
	OUT=$(timeout 60 python3 "$WS" "$@" 2>&1) || RC=$?
}

ws unix "$SOCK" /1.0/servers/asrv/console/ws '\n' 'echo ws-$((6*7))-unix\n' --expect ws-42-unix
[ "$RC" = 0 ] || fail "console over the Unix socket's WebSocket: rc $RC: $OUT"
echo "ok: the console over a WebSocket on the Unix socket"

ws https "127.0.0.1:$PORT" "/1.0/servers/asrv/console/ws?token=$TA" '\n' 'echo ws-$((6*7))-query\n' --expect ws-42-query
[ "$RC" = 0 ] || fail "console over HTTPS with ?token=: rc $RC: $OUT"
ws https "127.0.0.1:$PORT" /1.0/servers/asrv/console/ws --protocol "berth, $TA" '\n' 'echo ws-$((6*7))-proto\n' --expect ws-42-proto
[ "$RC" = 0 ] || fail "console over HTTPS with the token as a protocol: rc $RC: $OUT"
echo "ok: the console over a WebSocket on HTTPS, the token as ?token= and as a protocol"

ws https "127.0.0.1:$PORT" /1.0/servers/asrv/console/ws
[ "$RC" = 1 ] && grep -q " 401 " <<<"$OUT" || fail "no token: rc $RC: $OUT"
ws https "127.0.0.1:$PORT" "/1.0/servers/asrv/console/ws?token=$TB"
[ "$RC" = 1 ] && grep -q " 404 " <<<"$OUT" || fail "another project's token: rc $RC: $OUT"
ws https "127.0.0.1:$PORT" "/1.0/servers/nosuch/console/ws?token=$TA"
[ "$RC" = 1 ] && grep -q " 404 " <<<"$OUT" || fail "no such server: rc $RC: $OUT"
# a container has no screen: its vnc/ws is refused, not upgraded
ws https "127.0.0.1:$PORT" "/1.0/servers/asrv/vnc/ws?token=$TA"
[ "$RC" = 1 ] && grep -q " 400 " <<<"$OUT" || fail "vnc/ws of a container: rc $RC: $OUT"
# ?token= is for WebSocket handshakes only: an ordinary request with it is 401
STATUS=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/1.0/servers?token=$TA")
[ "$STATUS" = 401 ] || fail "?token= on an ordinary request gave $STATUS"
echo "ok: no token 401, another project's 404, not upgraded; ?token= only on a handshake"

# Bad handshakes: not a WebSocket 426, another version 426, no key 400.
hs() { curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' "$@" http://berthd/1.0/servers/asrv/console/ws; }
[ "$(hs)" = 426 ] || fail "a plain GET of console/ws was not 426"
[ "$(hs -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 8' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')" = 426 ] ||
	fail "version 8 was not 426"
[ "$(hs -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13')" = 400 ] || fail "no key was not 400"
echo "ok: bad handshakes refused"

# The refusals left the console free: the next client gets it.
ws unix "$SOCK" /1.0/servers/asrv/console/ws 'echo ws-$((6*7))-after\n' --expect ws-42-after
[ "$RC" = 0 ] || fail "the console after the refusals: rc $RC: $OUT"
echo "ok: the console is free after the refusals"

# berthd stopping ends the open sessions first (their threads hold libmicrohttpd's handles):
# the client sees the close, berthd exits cleanly.
timeout 60 python3 "$WS" unix "$SOCK" /1.0/servers/asrv/console/ws --expect never-comes >"$SCRATCH/held" 2>&1 &
HELD=$!
wait_until 10 grep -q " 101 " "$SCRATCH/held" || fail "no session: $(cat "$SCRATCH/held")"
kill -TERM "$BERTHD_PID"
RC=0
wait "$BERTHD_PID" || RC=$?
BERTHD_PID=
[ "$RC" = 0 ] || fail "berthd exited $RC with a session open"
RC=0
wait "$HELD" || RC=$?
[ "$RC" = 2 ] && grep -q "closed" "$SCRATCH/held" || fail "the session did not end with berthd: rc $RC: $(cat "$SCRATCH/held")"
! grep -q '"upgraded" connection' "$SCRATCH/berthd.log" || fail "libmicrohttpd stopped under an open session"
echo "ok: berthd stopping closes the open sessions first"
