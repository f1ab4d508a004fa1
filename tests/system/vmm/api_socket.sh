#!/usr/bin/env bash
# The API socket's file and its clients: bad requests get error replies and harm nobody,
# a half-sent line or a silent client blocks no other client, an over-long line is refused,
# a stale socket file is replaced, a live one (another VMM's) is refused, and a path that
# is not a socket is left alone.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/api_lib.sh"
need_kvm
scratch
S=$SCRATCH/api.sock

# A stale socket file, as a killed VMM leaves behind, is taken over.
"$API_PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$S"
[ -S "$S" ] || fail "could not make a stale socket"
"$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --mem 64M --console none --api-sock "$S" 2>"$SCRATCH/log" &
pid=$!
api_wait_sock "$S"

# A second VMM on the same (live) socket is refused; the first one is unharmed.
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --mem 64M --console none --api-sock "$S"
expect_output "another process listens on $S"
[ -S "$S" ] || fail "the refused VMM removed the live socket"

# Bad requests: one error reply each, the connection stays usable.
out=$(api "$S" 'hello' '{"cmd":"status"' '[1,2]' '{"cmd":"dance"}' '{"cmd":"status","x":1}' '{"id":2}' \
	'{"cmd":"status","id":{}}' '' '{"cmd":"status","id":9}')
[ "$(grep -c '"ok":false,"error":' <<<"$out")" -eq 8 ] || fail "bad requests: $out"
[[ $(tail -1 <<<"$out") == '{"ok":true,"id":9,"state":"running"'* ]] || fail "no reply after bad ones: $out"

# Two clients at once; one silent, one sending half a line then leaving, one over-long line.
"$API_PY" - "$S" <<'PY' || fail "clients"
import socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1]); return s
silent, half, a, b = conn(), conn(), conn(), conn()
half.sendall(b'{"cmd":"sta')
a.sendall(b'{"cmd":"status","id":"a"}\n'); b.sendall(b'{"cmd":"status","id":"b"}\n')
assert b'"id":"a"' in a.recv(4096) and b'"id":"b"' in b.recv(4096)
half.close()
b.sendall(b'x' * 5000)
reply = b.makefile('rb').readline()
assert b'longer than 4096 bytes' in reply, reply
a.sendall(b'{"cmd":"status"}\n')
assert b'"ok":true' in a.recv(4096)
PY
kill -0 "$pid" || fail "the VMM died: $(cat "$SCRATCH/log")"
api "$S" '{"cmd":"stop"}' >/dev/null
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || fail "exit $rc after stop: $(cat "$SCRATCH/log")"
[ ! -e "$S" ] || fail "the socket file was left behind"

# Not a socket: refused and left alone. A path too long for a socket: refused.
echo keep >"$SCRATCH/file"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --api-sock "$SCRATCH/file"
expect_output "exists and is not a socket"
[ "$(cat "$SCRATCH/file")" = keep ] || fail "the file was changed"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-spin.bzImage" --api-sock "$SCRATCH/$(printf 'x%.0s' {1..120})"
expect_output "a socket path must be 1 to 107 bytes long"
echo ok
