#!/usr/bin/env bash
# net_filter_ct.sh - the rules of berthd's bridge, with containers on the host (their veths
# are real bridge ports, as a VM's tap is): frames made on a raw socket in container a's
# namespace (tests/system/daemon/lib/frames.py) from another server's MAC or address, a
# forged ARP reply, an ARP packet whose sender MAC is another's, a DHCP server's reply,
# IPv6 and a VLAN-tagged frame reach neither container b, nor VM v's tap (a tiny guest, when
# this host's KVM runs it), nor the host, while a's own frame does; the host still answers a's DHCP; with isolate_servers (the default) a reaches
# neither b nor, routed through the host, b's address, yet reaches the gateway; the rules
# of running containers are rebuilt after a SIGKILL of berthd; NAT carries a's ping and TCP
# to an "outside" host (a network namespace of this test's own, behind a veth pair with
# addresses outside the pool), which sees the host's address, and the replies come back.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

need_root
[ -x "$BUILD/berth-ct" ] || skip "build/berth-ct is not built"
command -v nft >/dev/null || skip "needs nft"
command -v ip >/dev/null || skip "needs ip"
command -v nsenter >/dev/null || skip "needs nsenter"
command -v python3 >/dev/null || skip "needs python3 (frames on a raw socket)"
[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"
FRAMES=$(dirname "$0")/lib/frames.py

# a /29: the gateway .1, servers .2 to .6; the outside host 198.51.100.2/30 (TEST-NET-2)
# behind the host's 198.51.100.1, in a namespace named for this shell
OUT_NS=bt-out$$
OUT_HOST=bto$$
test_bridge bt-nfl 10.188.79.1/29 yes "^bt[vcp]0abc4f0|^bto$$"
echo "isolate_servers = no" >>"$SCRATCH/berthd.conf"
nat_cleanup() {
	ip netns pids "$OUT_NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "$OUT_NS" 2>/dev/null || true
	bridge_cleanup
}
trap nat_cleanup EXIT

start_berthd --host-memory 2G --host-cpus 8
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"
nft list table bridge "$TABLE" >"$SCRATCH/bridge-table" || fail "no nftables table bridge $TABLE"

run_ct_or_vm() { # run_ct_or_vm NAME KIND_AND_IMAGE: create and start it, print its pid
	expect_api 202 POST /1.0/servers "{\"name\":\"$1\",$2,\"cpus\":1,\"memory\":\"64M\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 PUT "/1.0/servers/$1/state" '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	api GET "/1.0/servers/$1" >/dev/null
	[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "$1 not running: $REPLY"
	jq .pid <<<"$REPLY"
}
run_ct() { run_ct_or_vm "$1" '"kind":"ct","image":"bb"'; } # run_ct NAME: its init's pid
in_ct() { local pid=$1; shift; nsenter -t "$pid" -n "$@"; } # in_ct PID CMD...

pa=$(run_ct a) # 10.188.79.2
pb=$(run_ct b) # 10.188.79.3
pc=$(run_ct c) # 10.188.79.4
A_MAC=52:54:00:bc:4f:02
C_MAC=52:54:00:bc:4f:04
grep -q "link/ether $A_MAC" <<<"$(in_ct "$pa" ip -o link show eth0)" || fail "a's eth0 has not $A_MAC: $(in_ct "$pa" ip link show eth0)"
grep -qF "\"btc0abc4f02\" . $A_MAC" <<<"$(nft list set bridge "$TABLE" mac)" || fail "a's port is not in the table: $(nft list table bridge "$TABLE")"
echo "ok: three containers on the bridge, a's eth0 has $A_MAC, its port is in table bridge $TABLE"

# A VM (the tiny echoing guest, on this host's KVM) on the bridge too: its tap is a port
# under the same rules, and a listener on the tap (the host's end) hears what the bridge
# sends the VM. Without a KVM that runs it, the containers' veths alone are checked.
VM_TAP=
if [ -w /dev/kvm ] && [ -f "$GUESTS/tiny-echo.bzImage" ]; then
	expect_api 202 POST /1.0/images "{\"name\":\"echo\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-echo.bzImage\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	run_ct_or_vm v '"kind":"vm","image":"echo"' >/dev/null # 10.188.79.5
	VM_TAP=btv0abc4f05
	grep -q "master $BR" <<<"$(ip -o link show "$VM_TAP")" || fail "v's tap $VM_TAP is not on $BR"
	grep -qF "\"$VM_TAP\" . 52:54:00:bc:4f:05" <<<"$(nft list set bridge "$TABLE" mac)" ||
		fail "v's tap is not in the table: $(nft list table bridge "$TABLE")"
	grep -qF "\"$VM_TAP\" . 10.188.79.5" <<<"$(nft list set bridge "$TABLE" ip4)" ||
		fail "v's tap has not its address in the table: $(nft list table bridge "$TABLE")"
	echo "ok: VM v's tap $VM_TAP is on the bridge, in the table with 52:54:00:bc:4f:05 and 10.188.79.5"
else
	echo "note: no KVM that runs the tiny guest: no VM on the bridge"
fi

# sends PEER_SECONDS SPEC...: listen on b's eth0 and v's tap (for PEER_SECONDS at most) and
# on the bridge (the host) while a sends frames "KIND MAC ADDR [SHA]" (frames.py), then its
# own udp frame (the end, at which a listener stops); SEEN[b], SEEN[vm] and SEEN[host] get
# the marks each saw but the end, END[...] whether each saw the end.
declare -A SEEN END
sends() {
	local n=0 f l spec=() end=BERTH-end-$RANDOM pids=() listeners=(b host) peer_seconds=$1
	shift
	rm -f "$SCRATCH"/seen-*
	in_ct "$pb" python3 "$FRAMES" listen eth0 "$peer_seconds" "$end" >"$SCRATCH/seen-b" &
	pids+=($!)
	python3 "$FRAMES" listen "$BR" 60 "$end" >"$SCRATCH/seen-host" &
	pids+=($!)
	if [ -n "$VM_TAP" ]; then
		python3 "$FRAMES" listen "$VM_TAP" "$peer_seconds" "$end" >"$SCRATCH/seen-vm" &
		pids+=($!)
		listeners+=(vm)
	fi
	for l in "${listeners[@]}"; do
		for _ in $(seq 100); do grep -q ready "$SCRATCH/seen-$l" 2>/dev/null && break; sleep 0.1; done
	done
	for f in "$@"; do
		set -- $f
		spec+=("$1,$2,$3,BERTH-$1-$n${4:+,$4}")
		n=$((n + 1))
	done
	in_ct "$pa" python3 "$FRAMES" send eth0 "${spec[@]}" "udp,$A_MAC,10.188.79.2,$end" ||
		fail "frames.py send ${spec[*]} failed"
	wait "${pids[@]}"
	SEEN=([vm]= [b]= [host]=) END=([vm]=0 [b]=0 [host]=0)
	for l in "${listeners[@]}"; do
		SEEN[$l]=$(grep -v -e ready -e "$end" "$SCRATCH/seen-$l" | tr '\n' ' ' || true)
		END[$l]=$(grep -c "$end" "$SCRATCH/seen-$l" || true)
	done
}

sends 60 "udp $A_MAC 10.188.79.2"
[ "${SEEN[b]}" = "BERTH-udp-0 " ] && [ "${SEEN[host]}" = "BERTH-udp-0 " ] && [ "${END[b]}" = 1 ] ||
	fail "a's own frame: b saw '${SEEN[b]}', the host '${SEEN[host]}'"
[ -z "$VM_TAP" ] || [ "${SEEN[vm]}" = "BERTH-udp-0 " ] || fail "a's own frame: v's tap saw '${SEEN[vm]}'"
echo "ok: a's own frame reaches b${VM_TAP:+, v} and the host (isolate_servers = no)"

sends 60 "udp $C_MAC 10.188.79.2" "udp $A_MAC 10.188.79.4" "udp $C_MAC 10.188.79.4" \
	"arp $A_MAC 10.188.79.4" "arp $A_MAC 10.188.79.1" "arp $A_MAC 10.188.79.2 $C_MAC" \
	"arp $C_MAC 10.188.79.4" "dhcp $A_MAC 10.188.79.2" "ip6 $A_MAC -" "vlan $A_MAC 10.188.79.2"
[ "${END[b]}" = 1 ] && [ "${END[host]}" = 1 ] ||
	fail "a's own frame after the forged ones did not come through (b: ${END[b]}, host: ${END[host]})"
[ -z "${SEEN[b]}" ] || fail "b heard forged frames: ${SEEN[b]}"
[ -z "${SEEN[vm]}" ] || fail "v's tap heard forged frames: ${SEEN[vm]}"
[ -z "${SEEN[host]}" ] || fail "the host heard forged frames: ${SEEN[host]}"
echo "ok: from c's MAC, from c's address, ARP replies for c and the gateway, ARP with c's MAC, a DHCP reply, IPv6, a VLAN tag: none reaches b${VM_TAP:+, v} or the host"

in_ct "$pa" busybox udhcpc -i eth0 -n -q -f -t 3 -s /bin/true >"$SCRATCH/udhcpc" 2>&1 ||
	fail "a got no DHCP answer from the host: $(cat "$SCRATCH/udhcpc")"
grep -q "10.188.79.2" "$SCRATCH/udhcpc" || fail "DHCP offered a: $(cat "$SCRATCH/udhcpc")"
echo "ok: the host's dnsmasq still answers a's DHCP (10.188.79.2)"

# Isolated (the default), over a SIGKILL of berthd: the running containers' rules are
# rebuilt from their veths.
kill_berthd KILL
sed -i '/^isolate_servers/d' "$SCRATCH/berthd.conf"
start_berthd
grep -qF "\"btc0abc4f03\" . 10.188.79.3" <<<"$(nft list set bridge "$TABLE" ip4)" ||
	fail "b's port lost its rules over berthd's restart: $(nft list table bridge "$TABLE")"
[ -z "$VM_TAP" ] || grep -qF "\"$VM_TAP\" . 10.188.79.5" <<<"$(nft list set bridge "$TABLE" ip4)" ||
	fail "v's tap lost its rules over berthd's restart: $(nft list table bridge "$TABLE")"
api GET /1.0/host >/dev/null
jq -e '.network.isolate_servers == true' <<<"$REPLY" >/dev/null || fail "host network: $REPLY"
sends 3 "udp $A_MAC 10.188.79.2" "udp $C_MAC 10.188.79.2" "arp $A_MAC 10.188.79.4"
[ "${SEEN[host]}" = "BERTH-udp-0 " ] && [ "${END[host]}" = 1 ] || fail "isolated: the host saw '${SEEN[host]}'"
[ -z "${SEEN[b]}" ] && [ "${END[b]}" = 0 ] || fail "isolated: b heard a: '${SEEN[b]}' (end ${END[b]})"
[ -z "${SEEN[vm]}" ] && [ "${END[vm]}" = 0 ] || fail "isolated: v's tap heard a: '${SEEN[vm]}' (end ${END[vm]})"
! in_ct "$pa" busybox ping -c1 -W2 10.188.79.3 >/dev/null 2>&1 || fail "isolated: a pinged b"
in_ct "$pa" ip route add 10.188.79.3/32 via 10.188.79.1
! in_ct "$pa" busybox ping -c1 -W2 10.188.79.3 >/dev/null 2>&1 || fail "isolated: a pinged b through the host"
in_ct "$pa" busybox ping -c1 -W3 10.188.79.1 >/dev/null || fail "isolated: a cannot reach the gateway"
echo "ok: isolated after berthd's restart: a's frames reach the host, not b${VM_TAP:+ or v}; no ping to b, on the bridge or through the host; forged frames still dropped"

# NAT: the outside host, with nothing routed back to the pool.
ip netns add "$OUT_NS"
ip link add "$OUT_HOST" type veth peer name eth0 netns "$OUT_NS"
ip addr add 198.51.100.1/30 dev "$OUT_HOST"
ip link set "$OUT_HOST" up
ip -n "$OUT_NS" addr add 198.51.100.2/30 dev eth0
ip -n "$OUT_NS" link set eth0 up
ip -n "$OUT_NS" link set lo up
in_ct "$pa" busybox ping -c1 -W3 198.51.100.2 >/dev/null || fail "a cannot ping the outside host"
ip netns exec "$OUT_NS" python3 -c '
import socket, sys
s = socket.socket()
s.bind(("198.51.100.2", 8007))
s.listen(1)
print("ready", flush=True)
c, peer = s.accept()
c.sendall(b"pong " + c.recv(16))
print(peer[0], flush=True)
' >"$SCRATCH/outside" &
outside=$!
for _ in $(seq 50); do grep -q ready "$SCRATCH/outside" && break; sleep 0.1; done
got=$(in_ct "$pa" python3 -c '
import socket
c = socket.create_connection(("198.51.100.2", 8007), timeout=5)
c.sendall(b"ping")
print(c.recv(16).decode())
') || fail "a's TCP connection to the outside host failed"
wait "$outside" || fail "the outside host's listener failed: $(cat "$SCRATCH/outside")"
[ "$got" = "pong ping" ] || fail "a got '$got' back from the outside host"
[ "$(tail -1 "$SCRATCH/outside")" = 198.51.100.1 ] || fail "the outside host saw a as $(tail -1 "$SCRATCH/outside"), not the host's 198.51.100.1"
echo "ok: NAT: a pings the outside host and talks TCP with it, which sees the host's 198.51.100.1; the replies come back"

for s in a b c ${VM_TAP:+v}; do
	expect_api 202 DELETE "/1.0/servers/$s?force=1"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
[ -z "$(nft list set bridge "$TABLE" ports | grep -o 'bt[cv][0-9a-f]*')" ] || fail "ports left in the table: $(nft list set bridge "$TABLE" ports)"
echo "ok: deleted, their ports are gone from the table"
