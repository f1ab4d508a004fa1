#!/usr/bin/python3
# console-recv.py SOCKET OUT [INPUT] - the receiving end of an OCI --console-socket:
# takes the pty master berth-ct sends, types INPUT into it, copies what the container
# writes to OUT until the terminal closes. Touches SOCKET.ready once listening.
import os
import select
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
typed = sys.argv[3].encode() if len(sys.argv) > 3 else b""
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
open(path + ".ready", "w").close()
conn, _ = srv.accept()
_, fds, _, _ = socket.recv_fds(conn, 1024, 1)
master = fds[0]
if typed:
    os.write(master, typed)
with open(out, "wb") as f:
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        f.write(data)
        f.flush()
