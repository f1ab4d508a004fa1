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
