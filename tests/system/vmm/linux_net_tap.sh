#!/usr/bin/env bash
# virtio-net on a tap device (--net tap=IFNAME,mac=...): the test makes a tap with
# 192.168.77.1/24 where the VMM runs, the guest takes 192.168.77.2, pings the host and sends
# it a line over TCP. The tap is removed afterwards. TEST_VMM=qemu runs the same guest
# under QEMU.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/devices.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
echo "net: mac=$(cat /sys/class/net/eth0/address)"
ip addr add 192.168.77.2/24 dev eth0
ip link set eth0 up
ping -c 3 -w 20 192.168.77.1 >/dev/null && echo "net: ping ok"
echo "guest-line over tap" | nc -w 10 192.168.77.1 9000 && echo "net: sent"
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
tap=btap$$
run=$(mktemp -d /run/berth-net-tap.XXXXXX)
listener=
cleanup() {
	ip link del "$tap" 2>/dev/null || true
	[ -z "$listener" ] || kill "$listener" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
ip tuntap add dev "$tap" mode tap
ip addr add 192.168.77.1/24 dev "$tap"
ip link set "$tap" up
busybox nc -l -p 9000 >"$run/received" &
listener=$!
vmm_cmd --net "tap=$tap,mac=52:54:00:be:27:01"
expect_status 0 timeout 240 "${VMM_CMD[@]}" </dev/null
OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
expect_output "net: mac=52:54:00:be:27:01"
expect_output "net: ping ok"
expect_output "net: sent"
expect_output "berth-kit: exit 0"
grep -q "guest-line over tap" "$run/received" || fail "the host got '$(cat "$run/received")'"
echo "ok: ping and TCP from 192.168.77.2 to the host over $tap"
