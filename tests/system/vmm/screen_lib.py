# screen_lib.py - the tests' side of berth-vmm's screen: screendump over the API socket,
# and a PNG decoder small enough to need nothing beyond Python's standard library.
import os
import socket
import struct
import zlib


def screendump(sock_path):
    """Ask for a screendump; return (reply line, PNG bytes or None)."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sock_path)
    s.sendall(b'{"cmd":"screendump"}\n')
    msg, fds, _, _ = socket.recv_fds(s, 4096, 1)
    data = None
    if fds:
        with os.fdopen(fds[0], "rb") as f:
            data = f.read()
    s.close()
    return msg.decode(), data


def png_decode(data):
    """An 8-bit RGB PNG as (width, height, rows of bytes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError("bad CRC in " + kind.decode())
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            if depth != 8 or color != 2:
                raise ValueError("not 8-bit RGB")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), width * 3, [], bytearray(width * 3)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def lit_pixels(rows):
    """How many pixels are not black."""
    return sum(1 for r in rows for i in range(0, len(r), 3) if r[i] or r[i + 1] or r[i + 2])


class Vnc:
    """A small RFB 3.8 client: the frame as RGB rows, and key events."""

    def __init__(self, sock_path, encodings=(0, -223, -258)):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(20)
        self.s.connect(sock_path)
        version = self.recv(12)
        if version != b"RFB 003.008\n":
            raise ValueError("server version %r" % version)
        try:
            self.s.sendall(version)
        except BrokenPipeError:
            pass  # a server that refuses has said why already, and closed
        n = self.recv(1)[0]
        if n == 0:
            raise ValueError("refused: " + self.recv(struct.unpack(">I", self.recv(4))[0]).decode())
        types = self.recv(n)
        if 1 not in types:
            raise ValueError("no security type None")
        self.s.sendall(b"\x01")
        if struct.unpack(">I", self.recv(4))[0] != 0:
            raise ValueError("security failed")
        self.s.sendall(b"\x01")
        self.width, self.height = struct.unpack(">HH", self.recv(4))
        self.recv(16)
        self.name = self.recv(struct.unpack(">I", self.recv(4))[0]).decode()
        # 32 bpp, depth 24, little-endian, true colour, 255 each, shifts 16/8/0
        self.s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
        self.s.sendall(struct.pack(">BxH", 2, len(encodings)) +
                       b"".join(struct.pack(">i", e) for e in encodings))
        self.rows = [bytearray(self.width * 3) for _ in range(self.height)]
        self.ext_key = False

    def recv(self, n):
        b = b""
        while len(b) < n:
            more = self.s.recv(n - len(b))
            if not more:
                raise EOFError("the server closed the connection")
            b += more
        return b

    def request(self, incremental):
        self.s.sendall(struct.pack(">BBHHHH", 3, 1 if incremental else 0, 0, 0, self.width, self.height))

    def update(self):
        """Read one FramebufferUpdate; return the rows it covered."""
        kind = self.recv(1)[0]
        if kind != 0:
            raise ValueError("server message %d" % kind)
        self.recv(1)
        covered = 0
        for _ in range(struct.unpack(">H", self.recv(2))[0]):
            x, y, w, h, enc = struct.unpack(">HHHHi", self.recv(12))
            if enc == -223:
                self.width, self.height = w, h
                self.rows = [bytearray(w * 3) for _ in range(h)]
            elif enc == -258:
                self.ext_key = True
            elif enc == 0:
                data = self.recv(w * h * 4)
                for r in range(h):
                    row = self.rows[y + r]
                    for i in range(w):
                        b, g, rr = data[(r * w + i) * 4:(r * w + i) * 4 + 3]
                        row[(x + i) * 3:(x + i) * 3 + 3] = bytes((rr, g, b))
                covered += h
            else:
                raise ValueError("encoding %d" % enc)
        return covered

    def frame(self):
        """A whole frame: ask for all of it, read updates until every row came."""
        self.request(False)
        got = 0
        while got < self.height:
            got += self.update()
            if got < self.height:
                self.request(True)
        return self.rows

    def key(self, keysym, down, keycode=None):
        if keycode is None:
            self.s.sendall(struct.pack(">BBxxI", 4, 1 if down else 0, keysym))
        else:
            self.s.sendall(struct.pack(">BBHII", 255, 0, 1 if down else 0, keysym, keycode))
