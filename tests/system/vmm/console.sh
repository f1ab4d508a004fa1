#!/usr/bin/env bash
# Console modes: file and none; on a terminal, raw mode, Ctrl-A x quits, and the terminal
# settings are restored afterwards, however berth-vmm ends.
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

# On a terminal: raw mode while the VM runs, and the settings back afterwards, whether
# Ctrl-A x quits, SIGTERM (through the VMM's signalfd) presses the power button twice, or a
# signal whose default action kills the process (here SIGUSR2, SIGALRM and a real-time one)
# ends it: then berth-vmm dies of that same signal.
python3 - "$VMM" "$GUESTS/tiny-spin.bzImage" <<'PY'
import os, pty, select, signal, sys, termios, time
vmm, kernel = sys.argv[1], sys.argv[2]

def drain(fd):
    """What the VMM printed within 0.1 s."""
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            return os.read(fd, 1024)
        except OSError:
            pass
    return b""

def start():
    """berth-vmm on a new pty; returns (pid, fd, settings before) once it is in raw mode."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(vmm, [vmm, "--kernel", kernel])
    before = termios.tcgetattr(fd)
    deadline = time.time() + 10
    while termios.tcgetattr(fd)[3] & termios.ICANON:
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            sys.exit("terminal not in raw mode while the VM runs")
        drain(fd)
    return pid, fd, before

def finish(pid, fd, before, how):
    deadline = time.time() + 10
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        drain(fd)
    else:
        os.kill(pid, signal.SIGKILL)
        sys.exit(f"{how} did not stop the VM")
    after = termios.tcgetattr(fd)
    os.close(fd)
    assert after == before, f"terminal settings not restored after {how}"
    return status

pid, fd, before = start()
os.write(fd, b"\x01x")
status = finish(pid, fd, before, "Ctrl-A x")
assert os.waitstatus_to_exitcode(status) == 0, status
print("ok: Ctrl-A x quit and the terminal was restored")

pid, fd, before = start()
os.kill(pid, signal.SIGTERM)  # presses the power button; the spinning guest ignores it
out, deadline = b"", time.time() + 10
while b"power button" not in out:  # taken: a second SIGTERM now is not merged into it
    if time.time() > deadline:
        os.kill(pid, signal.SIGKILL)
        sys.exit(f"no power-button line after SIGTERM: {out!r}")
    out += drain(fd)
assert os.waitpid(pid, os.WNOHANG)[0] == 0, "one SIGTERM stopped the VM"
os.kill(pid, signal.SIGTERM)
status = finish(pid, fd, before, "two SIGTERMs")
assert os.waitstatus_to_exitcode(status) == 143, status
print("ok: SIGTERM still goes through the signalfd, and the terminal was restored")

for sig in (signal.SIGUSR2, signal.SIGALRM, signal.SIGRTMIN + 5):
    pid, fd, before = start()
    os.kill(pid, sig)
    status = finish(pid, fd, before, f"signal {sig}")
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig, \
        f"expected death by signal {sig}, got status {status:#x}"
    print(f"ok: signal {int(sig)} restored the terminal and killed berth-vmm with it")
PY
