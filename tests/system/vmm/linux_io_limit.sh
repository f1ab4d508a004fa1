#!/usr/bin/env bash
# I/O limits (--disk ...,iops=N,bps=N; --net ...,bps=N) with the Debian cloud kernel, in one
# boot. The guest times its own transfers by its clock (/proc/uptime), one request at a
# time with O_DIRECT (busybox dd), and the host checks each rate against its limit:
# - vdc, no limit, first (after a warm-up): 300 reads and 300 writes of 4 KiB, to show
#   that the limits below are what hold the others back: each must be at least twice its
#   limit, else the test proves nothing (a loaded rig did 161 reads a second);
# - vda, iops=20: 100 reads and 100 writes of 4 KiB: 20 IOPS within 10 %;
# - vdb, bps=512K: 40 reads of 64 KiB (2.5 MiB): 512 KiB/s within 10 %;
#   each of these three times: no run may pass 110 % of its limit, and the best must reach
#   90 % (a limit only slows; the loaded rig, nested in an emulated CPU, now and then stops
#   for longer than a bucket's 100 ms of burst can make up, which only slows a run too);
# - eth1 on a tap without a limit, first: 3 MiB guest -> host, which must go at twice the
#   NIC's limit below at least, else the test proves nothing (busybox nc in the nested
#   guest did only 1.04 MiB/s here, which is why the limit is not 1M: at 1M the runs below
#   measured the rig, 0.75-1.0 MiB/s, not the limit);
# - eth0 on a tap, bps=256K: three times 768 KiB guest -> host (timed by the host's
#   receiver) and three times 768 KiB host -> guest (timed by the guest from its first
#   byte): no run's payload past 110 % of 256 KiB/s, the best each way at 85 % or more (the
#   limit counts whole frames, and TCP's headers take a little).
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
dd if=/dev/vdc of=/dev/null bs=4096 count=100 iflag=direct 2>/dev/null
timed vdc-read 300 dd if=/dev/vdc of=/dev/null bs=4096 count=300 iflag=direct
timed vdc-write 300 dd if=/dev/zero of=/dev/vdc bs=4096 count=300 oflag=direct
for i in 1 2 3; do
	timed vda-read 100 dd if=/dev/vda of=/dev/null bs=4096 count=100 iflag=direct
	timed vda-write 100 dd if=/dev/zero of=/dev/vda bs=4096 count=100 oflag=direct
	timed vdb-read 40 dd if=/dev/vdb of=/dev/null bs=65536 count=40 iflag=direct
done
ip addr add 192.168.79.2/24 dev eth0
ip link set eth0 up
ip addr add 192.168.80.2/24 dev eth1
ip link set eth1 up
ping -c 1 -w 20 192.168.80.1 >/dev/null &&
	head -c 3145728 /dev/zero | nc -w 30 192.168.80.1 9000 && echo "net: sent unlimited"
ping -c 1 -w 20 192.168.79.1 >/dev/null && echo "net: ping ok"
# TCP's retransmitted segments, from the guest's counters; eth0's frames sent
retrans() { awk '/^Tcp:/ { if (n++) print $13 }' /proc/net/snmp; }
frames() { cat /sys/class/net/eth0/statistics/tx_packets; }
for i in 1 2 3; do
	a=$(retrans) f=$(frames)
	head -c 786432 /dev/zero | nc -w 30 192.168.79.1 9000 && echo "net: sent $i"
	echo "net: retransmitted $(($(retrans) - a)) in $(($(frames) - f)) frames"
done
echo "net: listening"
for i in 1 2 3; do
	nc -l -p 9001 | { dd bs=1 count=1 2>/dev/null; a=$(up); n=$(wc -c); b=$(up)
		echo "net: rx bytes=$n start=$a end=$b"; }
done
GUEST
	# 600 s a try, not guest_run_inside's 300: a loaded rig took 150 s and more to boot
	rig_try maybe --timeout 600 -- "$0" --inside "$SCRATCH"
	exit
fi
guest_inside "$2"
tap=btapl$$ tap2=btapu$$ # limited, unlimited
run=$(mktemp -d /run/berth-io-limit.XXXXXX)
receiver=
cleanup() {
	ip link del "$tap" 2>/dev/null || true
	ip link del "$tap2" 2>/dev/null || true
	[ -z "$receiver" ] || kill "$receiver" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
ip tuntap add dev "$tap" mode tap
ip addr add 192.168.79.1/24 dev "$tap"
ip link set "$tap" up
ip tuntap add dev "$tap2" mode tap
ip addr add 192.168.80.1/24 dev "$tap2"
ip link set "$tap2" up
fallocate -l 64M "$run/vda.img"
fallocate -l 64M "$run/vdb.img"
fallocate -l 64M "$run/vdc.img"
# the host's receiver, for each of the guest's three connections: bytes after the first
# read, and the seconds from it to the end
PY=/usr/bin/python3 # the system's: the rig's HOME is not the one a pyenv shim wants
"$PY" - >"$run/tx" 2>&1 <<'PY' &
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 9000))  # the unlimited card's run first, then the limited one's
s.listen(1)
print("listening", flush=True)
for _ in range(4):
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
    c.close()
    print("tx bytes=%d seconds=%.3f" % (n, time.monotonic() - t0), flush=True)
