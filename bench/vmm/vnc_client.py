# vnc_client.py - bench/vmm/vnc's measurement, run beside a VMM whose guest redraws its
# screen (bench/vmm/vncdraw.c):
#
#   python3 vnc_client.py VNC_SOCKET VMM_PID CONSOLE_FILE SECONDS
#   -> "vncbench: idle cpu=% host=% guest_fps=N client cpu=% host=% guest_fps=N updates=N mib=N screens=N"
#
# First SECONDS with no client connected, then SECONDS with one (the tests' RFB client,
# tests/system/vmm/screen_lib.py, raw encoding) that asks for an incremental update as soon as
# the last one came and counts FramebufferUpdates and pixel bytes per second (the pixels are
# read and dropped, never converted: the client must cost the shared CPUs little), and whole
# screens per second: how often the row seen least often came (every row of the screen
# changes each frame, so a row left behind shows here). Over each
# window the VMM's CPU time from /proc/PID/stat as % of one CPU: "cpu" is utime + stime (the
# vCPU's guest time included), "host" leaves the guest time out (what the VMM itself spends:
# VNC, exits, its loop); guest_fps is the frames the guest drew a second (its console lines).
import os
import re
import socket
import struct
import sys
import time

from screen_lib import Vnc

TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    """(utime + stime, guest_time) of PID in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    # rest[0] is field 3 (state): utime 14, stime 15, guest_time 43
    return (int(rest[11]) + int(rest[12])) / TICK, int(rest[40]) / TICK


def guest_frames(console):
    """The guest's last "vncdraw: frames=N usec=N" as (frames, seconds)."""
    with open(console, errors="replace") as f:
        m = re.findall(r"vncdraw: frames=(\d+) usec=(\d+)", f.read())
    return (int(m[-1][0]), int(m[-1][1]) / 1e6) if m else (0, 0.0)


class Window:
    """The VMM's CPU and the guest's frames over a stretch of wall time."""

    def __init__(self, pid, console):
        self.pid, self.console = pid, console
        self.t0, (self.c0, self.g0), self.f0 = time.monotonic(), cpu(pid), guest_frames(console)

    def close(self):
        t, (c, g), f = time.monotonic(), cpu(self.pid), guest_frames(self.console)
        self.secs = t - self.t0
        guest_secs = f[1] - self.f0[1]
        return "cpu=%.1f host=%.1f guest_fps=%.2f" % (
            100 * (c - self.c0) / self.secs,
            # the clock ticks of utime and guest_time do not always land alike: never below 0
            max(0.0, 100 * ((c - g) - (self.c0 - self.g0)) / self.secs),
            (f[0] - self.f0[0]) / guest_secs if guest_secs > 0 else 0)


class CountingVnc(Vnc):
    """screen_lib's client, reading updates without converting their pixels."""

    def skip(self, n):
        buf = memoryview(self.scratch)
        while n:
            got = self.s.recv_into(buf, min(n, len(buf)))
            if not got:
                raise EOFError("the server closed the connection")
            n -= got

    def count_update(self):
        """Read one FramebufferUpdate; return the pixel bytes it carried."""
        kind, _, n = struct.unpack(">BBH", self.recv(4))
        if kind != 0:
            raise ValueError("server message %d" % kind)
        total = 0
        for _ in range(n):
            x, y, w, h, enc = struct.unpack(">HHHHi", self.recv(12))
            if enc == -223:
                self.width, self.height = w, h
            elif enc == 0:
                self.skip(w * h * 4)
                total += w * h * 4
                for r in range(y, min(y + h, len(self.seen))):
                    self.seen[r] += 1
            elif enc != -258:
                raise ValueError("encoding %d" % enc)
        return total


def main():
    path, pid, console, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    idle = Window(pid, console)
    time.sleep(secs)
    idle_line = idle.close()

    v = CountingVnc(path, encodings=(0, -223))
    v.scratch = bytearray(1 << 20)
    v.seen = [0] * v.height  # updates that carried each row
    v.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    # The first, whole frame is not counted: the window starts once it is in.
    v.request(False)
    v.count_update()
    updates = pixels = 0
    v.seen = [0] * v.height
    busy = Window(pid, console)
    end = busy.t0 + secs
    while time.monotonic() < end:
        v.request(True)
        pixels += v.count_update()
        updates += 1
    busy_line = busy.close()
    print("vncbench: idle %s client %s updates=%.2f mib=%.3f screens=%.2f" % (
        idle_line, busy_line, updates / busy.secs, pixels / busy.secs / (1 << 20),
        min(v.seen) / busy.secs))


main()
