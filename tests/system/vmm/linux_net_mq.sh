#!/usr/bin/env bash
# virtio-net multiqueue: a 2-vCPU Linux guest on a multi-queue tap (ip tuntap ... multi_queue)
# sees two queue pairs (rx-1 and tx-1 under /sys/class/net/eth0/queues, an MSI-X vector for
# each rx queue) and pings the host's 192.168.79.1; on the host, berth-vmm holds one tap fd
# per pair, serves each pair on a thread of its own (net0-pair0, net0-pair1, each under a
# seccomp filter) and the tap has both queues attached (after the guest's VQ_PAIRS_SET).
# The tap is removed afterwards.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
ip addr add 192.168.79.2/24 dev eth0
ip link set eth0 up
echo "net: queues $(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
echo "net: rx vectors $(grep -c 'virtio[0-9]*-input\.' /proc/interrupts)"
ping -c 3 -w 20 192.168.79.1 >/dev/null && echo "net: ping ok"
echo "net: ready"
sleep 5
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
tap=bmq$$
out=$(mktemp /run/berth-net-mq.XXXXXX)
pid=
cleanup() {
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
	ip link del "$tap" 2>/dev/null || true
	rm -f "$out"
}
trap cleanup EXIT
ip tuntap add dev "$tap" mode tap multi_queue
ip addr add 192.168.79.1/24 dev "$tap"
ip link set "$tap" up
"${GUEST_VMM[@]}" --cpus 2 --net "tap=$tap,mac=52:54:00:be:27:02" </dev/null >"$out" 2>&1 &
pid=$!
wait_for "$out" "net: ready" 1 200
fds=$(find "/proc/$pid/fd" -lname /dev/net/tun | wc -l)
[ "$fds" -eq 2 ] || fail "berth-vmm holds $fds tap fds, not 2"
# a thread per pair, each under a seccomp filter
threads=0
for t in /proc/$pid/task/*; do
	case $(cat "$t/comm") in
	net0-pair[01])
		threads=$((threads + 1))
		grep -q '^Seccomp:[[:space:]]*2' "$t/status" || fail "thread $(cat "$t/comm") has no seccomp filter"
		;;
	esac
done
[ "$threads" -eq 2 ] || fail "berth-vmm has $threads pair threads, not 2"
host_queues=$(ls "/sys/class/net/$tap/queues" | tr '\n' ' ')
case " $host_queues " in
*" rx-1 "*" tx-1 "*) ;;
*) fail "tap $tap has queues '$host_queues': the second is not attached" ;;
esac
wait_exit "$pid" 120 "$out"
pid=
OUT=$(tr -d '\r' <"$out")
[ "$RC" -eq 0 ] || fail "exit $RC: $(tail -20 <<<"$OUT")"
expect_output "net: queues rx-0 rx-1 tx-0 tx-1"
expect_output "net: rx vectors 2"
expect_output "net: ping ok"
expect_output "berth-kit: exit 0"
echo "ok: 2 queue pairs in the guest, 2 tap queues and 2 pair threads on the host ($host_queues), ping over $tap"
