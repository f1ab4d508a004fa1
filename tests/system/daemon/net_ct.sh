#!/usr/bin/env bash
# net_ct.sh - networks on the host with containers: berthd's own bridge (a test name and
# subnet) gets its address, its nftables table and its dnsmasq; two containers get
# addresses of the pool (listed by the API), an eth0 with that address and a default route
# in their network namespaces, and reach each other and the gateway; stop and delete leave
# no veth; a SIGKILL of berthd keeps a running container's veth and loses a deleted one's;
# a full pool refuses a create with a clear message.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

need_root
[ -x "$BUILD/berth-ct" ] || skip "build/berth-ct is not built"
command -v nft >/dev/null || skip "needs nft"
command -v ip >/dev/null || skip "needs ip"
command -v nsenter >/dev/null || skip "needs nsenter"
[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"

# a /29: the gateway .1, servers .2 to .6
test_bridge bt-nct 10.188.77.1/29 yes '^bt[vcp]0abc4d0'
# servers that reach each other (net_filter_ct.sh checks isolate_servers = yes, the default)
echo "isolate_servers = no" >>"$SCRATCH/berthd.conf"

start_berthd --host-memory 2G --host-cpus 8
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"

ip -o -4 addr show dev "$BR" | grep "10.188.77.1/29" >/dev/null || fail "bridge $BR has not 10.188.77.1/29: $(ip addr show dev "$BR")"
nft list table ip "$TABLE" >"$SCRATCH/table" || fail "no nftables table $TABLE"
nft list table bridge "$TABLE" >/dev/null || fail "no nftables table bridge $TABLE"
grep -q "masquerade" "$SCRATCH/table" || fail "no masquerade in $TABLE: $(cat "$SCRATCH/table")"
grep -q "10.188.77.0/29" "$SCRATCH/table" || fail "the subnet is not in $TABLE: $(cat "$SCRATCH/table")"
dnsmasq=$(cat "$STATE/dhcp/dnsmasq.pid")
kill -0 "$dnsmasq" || fail "dnsmasq is not running"
api GET /1.0/host >/dev/null
jq -e ".network.mode == \"bridge\" and .network.bridge == \"$BR\" and .network.used == 0 and .network.free == 5" <<<"$REPLY" >/dev/null ||
	fail "host network: $REPLY"
echo "ok: bridge, nftables table and dnsmasq are up"

create() { # create NAME
	expect_api 202 POST /1.0/servers "{\"name\":\"$1\",\"kind\":\"ct\",\"image\":\"bb\",\"cpus\":1,\"memory\":\"64M\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
}
start() { # start NAME: prints its init's pid
	expect_api 202 PUT "/1.0/servers/$1/state" '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	api GET "/1.0/servers/$1" >/dev/null
	[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "$1 not running: $REPLY"
	jq .pid <<<"$REPLY"
}
in_ct() { local pid=$1; shift; nsenter -t "$pid" -n "$@"; } # in_ct PID CMD...

create a
create b
api GET /1.0/servers >/dev/null
jq -e 'map(.address) | sort == ["10.188.77.2", "10.188.77.3"]' <<<"$REPLY" >/dev/null || fail "addresses: $REPLY"
pa=$(start a)
pb=$(start b)
in_ct "$pa" ip -o -4 addr show dev eth0 | grep "10.188.77.2/29" >/dev/null || fail "a's eth0: $(in_ct "$pa" ip addr)"
in_ct "$pa" ip route | grep "default via 10.188.77.1 dev eth0" >/dev/null || fail "a's routes: $(in_ct "$pa" ip route)"
in_ct "$pa" ip -o link show lo | grep "UP" >/dev/null || fail "a's lo is down"
in_ct "$pa" busybox ping -c1 -W3 10.188.77.3 >/dev/null || fail "a cannot reach b"
in_ct "$pb" busybox ping -c1 -W3 10.188.77.2 >/dev/null || fail "b cannot reach a"
in_ct "$pb" busybox ping -c1 -W3 10.188.77.1 >/dev/null || fail "b cannot reach the gateway"
ip link show btc0abc4d02 >/dev/null 2>&1 || fail "a's veth btc0abc4d02 is not there"
ip -o link show btc0abc4d02 | grep "master $BR" >/dev/null || fail "a's veth is not on $BR"
echo "ok: two containers got 10.188.77.2 and .3 and reach each other and the gateway"

# Full: .4 .5 .6 fit, the sixth server does not.
create c
create d
create e
expect_api 409 POST /1.0/servers '{"name":"f","kind":"ct","image":"bb","cpus":1,"memory":"64M"}'
grep -q "no free address" <<<"$REPLY" || fail "full pool, unclear refusal: $REPLY"
echo "ok: a full pool refuses a create: $(jq -r .error <<<"$REPLY")"
for s in c d e; do expect_api 202 DELETE "/1.0/servers/$s"; wait_op "$(jq -r .operation <<<"$REPLY")"; done

expect_api 202 PUT /1.0/servers/b/state '{"action":"stop","timeout":3}'
wait_op "$(jq -r .operation <<<"$REPLY")"
gone "$pb" || fail "b survived its stop"
! ip link show btc0abc4d03 >/dev/null 2>&1 || fail "b's veth outlived its stop"
echo "ok: a stopped container leaves no veth"

# A veth whose container is gone, as a berthd killed mid-start leaves it; and b deleted.
ip link add btc0abc4d05 type veth peer name btp0abc4d05
expect_api 202 DELETE /1.0/servers/b
wait_op "$(jq -r .operation <<<"$REPLY")"
kill_berthd KILL
start_berthd
ip link show btc0abc4d02 >/dev/null 2>&1 || fail "a's veth did not survive berthd's restart"
in_ct "$pa" busybox ping -c1 -W3 10.188.77.1 >/dev/null || fail "a lost its network over berthd's restart"
! ip link show btc0abc4d05 >/dev/null 2>&1 || fail "an orphan veth survived berthd's restart"
[ "$(cat "$STATE/dhcp/dnsmasq.pid")" = "$dnsmasq" ] || fail "dnsmasq was not adopted"
echo "ok: after kill -9 and restart, a running container keeps its veth, an orphan is removed, dnsmasq adopted"

expect_api 202 DELETE "/1.0/servers/a?force=1"
wait_op "$(jq -r .operation <<<"$REPLY")"
gone "$pa" || fail "a survived its delete"
left=$(ip -o link show | awk -F': ' '{print $2}' | grep -E '^bt[vcp]0abc4d0' || true)
[ -z "$left" ] || fail "interfaces left: $left"
echo "ok: deleted, no veth left"
