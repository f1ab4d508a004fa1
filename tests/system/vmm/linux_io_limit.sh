#!/usr/bin/env bash
# I/O limits (--disk ...,iops=N,bps=N; --net ...,bps=N) with the Debian cloud kernel, in one
# boot. The guest times its own transfers by its clock (/proc/uptime), one request at a
# time with O_DIRECT (busybox dd), and the host checks each rate against its limit:
# - vda, iops=200: 600 reads and 600 writes of 4 KiB: 200 IOPS within 10 %;
# - vdb, bps=2M: 96 reads of 64 KiB (6 MiB): 2 MiB/s within 10 %;
# - vdc, no limit: 600 reads of 4 KiB, to show the limit is what held the others back
#   (reported; its rate must be well above 200 IOPS, else the test proves nothing);
# - eth0 on a tap, bps=1M: 3 MiB guest -> host (timed by the host's receiver) and
#   3 MiB host -> guest (timed by the guest from its first byte): the payload at 85-110 %
#   of 1 MiB/s each way (the limit counts whole frames; TCP's headers take a little).
# timeout: 1900
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
up() { cut -d' ' -f1 /proc/uptime; }
# timed NAME OPS COMMAND...: run COMMAND, print its span by the guest's clock
timed() {
	local name=$1 ops=$2 a b
	shift 2
	a=$(up)
	"$@" 2>/dev/null || echo "io: $name failed"
	b=$(up)
	echo "io: $name ops=$ops start=$a end=$b"
}
timed vda-read 600 dd if=/dev/vda of=/dev/null bs=4096 count=600 iflag=direct
timed vda-write 600 dd if=/dev/zero of=/dev/vda bs=4096 count=600 oflag=direct
timed vdb-read 96 dd if=/dev/vdb of=/dev/null bs=65536 count=96 iflag=direct
timed vdc-read 600 dd if=/dev/vdc of=/dev/null bs=4096 count=600 iflag=direct
ip addr add 192.168.79.2/24 dev eth0
ip link set eth0 up
ping -c 1 -w 20 192.168.79.1 >/dev/null && echo "net: ping ok"
head -c 3145728 /dev/zero | nc -w 30 192.168.79.1 9000 && echo "net: sent"
echo "net: listening"
nc -l -p 9001 | { dd bs=1 count=1 2>/dev/null; a=$(up); n=$(wc -c); b=$(up)
	echo "net: rx bytes=$n start=$a end=$b"; }
GUEST
	# 600 s a try, not guest_run_inside's 300: a loaded rig took 150 s and more to boot
	rig_try maybe --timeout 600 -- "$0" --inside "$SCRATCH"
	exit
fi
guest_inside "$2"
tap=btapl$$
run=$(mktemp -d /run/berth-io-limit.XXXXXX)
receiver=
cleanup() {
	ip link del "$tap" 2>/dev/null || true
	[ -z "$receiver" ] || kill "$receiver" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
ip tuntap add dev "$tap" mode tap
ip addr add 192.168.79.1/24 dev "$tap"
ip link set "$tap" up
truncate -s 64M "$run/vda.img"
fallocate -l 64M "$run/vdb.img"
fallocate -l 64M "$run/vdc.img"
# the host's receiver: bytes after the first read, and the seconds from it to the end
python3 - >"$run/tx" 2>&1 <<'PY' &
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.79.1", 9000))
s.listen(1)
c, _ = s.accept()
n, t0 = 0, None
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    if t0 is None:
        t0 = time.monotonic()
    else:
        n += len(b)
print("tx bytes=%d seconds=%.3f" % (n, time.monotonic() - t0))
PY
receiver=$!
"${GUEST_VMM[@]}" --disk "$run/vda.img,iops=200" --disk "$run/vdb.img,bps=2M" \
	--disk "$run/vdc.img" --net "tap=$tap,bps=1M" </dev/null >"$run/out" 2>&1 &
pid=$!
wait_for "$run/out" "net: listening" 1 400
python3 - <<'PY' || fail "could not send to the guest"
import socket, time
for i in range(100):
    try:
        c = socket.create_connection(("192.168.79.2", 9001), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
c.sendall(b"\0" * (3 << 20))
c.close()
PY
wait_exit "$pid" 240 "$run/out"
wait "$receiver" || true
receiver=
OUT=$(tr -d '\r' <"$run/out")
[ "$RC" -eq 0 ] || fail "the VMM exited $RC: $(tail -20 <<<"$OUT")"
expect_output "net: ping ok"
expect_output "net: sent"
expect_output "berth-kit: exit 0"
! grep -q "io: .* failed" <<<"$OUT" || fail "a transfer failed: $(grep 'io: ' <<<"$OUT")"

# rate NAME: OPS/(END-START) of the guest's line "io: NAME ops=OPS start=START end=END"
rate() {
	sed -n "s/^io: $1 ops=\([0-9]*\) start=\([0-9.]*\) end=\([0-9.]*\)$/\1 \2 \3/p" <<<"$OUT" |
		awk '{ printf "%.1f", $1 / ($3 - $2) }'
}
# within NAME VALUE LIMIT LOW HIGH: LOW*LIMIT <= VALUE <= HIGH*LIMIT, or fail
within() {
	awk -v v="$2" -v l="$3" -v lo="$4" -v hi="$5" 'BEGIN { exit !(v >= lo * l && v <= hi * l) }' ||
		fail "$1: $2 against a limit of $3 (want $4-$5 times it)"
}
r=$(rate vda-read) w=$(rate vda-write) b=$(rate vdb-read) u=$(rate vdc-read)
[ -n "$r" ] && [ -n "$w" ] && [ -n "$b" ] && [ -n "$u" ] || fail "missing figures: $(grep 'io: ' <<<"$OUT")"
within "vda reads (IOPS)" "$r" 200 0.9 1.1
within "vda writes (IOPS)" "$w" 200 0.9 1.1
bmib=$(awk -v b="$b" 'BEGIN { printf "%.2f", b * 65536 / 1048576 }')
within "vdb reads (MiB/s)" "$bmib" 2 0.9 1.1
awk -v u="$u" 'BEGIN { exit !(u >= 400) }' ||
	fail "the unlimited disk did only $u IOPS: too slow here to show a limit of 200"
echo "ok: iops=200: reads $r IOPS, writes $w IOPS; bps=2M: $bmib MiB/s; no limit: $u IOPS"

tx=$(sed -n 's/^tx bytes=\([0-9]*\) seconds=\([0-9.]*\)$/\1 \2/p' "$run/tx" |
	awk '{ printf "%.3f", $1 / $2 / 1048576 }')
rx=$(sed -n 's/^net: rx bytes=\([0-9]*\) start=\([0-9.]*\) end=\([0-9.]*\)$/\1 \2 \3/p' <<<"$OUT" |
	awk '{ printf "%.3f", $1 / ($3 - $2) / 1048576 }')
[ -n "$tx" ] || fail "the host's receiver: $(cat "$run/tx")"
[ -n "$rx" ] || fail "the guest's receiver: $(grep 'net: ' <<<"$OUT")"
within "guest->host (MiB/s)" "$tx" 1 0.85 1.1
within "host->guest (MiB/s)" "$rx" 1 0.85 1.1
echo "ok: bps=1M on the NIC: guest->host $tx MiB/s, host->guest $rx MiB/s"
