#!/usr/bin/env bash
# net_vm_ct.sh - a VM and a container on one berthd bridge, inside the test rig: berthd with
# its own bridge and subnet; a busybox container gets .2, a kit-vm VM .3 (its tap on the
# bridge, berth.ip= on its kernel command line); the VM pings the container and is offered
# its own address by berthd's dnsmasq (udhcpc); the bridge's rules on the VM's tap: UDP
# (busybox tftp, whose request carries a mark) from an address or a MAC not the VM's own,
# and a gratuitous ARP claiming the gateway, are not heard in the container (a listener on
# a raw socket, lib/frames.py), while the VM's own frame after them is; the container pings
# the VM; both are listed with their addresses, kinds and reservations; deleted, they leave
# no tap or veth.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"
# its containers need user namespaces, which the rig refuses to a chrooted command
export BERTH_RIG_ROOT=move

SUBNET=10.188.9
CT_IP=$SUBNET.2
CT_MAC=52:54:00:bc:09:02
VM_IP=$SUBNET.3
FRAMES=$(dirname "$0")/lib/frames.py

if [ "${1:-}" != --inside ]; then
	[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"
	rig_vm_prepare busybox python3
	bb=$(command -v busybox)
	# The VM: reach the container, then ask DHCP and print what it offers.
	cat >"$SCRATCH/lease.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "net-vm-ct: dhcp offered $ip router $router"
EOS
	cat >"$SCRATCH/guest.sh" <<EOS
i=0
until ping -c1 -W1 $CT_IP >/dev/null 2>&1 || [ \$i -ge 30 ]; do i=\$((i + 1)); sleep 1; done
ping -c1 -W2 $CT_IP >/dev/null 2>&1 && echo "net-vm-ct: vm reached ct"
udhcpc -i eth0 -n -q -t 5 -s /etc/lease.sh 2>/dev/null
# the bridge's rules: each tftp request carries its name as a mark for the container's
# listener; the container's MAC is pinned (arp -s), so that no ARP (which the rules would drop
# too) stands between a forged frame and the bridge
mac=\$(cat /sys/class/net/eth0/address)
arp -i eth0 -s $CT_IP $CT_MAC
mark() { timeout 2 tftp -g -r "\$1" -l /tmp/tftp $CT_IP >/dev/null 2>&1; }
ip addr add $SUBNET.9/32 dev eth0
ip route replace $CT_IP/32 dev eth0 src $SUBNET.9
mark BERTH-from-another-address
ip route del $CT_IP/32 dev eth0
ip addr del $SUBNET.9/32 dev eth0
ip addr add $SUBNET.1/32 dev eth0
arping -U -c 2 -I eth0 -s $SUBNET.1 $SUBNET.1 >/dev/null 2>&1
ip addr del $SUBNET.1/32 dev eth0
ip link set eth0 down
ip link set eth0 address 52:54:00:bc:09:77
ip link set eth0 up
arp -i eth0 -s $CT_IP $CT_MAC
mark BERTH-from-another-mac
ip link set eth0 down
ip link set eth0 address \$mac
ip link set eth0 up
arp -i eth0 -s $CT_IP $CT_MAC
mark BERTH-own-end
echo "net-vm-ct: marks sent"
echo "net-vm-ct: waiting"
sleep 600
EOS
	chmod 755 "$SCRATCH/lease.sh"
	rig_vm_image
	# the guest's script calls /etc/lease.sh: add it to the initramfs after the fact
	mkdir -p "$SCRATCH/extra/etc"
	cp "$SCRATCH/lease.sh" "$SCRATCH/extra/etc/lease.sh"
	(cd "$SCRATCH/extra" && find . | cpio -o -H newc 2>/dev/null | gzip) >>"$SCRATCH/img/initrd"
	mkdir -p "$SCRATCH/rootfs"/{bin,sbin,etc,proc,sys,dev,tmp,root}
	cp "$bb" "$SCRATCH/rootfs/bin/busybox"
	ln -sf busybox "$SCRATCH/rootfs/bin/sh"
	ln -sf ../bin/busybox "$SCRATCH/rootfs/sbin/init"
	rig_vm_run "$0"
fi

# Inside the rig, with a bridge and subnet of this test's own.
BR=bt-nvc0
rig_daemon_init nettest "$2"
# servers that reach each other: the operator's choice (docs/berthd.md, "The bridge's rules")
printf 'bridge = %s\nbridge_address = %s.1/24\nisolate_servers = no\n' "$BR" "$SUBNET" >"$RUN/berthd.conf"
rig_daemon_start

expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img"
expect_status 0 berth image import bb --kind ct --rootfs "$2/rootfs"
expect_status 0 berth create c1 --kind ct --image bb --cpus 1 --memory 64M
expect_status 0 berth create v1 --kind vm --image kit --cpus 1 --memory 256M
expect_status 0 berth start c1
expect_status 0 berth list --format json
ctpid=$(jq '.[] | select(.name == "c1") | .pid' <<<"$OUT")
# the container knows the gateway's MAC, which a forged ARP from the VM would replace
nsenter -t "$ctpid" -n busybox ping -c1 -W3 $SUBNET.1 >/dev/null || fail "the container cannot reach the gateway"
gw_mac=$(cat /sys/class/net/$BR/address)
# what reaches the container from the VM, until the VM's own last mark
nsenter -t "$ctpid" -n python3 "$FRAMES" listen eth0 400 BERTH-own-end >"$RUN/heard" &
listener=$!
for _ in $(seq 100); do grep -q ready "$RUN/heard" && break; sleep 0.1; done
grep -q ready "$RUN/heard" || fail "the container's listener did not start"
expect_status 0 berth start v1
expect_status 0 berth list --format json
jq_ok "map({(.name): .address}) | add == {\"c1\": \"$CT_IP\", \"v1\": \"$VM_IP\"}"
jq_ok 'map(.state) == ["running", "running"]'
jq_ok 'map({(.name): .kind}) | add == {"c1": "ct", "v1": "vm"}'
# the reservations: as asked; a VM's disk is its image's, a container's its tree's least
# disk plus 1 GiB (docs/berthd.md); the host's ledger holds both (and the images')
jq_ok "map({(.name): [.cpus, .memory]}) | add == {\"c1\": [1, $((64 << 20))], \"v1\": [1, $((256 << 20))]}"
jq_ok ".[] | select(.name == \"v1\") | .disk == $(stat -c %s "$IMG/disk.img")"
jq_ok ".[] | select(.name == \"c1\") | .disk > $((1 << 30))"
list=$OUT
ctpid=$(jq '.[] | select(.name == "c1") | .pid' <<<"$OUT")
expect_status 0 berth host --format json
jq -e --argjson l "$list" ".cpus.reserved == 2 and .memory.reserved - .memory.vmm_overhead == $((320 << 20)) and
	.disk.reserved - .disk.images == (\$l | map(.disk) | add)" <<<"$OUT" >/dev/null || fail "the ledger: $OUT"
echo "ok: a container and a VM got $CT_IP and $VM_IP, listed by berth list with their kinds and reservations"

CONSOLE=$STATE/servers/v1/console.log
wait_for "$CONSOLE" "net-vm-ct: waiting" 1 120
grep -q "berth-kit: eth0 $VM_IP/24" "$CONSOLE" || fail "the VM's eth0: $(tr -d '\r' <"$CONSOLE" | tail -20)"
grep -q "net-vm-ct: vm reached ct" "$CONSOLE" || fail "the VM did not reach the container: $(tr -d '\r' <"$CONSOLE" | tail -20)"
grep -q "net-vm-ct: dhcp offered $VM_IP router $SUBNET.1" "$CONSOLE" ||
	fail "dnsmasq did not offer the VM its address: $(tr -d '\r' <"$CONSOLE" | tail -20)"
nsenter -t "$ctpid" -n busybox ping -c1 -W3 "$VM_IP" >/dev/null || fail "the container did not reach the VM"
echo "ok: the VM pings the container, the container pings the VM, DHCP offers the VM its address"

grep -q "net-vm-ct: marks sent" "$CONSOLE" || fail "the VM did not send its marks: $(tr -d '\r' <"$CONSOLE" | tail -20)"
wait "$listener" || fail "the container's listener failed: $(cat "$RUN/heard")"
heard=$(grep -v ready "$RUN/heard" | tr '\n' ' ' || true)
[ "$heard" = "BERTH-own-end " ] || fail "the container heard '$heard' from the VM, not its own frame alone"
grep -q "lladdr $gw_mac" <<<"$(nsenter -t "$ctpid" -n ip neigh show $SUBNET.1)" ||
	fail "the VM's ARP claiming the gateway was heard: $(nsenter -t "$ctpid" -n ip neigh show $SUBNET.1)"
echo "ok: the VM's tap: from another address or MAC, or an ARP claiming the gateway, the container hears nothing; the VM's own frame it hears"

expect_status 0 berth delete --force v1
expect_status 0 berth delete --force c1
left=$(ip -o link show | awk -F': ' '{print $2}' | grep -E '^bt[vcp]0abc09' || true)
[ -z "$left" ] || fail "interfaces left: $left"
echo "ok: deleted, no tap or veth left"
