#!/usr/bin/env bash
# virtio-net with user-mode networking (--net user,hostfwd=...): the guest's DHCP client gets
# the slirp default 10.0.2.15, and a TCP server in the guest answers the host through the
# forwarded port on 127.0.0.1. TEST_VMM=qemu runs the same guest under QEMU.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/devices.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
# udhcpc only reports a lease; this script applies it.
cat >/run/dhcp.sh <<'EOF'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/${mask:-24}" dev "$interface"
[ -z "$router" ] || ip route add default via "$router"
EOF
printf '#!/bin/sh\necho "guest-reply from $(hostname)"\n' >/run/reply.sh
chmod 755 /run/dhcp.sh /run/reply.sh
ip link set eth0 up
udhcpc -i eth0 -n -q -t 5 -s /run/dhcp.sh >/dev/null 2>&1 || echo "net: no DHCP lease"
echo "net: ip=$(ip -4 -o addr show eth0 | awk '{print $4}')"
nc -l -p 8080 -e /run/reply.sh &
sleep 1
echo "net: listening"
wait
echo "net: served"
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
out=$(mktemp /run/berth-net-user.XXXXXX)
trap 'rm -f "$out"' EXIT
port=$((20000 + RANDOM % 20000))
vmm_cmd --net "user,hostfwd=tcp::$port-:8080"
"${VMM_CMD[@]}" </dev/null >"$out" 2>&1 &
pid=$!
wait_for "$out" "net: listening"
expect_seccomp "$pid" # libslirp's thread included
reply=$(timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && cat <&3") ||
	fail "no reply through 127.0.0.1:$port: '$reply'"
[[ $reply == "guest-reply from berth-kit"* ]] || fail "unexpected reply: '$reply'"
wait_exit "$pid" 60 "$out"
[ "$RC" -eq 0 ] || fail "exit $RC: $(tail -20 "$out")"
grep -q "net: ip=10.0.2.15/24" "$out" || fail "no 10.0.2.15 lease: $(tr -d '\r' <"$out" | grep 'net:')"
grep -q "net: served" "$out" || fail "the guest's server did not finish: $(tail -20 "$out")"
echo "ok: 10.0.2.15, reply through port $port: $reply"
