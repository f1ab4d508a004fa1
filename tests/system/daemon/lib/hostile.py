#!/usr/bin/env python3
"""hostile.py - clients of berthd's API socket that misbehave, for the tests of its limits
(tests/system/daemon/deadlines.sh, events_vanish.sh, flood.sh). Each mode prints one line of
JSON with what it saw.

  hostile.py idle SOCK                  connect, send nothing: seconds until berthd closes
  hostile.py headers SOCK INTERVAL      a request line, then a header byte each INTERVAL s:
                                        seconds from the first byte until berthd closes
  hostile.py body SOCK RATE LENGTH      headers of a POST with Content-Length LENGTH, then the
                                        body at RATE bytes/s: reply status (or none) and seconds
  hostile.py events SOCK N              N event streams, each closed once its headers came
  hostile.py flood SOCK N SECONDS       N idle, N slowloris (a byte each 5 s) and N vanishing
                                        event streams tried, each held SECONDS at most
  hostile.py probe SECONDS LIMIT_MS CMD...  CMD each 250 ms for SECONDS: its worst time, the
                                        probes slower than LIMIT_MS or failing
"""
import json
import os
import select
import socket
import subprocess
import sys
import time


def connect(path, block=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(block)
    try:
        s.connect(path)
    except (BlockingIOError, InterruptedError):
        pass
    return s


def readable(s, timeout):
    """Has s something to read (or its end) within timeout seconds? (poll: fds past 1024)"""
    p = select.poll()
    p.register(s, select.POLLIN)
    return bool(p.poll(timeout * 1000))


def closed_within(s, limit):
    """Seconds until the peer closes s (reading whatever comes), or None after limit."""
    start = time.monotonic()
    s.setblocking(False)
    while time.monotonic() - start < limit:
        if readable(s, 0.05):
            try:
                if not s.recv(65536):
                    return time.monotonic() - start
            except ConnectionResetError:
                return time.monotonic() - start
    return None


def idle(path):
    s = connect(path)
    print(json.dumps({"closed_after": closed_within(s, 120)}))


def headers(path, interval):
    s = connect(path)
    s.sendall(b"GET /1.0 HTTP/1.1\r\n")
    start = time.monotonic()
    s.setblocking(False)
    text = b"X-Slow: " + b"a" * 10000
    for b in text:
        try:
            s.send(bytes([b]))
        except (BrokenPipeError, ConnectionResetError):
            break
        got = closed_within(s, interval)
        if got is not None:
            break
    print(json.dumps({"closed_after": time.monotonic() - start}))


def body(path, rate, length):
    s = connect(path)
    s.sendall(b"POST /1.0/servers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % length)
    start = time.monotonic()
    data = b"{\"name\":\"" + b"x" * max(length - 11, 0) + b"\"}"
    data = data[:length]
    sent, step = 0, max(rate // 10, 1)
    reply = b""
    s.settimeout(0.1)
    while time.monotonic() - start < 120:
        want = min(length, int((time.monotonic() - start) * rate) + step)
        try:
            if sent < want:
                sent += s.send(data[sent:want])
        except (BrokenPipeError, ConnectionResetError):
            break
        try:
            got = s.recv(65536)
            if not got:
                break
            reply += got
        except socket.timeout:
            pass
        except ConnectionResetError:
            break
    status = int(reply.split(b" ")[1]) if reply.startswith(b"HTTP/1.1 ") else None
    print(json.dumps({"status": status, "after": time.monotonic() - start, "sent": sent}))


def open_events(path):
    s = connect(path)
    s.sendall(b"GET /1.0/events HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(10)
    head = s.recv(4096)
    return s, head.startswith(b"HTTP/1.1 200")


def events(path, n):
    served = 0
    for _ in range(n):
        s, ok = open_events(path)
        served += ok
        s.close()
    print(json.dumps({"served": served}))


def flood(path, n, seconds):
    """Open as many as berthd takes; what it refuses is closed at once and counted."""
    start = time.monotonic()
    idle_socks, slow_socks = [], []
    tried = {"idle": 0, "slowloris": 0, "events": 0}
    held = {"idle": 0, "slowloris": 0, "events": 0}
    next_byte = time.monotonic()
    request = b"GET /1.0/servers HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100000
    while time.monotonic() - start < seconds:
        if tried["idle"] < n:
            idle_socks.append(connect(path, False))
            tried["idle"] += 1
        if tried["slowloris"] < n:
            s = connect(path, False)
            slow_socks.append([s, 0])
            tried["slowloris"] += 1
        if tried["events"] < n:
            tried["events"] += 1
            try:
                s = connect(path, False)
                s.send(b"GET /1.0/events HTTP/1.1\r\nHost: x\r\n\r\n")
                if readable(s, 0.02) and s.recv(4096).startswith(b"HTTP/1.1 200"):
                    held["events"] += 1
                s.close()  # the client vanishes
            except OSError:
                pass
        if time.monotonic() >= next_byte:
            next_byte = time.monotonic() + 5
            for entry in slow_socks:
                try:
                    entry[0].send(request[entry[1]:entry[1] + 1])
                    entry[1] += 1
                except OSError:
                    pass
        if all(tried[k] >= n for k in tried):
            time.sleep(0.05)
    # Those berthd kept are still open (it closed the refused ones).
    for s in idle_socks:
        held["idle"] += not readable(s, 0)
    for s, _ in slow_socks:
        held["slowloris"] += not readable(s, 0)
    print(json.dumps({"tried": tried, "held_at_end": held}))
    sys.stdout.flush()
    for s in idle_socks:
        s.close()
    for s, _ in slow_socks:
        s.close()


def probe(seconds, limit_ms, cmd):
    start = time.monotonic()
    worst, slow, failed, count = 0.0, 0, 0, 0
    while time.monotonic() - start < seconds:
        t = time.monotonic()
        rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        ms = (time.monotonic() - t) * 1000
        count += 1
        worst = max(worst, ms)
        slow += ms > limit_ms
        failed += rc != 0
        time.sleep(max(0.0, 0.25 - (time.monotonic() - t)))
    print(json.dumps({"probes": count, "worst_ms": round(worst, 1), "slow": slow,
                      "failed": failed}))


def main(argv):
    mode = argv[1]
    if mode == "idle":
        idle(argv[2])
    elif mode == "headers":
        headers(argv[2], float(argv[3]))
    elif mode == "body":
        body(argv[2], int(argv[3]), int(argv[4]))
    elif mode == "events":
        events(argv[2], int(argv[3]))
    elif mode == "flood":
        flood(argv[2], int(argv[3]), float(argv[4]))
    elif mode == "probe":
        probe(float(argv[2]), float(argv[3]), argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
