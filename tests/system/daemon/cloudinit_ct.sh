#!/usr/bin/env bash
# cloudinit_ct.sh - a customer's cloud container: the debian-cloud-ct image (cloud_ct_image),
# created on berthd's bridge with an SSH key and user-data whose runcmd writes a file,
# started: its init runs cloud-init's stages on the NoCloud seed berthd wrote, then sshd;
# from the host, `ssh -i KEY root@ADDRESS hostname` over the bridge gives the server's name,
# and the runcmd's file is there. (Its disk growing online, seen by `df` over ssh, needs
# CAP_SYS_RESOURCE: cloudinit_vm.sh checks it in the rig.)
# timeout: 1500
. "$(dirname "$0")/lib/daemon.bash"
. "$(dirname "$0")/lib/cloud.bash"

need_root
need_berth_cli
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || skip "needs ssh and ssh-keygen (openssh-client)"
command -v debootstrap >/dev/null || skip "needs debootstrap"
[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"

IMAGE=$(cloud_ct_image)

test_bridge bt-cict 10.188.87.1/29 no '^bt[vcp]0abc570'
start_berthd --host-memory 4G --host-cpus 8
cloud_inputs "$SCRATCH"
expect_status 0 berth image import cloudct --kind ct --rootfs "$IMAGE"
expect_status 0 berth create web1 --kind ct --image cloudct --cpus 1 --memory 512M \
	--ssh-key "$SCRATCH/key.pub" --user-data "$SCRATCH/user-data" --start
addr=$(berth show web1 --format json | jq -r .address)
[[ $addr == 10.188.87.* ]] || fail "web1 has no address of the pool: $addr"

cloud_ssh_within 120 "$SCRATCH/key" "root@$addr" true ||
	fail "no ssh to root@$addr within 120 s; console: $(tail -n 20 "$STATE/servers/web1/console.log" 2>/dev/null)"
expect_status 0 cloud_ssh "$SCRATCH/key" "root@$addr" hostname
[ "$OUT" = web1 ] || fail "hostname over ssh: '$OUT', expected web1"
cloud_ssh_within 60 "$SCRATCH/key" "root@$addr" test -f /var/tmp/runcmd-was-here ||
	fail "user-data's runcmd wrote no file: $(cloud_ssh "$SCRATCH/key" "root@$addr" tail -n 20 /var/log/berth-cloud-init.log)"
expect_status 0 cloud_ssh "$SCRATCH/key" "root@$addr" cat /var/tmp/runcmd-was-here
[ "$OUT" = made-by-runcmd ] || fail "runcmd's file holds '$OUT'"
echo "ok: ssh -i KEY root@$addr: hostname web1, runcmd's file is there"
