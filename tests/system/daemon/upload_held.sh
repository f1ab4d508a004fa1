#!/usr/bin/env bash
# upload_held.sh - an upload that berthd itself holds back is not cut by the body-rate
# deadline: a 2 MB archive expanding to a 2 GiB disk arrives at once, but tar takes it only
# as fast as it writes, and berthd, never blocking its polling thread, suspends the
# connection meanwhile; with http_body_rate at 1 GiB/s (the 2 MB would be cut after about a
# second were the clock running while berthd waits) it is imported whole, and the API
# answers while it is held. A client slower than the rate is still cut.
# timeout: 300
. "$(dirname "$0")/lib/daemon.bash"
need_root
command -v python3 >/dev/null || skip "needs python3 (to build the gzip archive)"
[ -f "$GUESTS/tiny-echo.bzImage" ] || skip "needs the test guests (make)"

printf 'http_body_rate = 1073741824\nimage_max_size = 8G\nhost_reserve_disk = 64M\n' \
	>"$SCRATCH/berthd.conf"
start_berthd

# kernel, then disk.img: 2 GiB of zeros as 1 MiB gzip members (tar writes them, no holes).
python3 - "$SCRATCH/held.tar.gz" "$GUESTS/tiny-echo.bzImage" <<'PY'
import sys, tarfile, zlib
def gz(data):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()
kernel = open(sys.argv[2], "rb").read()
ti = tarfile.TarInfo("kernel")
ti.size = len(kernel)
head = ti.tobuf(format=tarfile.USTAR_FORMAT) + kernel + b"\0" * (-len(kernel) % 512)
ti = tarfile.TarInfo("disk.img")
ti.size = 2048 << 20
head += ti.tobuf(format=tarfile.USTAR_FORMAT)
total = len(head) + (2048 << 20) + 1024
one = gz(b"\0" * (1 << 20))
with open(sys.argv[1], "wb") as f:
    f.write(gz(head))
    for _ in range(2048):
        f.write(one)
    f.write(gz(b"\0" * (1024 + (-total % (128 << 10))))) # end of archive, whole records
PY

curl -s --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' \
	--data-binary @"$SCRATCH/held.tar.gz" -w '\n%{http_code}' \
	"http://berthd/1.0/images?name=held&kind=vm" >"$SCRATCH/held.out" &
CURL=$!
# While it is held, the others are served.
wait_until 30 eval "[ -e '$STATE/images/held.tmp/disk.img' ]" || fail "the upload did not start"
api GET /1.0/images >/dev/null
[ "$STATUS" = 200 ] || fail "GET /1.0/images while an upload is held: $STATUS $REPLY"
wait "$CURL" || fail "curl failed: $(cat "$SCRATCH/held.out")"
out=$(cat "$SCRATCH/held.out")
[ "${out##*$'\n'}" = 201 ] || fail "the held upload was not imported: $out; $(tail -5 "$SCRATCH/berthd.log")"
[ "$(stat -c %s "$STATE/images/held/disk.img")" = $((2048 << 20)) ] || fail "disk.img is not whole"
echo "ok: a 2 MB upload that berthd held while tar wrote 2 GiB was not cut at 1 GiB/s"

# A client that is slow itself is cut all the same.
python3 - "$SOCK" <<'PY' || fail "a slow upload was not cut"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /1.0/images?name=slow&kind=vm HTTP/1.1\r\nHost: x\r\n"
          b"Content-Type: application/x-tar\r\nContent-Length: 100000000\r\n\r\n")
try:
    for _ in range(100):
        s.sendall(b"\0" * 1024)
        time.sleep(0.1)
except OSError:
    sys.exit(0)
sys.exit(1)
PY
wait_until 10 eval "[ ! -e '$STATE/images/slow.tmp' ]" || fail "the cut upload left files"
echo "ok: an upload slower than http_body_rate is cut and leaves nothing"
