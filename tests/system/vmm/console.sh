#!/usr/bin/env bash
# Console modes: file and none; on a terminal, raw mode, Ctrl-A x quits, and the terminal
# settings are restored afterwards.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
need_kvm
scratch

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --console "file=$SCRATCH/console.log"
grep -q "hello from tiny" "$SCRATCH/console.log" || fail "console file lacks guest output"
[ -z "$OUT" ] || fail "file console still printed: $OUT"
expect_status 0 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --console none
[ -z "$OUT" ] || fail "console none printed: $OUT"

# Guest input arrives through a pipe as well (no terminal: no escape key).
expect_status 0 sh -c "printf 'abc' | '$VMM' --kernel '$GUESTS/tiny-hello.bzImage'"

python3 - "$VMM" "$GUESTS/tiny-spin.bzImage" <<'PY'
import os, pty, sys, termios, time, select
vmm, kernel = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(vmm, [vmm, "--kernel", kernel])
before = termios.tcgetattr(fd)
time.sleep(0.5)
during = termios.tcgetattr(fd)
assert not (during[3] & termios.ICANON), "terminal not in raw mode while the VM runs"
os.write(fd, b"\x01x")
deadline = time.time() + 10
while time.time() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            os.read(fd, 1024)
        except OSError:
            pass
else:
    os.kill(pid, 9)
    sys.exit("Ctrl-A x did not stop the VM")
assert os.waitstatus_to_exitcode(status) == 0, status
after = termios.tcgetattr(fd)
assert after == before, "terminal settings not restored"
print("ok: Ctrl-A x quit and the terminal was restored")
PY
