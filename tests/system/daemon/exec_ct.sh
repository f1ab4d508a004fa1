#!/usr/bin/env bash
# exec_ct.sh - `berth exec` in a busybox container: stdout and stderr stay apart and the
# exit status is the command's; stdin reaches the command; --env and --cwd; a terminal
# with --tty (under script(1)); a directory as stdin refused; usage errors; a VM and a
# stopped server get clear errors; an exec socket nobody uses goes away.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli

start_berthd --host-cpus 2 --host-memory 2G
busybox_rootfs "$SCRATCH/rootfs"
import_ct busybox "$SCRATCH/rootfs"
expect_status 0 berth create c1 --kind ct --image busybox --cpus 1 --memory 256M --start

# stdout and stderr apart, the command's status.
rc=0
berth exec c1 -- sh -c 'echo out; echo err >&2; exit 7' >"$SCRATCH/o" 2>"$SCRATCH/e" </dev/null || rc=$?
[ "$rc" = 7 ] || fail "exec exited $rc, expected 7; stderr: $(cat "$SCRATCH/e")"
[ "$(cat "$SCRATCH/o")" = out ] || fail "stdout: $(cat "$SCRATCH/o")"
[ "$(cat "$SCRATCH/e")" = err ] || fail "stderr: $(cat "$SCRATCH/e")"
echo "ok: stdout, stderr and the exit status"

# stdin reaches the command; --env, --cwd.
OUT=$(printf 'hello\nworld\n' | berth exec c1 -- sh -c 'while read l; do echo "got-$l"; done')
[ "$OUT" = $'got-hello\ngot-world' ] || fail "stdin: $OUT"
expect_status 0 berth exec --env GREETING=hi --cwd /tmp c1 -- sh -c 'echo "$GREETING $(pwd)"'
[ "$OUT" = "hi /tmp" ] || fail "--env/--cwd: $OUT"
expect_status 0 berth exec c1 -- sh -c 'echo "[$1]"' sh ''
[ "$OUT" = "[]" ] || fail "an empty argument: $OUT"
expect_status 0 berth exec c1 -- sh -c '[ -t 0 ] && echo tty || echo no-tty'
[ "$OUT" = no-tty ] || fail "without a terminal, exec got one: $OUT"
# berth-ct exec exits 255 when it cannot run the command (as runc's exec); berth passes it on
expect_status 255 berth exec c1 -- /no/such/program
expect_output "/no/such/program"
echo "ok: stdin, --env, --cwd, no terminal when piped, a missing program"

# A terminal: under script(1), by default and with --tty; --no-tty refuses it.
if command -v script >/dev/null; then
	OUT=$(script -qec "$BERTH --socket $SOCK exec c1 -- sh -c 'tty; exit 3'" /dev/null </dev/null) && rc=0 || rc=$?
	[ "$rc" = 3 ] || fail "exec on a terminal exited $rc: $OUT"
	[[ $OUT == *"/dev/pts/"* ]] || fail "no pty in the container: $OUT"
	OUT=$(script -qec "$BERTH --socket $SOCK exec --no-tty c1 -- sh -c 'tty || true'" /dev/null </dev/null)
	[[ $OUT == *"not a tty"* ]] || fail "--no-tty got a terminal: $OUT"
	echo "ok: --tty and --no-tty"
fi

# Usage errors and refusals.
expect_status 2 berth exec c1
expect_output "missing the command"
expect_status 2 berth exec c1 ls -l
expect_output "the command goes after --"
expect_status 2 berth exec --env NOEQUALS c1 -- true
expect_output "expected KEY=VALUE"
expect_status 1 berth exec nosuch -- true
expect_output "nosuch"
# A directory as stdin would let the command walk out of the container: refused.
expect_status 1 berth exec c1 -- true </
expect_output "the client's stdin, stdout or stderr is a directory"
api POST /1.0/servers/c1/exec '{"command":[]}' >/dev/null
[ "$STATUS" = 400 ] || fail "an empty command gave $STATUS"
api POST /1.0/servers/c1/exec '{"command":[""]}' >/dev/null
[ "$STATUS" = 400 ] || fail "an empty program name gave $STATUS"
api POST /1.0/servers/c1/exec '{"command":["true"],"cwd":"relative"}' >/dev/null
[ "$STATUS" = 400 ] || fail "a relative cwd gave $STATUS"
api POST /1.0/servers/c1/exec '{"command":["true"],"env":["=x"]}' >/dev/null
[ "$STATUS" = 400 ] || fail "a bad env gave $STATUS"

# A session nobody comes to removes its socket after 30 s.
api POST /1.0/servers/c1/exec '{"command":["true"]}' >/dev/null
[ "$STATUS" = 200 ] || fail "exec gave $STATUS: $REPLY"
XSOCK=$(jq -r .socket <<<"$REPLY")
[ -S "$XSOCK" ] || fail "no exec socket $XSOCK"
[ "$(stat -c %a "$XSOCK")" = 660 ] || fail "exec socket mode $(stat -c %a "$XSOCK")"
for _ in $(seq 40); do [ -e "$XSOCK" ] || break; sleep 1; done
[ ! -e "$XSOCK" ] || fail "the unused exec socket $XSOCK is still there after 40 s"
echo "ok: usage errors, bad requests, an unused session ends"

# A VM is refused with what to use instead; a stopped container with what to do.
expect_api 202 POST /1.0/images "{\"name\":\"vmimg\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-poweroff.bzImage\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_status 0 berth create v1 --kind vm --image vmimg --cpus 1 --memory 64M
expect_status 1 berth exec v1 -- true
expect_output "exec works on containers; v1 is a VM: use \`berth console v1\`"
expect_status 0 berth stop c1 --timeout 10
expect_status 1 berth exec c1 -- true
expect_output "server c1 is not running; start it first"
echo "ok: a VM and a stopped container are refused"
