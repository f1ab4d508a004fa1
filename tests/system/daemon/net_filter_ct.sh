#!/usr/bin/env bash
# net_filter_ct.sh - the rules of berthd's bridge, with containers on the host (their veths
# are real bridge ports, as a VM's tap is): frames made on a raw socket in container a's
# namespace (tests/system/daemon/lib/frames.py) from another server's MAC or address, a
# forged ARP reply, an ARP packet whose sender MAC is another's, a DHCP server's reply,
# IPv6 and a VLAN-tagged frame reach neither container b nor the host, while a's own frame
# does; the host still answers a's DHCP; with isolate_servers (the default) a reaches
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

run_ct() { # run_ct NAME: create and start it, print its init's pid
	expect_api 202 POST /1.0/servers "{\"name\":\"$1\",\"kind\":\"ct\",\"image\":\"bb\",\"cpus\":1,\"memory\":\"64M\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 PUT "/1.0/servers/$1/state" '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	api GET "/1.0/servers/$1" >/dev/null
	[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "$1 not running: $REPLY"
	jq .pid <<<"$REPLY"
}
in_ct() { local pid=$1; shift; nsenter -t "$pid" -n "$@"; } # in_ct PID CMD...

pa=$(run_ct a) # 10.188.79.2
pb=$(run_ct b) # 10.188.79.3
pc=$(run_ct c) # 10.188.79.4
A_MAC=52:54:00:bc:4f:02
C_MAC=52:54:00:bc:4f:04
grep -q "link/ether $A_MAC" <<<"$(in_ct "$pa" ip -o link show eth0)" || fail "a's eth0 has not $A_MAC: $(in_ct "$pa" ip link show eth0)"
grep -qF "\"btc0abc4f02\" . $A_MAC" <<<"$(nft list set bridge "$TABLE" mac)" || fail "a's port is not in the table: $(nft list table bridge "$TABLE")"
echo "ok: three containers on the bridge, a's eth0 has $A_MAC, its port is in table bridge $TABLE"

# sends B_SECONDS SPEC...: listen on b's eth0 (for B_SECONDS at most) and on the bridge (the
# host) while a sends frames "KIND MAC ADDR [SHA]" (frames.py), then its own udp frame (the
# end, at which a listener stops); SEEN_B and SEEN_HOST get the marks each saw but the end,
# END_B and END_HOST whether each saw the end.
sends() {
	local n=0 f spec=() end=BERTH-end-$RANDOM lb lh b_seconds=$1
	shift
	rm -f "$SCRATCH/seen-b" "$SCRATCH/seen-host"
	in_ct "$pb" python3 "$FRAMES" listen eth0 "$b_seconds" "$end" >"$SCRATCH/seen-b" &
	lb=$!
	python3 "$FRAMES" listen "$BR" 60 "$end" >"$SCRATCH/seen-host" &
	lh=$!
	for f in seen-b seen-host; do
		for _ in $(seq 100); do grep -q ready "$SCRATCH/$f" 2>/dev/null && break; sleep 0.1; done
	done
	for f in "$@"; do
		set -- $f
		spec+=("$1,$2,$3,BERTH-$1-$n${4:+,$4}")
		n=$((n + 1))
	done
	in_ct "$pa" python3 "$FRAMES" send eth0 "${spec[@]}" "udp,$A_MAC,10.188.79.2,$end" ||
		fail "frames.py send ${spec[*]} failed"
	wait "$lb" "$lh"
	SEEN_B=$(grep -v -e ready -e "$end" "$SCRATCH/seen-b" | tr '\n' ' ' || true)
	SEEN_HOST=$(grep -v -e ready -e "$end" "$SCRATCH/seen-host" | tr '\n' ' ' || true)
	END_B=$(grep -c "$end" "$SCRATCH/seen-b" || true)
	END_HOST=$(grep -c "$end" "$SCRATCH/seen-host" || true)
}

sends 60 "udp $A_MAC 10.188.79.2"
[ "$SEEN_B" = "BERTH-udp-0 " ] && [ "$SEEN_HOST" = "BERTH-udp-0 " ] && [ "$END_B" = 1 ] ||
	fail "a's own frame: b saw '$SEEN_B', the host '$SEEN_HOST'"
echo "ok: a's own frame reaches b and the host (isolate_servers = no)"

sends 60 "udp $C_MAC 10.188.79.2" "udp $A_MAC 10.188.79.4" "udp $C_MAC 10.188.79.4" \
	"arp $A_MAC 10.188.79.4" "arp $A_MAC 10.188.79.1" "arp $A_MAC 10.188.79.2 $C_MAC" \
	"arp $C_MAC 10.188.79.4" "dhcp $A_MAC 10.188.79.2" "ip6 $A_MAC -" "vlan $A_MAC 10.188.79.2"
[ "$END_B" = 1 ] && [ "$END_HOST" = 1 ] || fail "a's own frame after the forged ones did not come through (b: $END_B, host: $END_HOST)"
[ -z "$SEEN_B" ] || fail "b heard forged frames: $SEEN_B"
[ -z "$SEEN_HOST" ] || fail "the host heard forged frames: $SEEN_HOST"
echo "ok: from c's MAC, from c's address, ARP replies for c and the gateway, ARP with c's MAC, a DHCP reply, IPv6, a VLAN tag: none reaches b or the host"

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
api GET /1.0/host >/dev/null
jq -e '.network.isolate_servers == true' <<<"$REPLY" >/dev/null || fail "host network: $REPLY"
sends 3 "udp $A_MAC 10.188.79.2" "udp $C_MAC 10.188.79.2" "arp $A_MAC 10.188.79.4"
[ "$SEEN_HOST" = "BERTH-udp-0 " ] && [ "$END_HOST" = 1 ] || fail "isolated: the host saw '$SEEN_HOST'"
[ -z "$SEEN_B" ] && [ "$END_B" = 0 ] || fail "isolated: b heard a: '$SEEN_B' (end $END_B)"
! in_ct "$pa" busybox ping -c1 -W2 10.188.79.3 >/dev/null 2>&1 || fail "isolated: a pinged b"
in_ct "$pa" ip route add 10.188.79.3/32 via 10.188.79.1
! in_ct "$pa" busybox ping -c1 -W2 10.188.79.3 >/dev/null 2>&1 || fail "isolated: a pinged b through the host"
in_ct "$pa" busybox ping -c1 -W3 10.188.79.1 >/dev/null || fail "isolated: a cannot reach the gateway"
echo "ok: isolated after berthd's restart: a's frames reach the host, not b; no ping to b, on the bridge or through the host; forged frames still dropped"

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

for s in a b c; do
	expect_api 202 DELETE "/1.0/servers/$s?force=1"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
[ -z "$(nft list set bridge "$TABLE" ports | grep -o 'btc[0-9a-f]*')" ] || fail "ports left in the table: $(nft list set bridge "$TABLE" ports)"
echo "ok: deleted, their ports are gone from the table"
