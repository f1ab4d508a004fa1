"""ws_client.py - a WebSocket client for berthd's console routes, by hand (RFC 6455), so the
tests see the bytes: over berthd's Unix socket or its HTTPS listener.

ws_client.py unix SOCK PATH [SEND...]   or   ws_client.py https HOST:PORT PATH [SEND...]
[--protocol P] [--expect TEXT]: handshake on PATH (its query may hold ?token=), then send
each SEND as a masked text frame, read frames until TEXT appears in the console's bytes.
Prints the response's status line first; exits 0 when TEXT was seen (or no TEXT given and
the handshake was 101), 1 when the handshake was refused, 2 when TEXT never came.
"""
import base64, os, socket, ssl, struct, sys, time

def connect(kind, where):
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX)
        s.connect(where)
        return s, "localhost"
    host, port = where.rsplit(":", 1)
    raw = socket.create_connection((host, int(port)), timeout=30)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx.wrap_socket(raw), host

def frame(payload, opcode=1):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

def main():
    args = sys.argv[1:]
    protocol = expect = None
    if "--protocol" in args:
        i = args.index("--protocol"); protocol = args[i + 1]; del args[i:i + 2]
    if "--expect" in args:
        i = args.index("--expect"); expect = args[i + 1]; del args[i:i + 2]
    kind, where, path, sends = args[0], args[1], args[2], args[3:]
    s, host = connect(kind, where)
    s.settimeout(30)
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
    if protocol:
        req += f"Sec-WebSocket-Protocol: {protocol}\r\n"
    s.sendall((req + "\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        got = s.recv(4096)
        if not got:
            break
        buf += got
    head, _, buf = buf.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    print(status, flush=True)
    if " 101 " not in status + " ":
        print(buf.decode(errors="replace"), flush=True)
        return 1
    for msg in sends:
        s.sendall(frame(msg.encode().decode("unicode_escape").encode()))
    if not expect:
        s.sendall(frame(b"\x03\xe8", 8))
        return 0
    seen = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        while len(buf) < 2 or len(buf) < 2 + (buf[1] & 0x7f if buf[1] & 0x7f < 126 else 0):
            got = s.recv(65536)
            if not got:
                print("closed; saw:", seen[-500:], flush=True)
                return 2
            buf += got
        n = buf[1] & 0x7f
        off = 2
        if n == 126:
            n = struct.unpack(">H", buf[2:4])[0]; off = 4
        elif n == 127:
            n = struct.unpack(">Q", buf[2:10])[0]; off = 10
        while len(buf) < off + n:
            got = s.recv(65536)
            if not got:
                return 2
            buf += got
        op, payload, buf = buf[0] & 0x0f, buf[off:off + n], buf[off + n:]
        if op == 8:
            print("closed by berthd; saw:", seen[-500:], flush=True)
            return 2
        seen += payload
        if expect.encode() in seen:
            s.sendall(frame(b"\x03\xe8", 8))
            print("saw", expect, flush=True)
            return 0
    print("timed out; saw:", seen[-500:], flush=True)
    return 2

sys.exit(main())