PY
receiver=$!
wait_for "$run/tx" listening 1 60
"${GUEST_VMM[@]}" --disk "$run/vda.img,iops=20" --disk "$run/vdb.img,bps=512K" \
	--disk "$run/vdc.img" --net "tap=$tap,bps=256K" \
	--net "tap=$tap2" </dev/null >"$run/out" 2>&1 &
pid=$!
wait_for "$run/out" "net: listening" 1 400
"$PY" - <<'PY' || fail "could not send to the guest"
import socket, time
for _ in range(3):  # the guest listens anew after each
    for i in range(100):
        try:
            c = socket.create_connection(("192.168.79.2", 9001), timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit("the guest does not listen")
    c.sendall(b"\0" * (768 << 10))
    c.close()
PY
wait_exit "$pid" 240 "$run/out"
wait "$receiver" || true
receiver=
OUT=$(tr -d '\r\0' <"$run/out")
[ "$RC" -eq 0 ] || fail "the VMM exited $RC: $(tail -20 <<<"$OUT")"
expect_output "net: ping ok"
expect_output "net: sent 3"
expect_output "berth-kit: exit 0"
! grep -q "io: .* failed" <<<"$OUT" || fail "a transfer failed: $(grep 'io: ' <<<"$OUT")"

# rate NAME: OPS/(END-START) of each of the guest's lines "io: NAME ops=OPS start=S end=E",
# one a line
rate() {
	sed -n "s/^io: $1 ops=\([0-9]*\) start=\([0-9.]*\) end=\([0-9.]*\)$/\1 \2 \3/p" <<<"$OUT" |
		awk '{ printf "%.1f\n", $1 / ($3 - $2) }'
}
# limited NAME VALUES LIMIT [LOW]: no value past 110 % of LIMIT, the largest at LOW (0.9)
# times it or more
limited() {
	local v
	for v in $2; do within "$1" "$v" "$3" 0 1.1; done
	within "$1 (the best of: $(echo $2))" "$(tr ' ' '\n' <<<"$2" | sort -g | tail -1)" "$3" \
		"${4:-0.9}" 1.1
}
# within NAME VALUE LIMIT LOW HIGH: LOW*LIMIT <= VALUE <= HIGH*LIMIT, or fail
within() {
	awk -v v="$2" -v l="$3" -v lo="$4" -v hi="$5" 'BEGIN { exit !(v >= lo * l && v <= hi * l) }' ||
		fail "$1: $2 against a limit of $3 (want $4-$5 times it)"
}
r=$(rate vda-read) w=$(rate vda-write) b=$(rate vdb-read) ur=$(rate vdc-read) uw=$(rate vdc-write)
[ -n "$r" ] && [ -n "$w" ] && [ -n "$b" ] && [ -n "$ur" ] && [ -n "$uw" ] ||
	fail "missing figures: $(grep 'io: ' <<<"$OUT")"
awk -v r="$ur" -v w="$uw" 'BEGIN { exit !(r >= 40 && w >= 40) }' ||
	fail "the unlimited disk did only $ur reads and $uw writes a second: too slow here to show a limit of 20"
r=$(echo $r) w=$(echo $w) bkib=$(awk '{ printf "%.1f ", $1 * 64 }' <<<"$b")
limited "vda reads (IOPS)" "$r" 20
limited "vda writes (IOPS)" "$w" 20
limited "vdb reads (KiB/s)" "$bkib" 512
echo "ok: iops=20: reads $r IOPS, writes $w IOPS; bps=512K: $bkib KiB/s; no limit: $ur reads, $uw writes a second"

expect_output "net: sent unlimited"
all=$(sed -n 's/^tx bytes=\([0-9]*\) seconds=\([0-9.]*\)$/\1 \2/p' "$run/tx" |
	awk '{ printf "%.1f ", $1 / $2 / 1024 }')
[ "$(wc -w <<<"$all")" -eq 4 ] || fail "the host's receiver: $(cat "$run/tx")"
read -r utx tx <<<"$all"
rx=$(sed -n 's/^net: rx bytes=\([0-9]*\) start=\([0-9.]*\) end=\([0-9.]*\)$/\1 \2 \3/p' <<<"$OUT" |
	awk '{ printf "%.1f ", $1 / ($3 - $2) / 1024 }')
[ "$(wc -w <<<"$rx")" -eq 3 ] || fail "the guest's receiver: $(grep 'net: ' <<<"$OUT")"
rt=$(sed -n 's/^net: retransmitted //p' <<<"$OUT")
awk -v u="$utx" 'BEGIN { exit !(u >= 512) }' ||
	fail "the unlimited card sent only $utx KiB/s: too slow here to show a limit of 256 KiB/s"
limited "guest->host (KiB/s; segments sent again: $(echo $rt))" "$tx" 256 0.85
limited "host->guest (KiB/s)" "$rx" 256 0.85
echo "ok: bps=256K on the NIC: guest->host $(echo $tx) KiB/s (segments sent again: $(echo $rt)), host->guest $(echo $rx) KiB/s; no limit: $utx KiB/s guest->host"
