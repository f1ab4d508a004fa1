#!/usr/bin/env bash
# cloudinit_vm.sh - a customer's cloud image through berthd, in the rig: the debian-cloud-vm
# qcow2 (scripts/mkimage: GRUB in its MBR, Debian's cloud kernel, cloud-init, sshd) imported,
# a server created from it with an SSH key and user-data whose runcmd writes a file, on
# berthd's bridge, started: cloud-init finds its seed disk (cidata), takes the address of
# its network-config, makes the user debian with the key and runs the runcmd; from the rig's
# host, `ssh -i KEY debian@ADDRESS hostname` over the bridge gives the server's name and
# the runcmd's file is there.
# timeout: 2400
. "$(dirname "$0")/lib/rig_daemon.bash"
. "$(dirname "$0")/lib/firmware.bash"
. "$(dirname "$0")/lib/cloud.bash"

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare ssh ssh-keygen
	need_firmware
	# a debootstrap, a kernel and cloud-init the first time (minutes), then cached
	"$ROOT/scripts/mkimage" debian-cloud-vm "$SCRATCH/cloud.qcow2" >"$SCRATCH/mkimage.log" 2>&1 ||
		fail "scripts/mkimage debian-cloud-vm failed: $(tail -5 "$SCRATCH/mkimage.log")"
	cloud_inputs "$SCRATCH"
	mkdir "$SCRATCH/img"
	rig_try maybe --timeout 1500 -- "$0" --inside "$SCRATCH"
	exit
fi

BR=bt-civm0
rig_daemon_init cloudvm "$2"
SCRATCH=$2 # the host's scratch (9p): the image, the key, the user-data
roomy_state
printf 'bridge = %s\nbridge_address = 10.188.88.1/24\n' "$BR" >"$RUN/berthd.conf"
rig_daemon_start
CONSOLE=$STATE/servers/web1/console.log

expect_status 0 berth image import cloud --kind vm --disk "$SCRATCH/cloud.qcow2"
# the key file is read by the CLI: the host's scratch, which root reads here
expect_status 0 berth create web1 --kind vm --image cloud --cpus 1 --memory 1G \
	--ssh-key "$SCRATCH/key.pub" --user-data "$SCRATCH/user-data"
expect_status 0 berth start web1
expect_status 0 berth show web1 --format json
VMM_PID=$(jq .pid <<<"$OUT")
addr=$(jq -r .address <<<"$OUT")
[[ $addr == 10.188.88.* ]] || fail "web1 has no address of the pool: $OUT"
cp "$SCRATCH/key" "$RUN/key" # ssh wants a key file of mode 0600 that is root's
chmod 600 "$RUN/key"
cloud_ssh_within 1000 "$RUN/key" "debian@$addr" true ||
	fail "no ssh to debian@$addr; console: $(tr -d '\r' <"$CONSOLE" | tail -n 30)"
expect_status 0 cloud_ssh "$RUN/key" "debian@$addr" hostname
[ "$OUT" = web1 ] || fail "hostname over ssh: '$OUT', expected web1"
cloud_ssh_within 120 "$RUN/key" "debian@$addr" test -f /var/tmp/runcmd-was-here ||
	fail "user-data's runcmd wrote no file: $(cloud_ssh "$RUN/key" "debian@$addr" sudo tail -n 20 /var/log/cloud-init-output.log)"
expect_status 0 cloud_ssh "$RUN/key" "debian@$addr" cat /var/tmp/runcmd-was-here
[ "$OUT" = made-by-runcmd ] || fail "runcmd's file holds '$OUT'"
echo "ok: ssh -i KEY debian@$addr: hostname web1, runcmd's file is there"
