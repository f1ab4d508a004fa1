#!/usr/bin/env bash
# cloudinit_vm.sh - a customer's cloud image through berthd, in the rig (issue 11's scenario):
# the debian-cloud-vm qcow2 (scripts/mkimage: GRUB in its MBR, Debian's cloud kernel,
# cloud-init, sshd, growpart) imported, a server created from it with an SSH key, user-data
# whose runcmd writes a file and a 2 GiB disk, grown to 4 GiB before its first start, on
# berthd's bridge, started: cloud-init finds its seed disk (cidata), takes the address of its
# network-config, grows its partition and / to the disk, makes the user debian with the key
# and runs the runcmd; from the rig's host, `ssh -i KEY debian@ADDRESS` over the bridge gives
# the server's name for `hostname`, about 4 GiB for `df /`, and the runcmd's file; then
# `berth resize` to 6 GiB while it runs, and the same boot's `lsblk` shows the 6 GiB disk.
# The same with a debian-cloud-ct container (cloud_ct_image; what cloudinit_ct.sh checks on
# the host besides): `ssh root@ADDRESS` with the key, and its / grown online, seen by `df`
# over ssh (an online ext4 resize needs CAP_SYS_RESOURCE, which root has in the rig).
# timeout: 2400
. "$(dirname "$0")/lib/rig_daemon.bash"
. "$(dirname "$0")/lib/firmware.bash"
. "$(dirname "$0")/lib/cloud.bash"
# the container needs a user namespace, which the rig refuses to a chrooted command
export BERTH_RIG_ROOT=move

GIB=1073741824

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare ssh ssh-keygen
	need_firmware
	# a debootstrap, a kernel and cloud-init the first time (minutes), then cached
	"$ROOT/scripts/mkimage" debian-cloud-vm "$SCRATCH/cloud.qcow2" >"$SCRATCH/mkimage.log" 2>&1 ||
		fail "scripts/mkimage debian-cloud-vm failed: $(tail -5 "$SCRATCH/mkimage.log")"
	CT_IMAGE=$(cloud_ct_image)
	cloud_inputs "$SCRATCH"
	mkdir "$SCRATCH/img"
	rig_try maybe --timeout 1800 -- "$0" --inside "$SCRATCH" "$CT_IMAGE"
	exit
fi

BR=bt-civm0
rig_daemon_init cloudvm "$2"
SCRATCH=$2 # the host's scratch (9p): the image, the key, the user-data
CT_IMAGE=$3
# the ledger counts every disk whole: the VM's image (2G) and its server's (6G), the
# container's
roomy_state 12G
printf 'bridge = %s\nbridge_address = 10.188.88.1/24\n' "$BR" >"$RUN/berthd.conf"
rig_daemon_start
cp "$SCRATCH/key" "$RUN/key" # ssh wants a key file of mode 0600 that is root's
chmod 600 "$RUN/key"

# on DEST (USER@ADDRESS): the size in bytes of / as df shows it; of the disk vda as lsblk does
df_root() { cloud_ssh "$RUN/key" "$1" df -B1 --output=size / | tail -n 1 | tr -d ' '; }
vda_size() { cloud_ssh "$RUN/key" "$1" lsblk -bdno SIZE /dev/vda | tr -d ' '; }
# running_at NAME: its PID and ADDR (one of the pool's) as berth show gives them.
running_at() {
	expect_status 0 berth show "$1" --format json
	PID=$(jq .pid <<<"$OUT")
	ADDR=$(jq -r .address <<<"$OUT")
	[[ $ADDR == 10.188.88.* ]] || fail "$1 has no address of the pool: $OUT"
}
# size_within SECONDS WHAT DEST LOW HIGH: true once WHAT DEST (df_root, vda_size) is in
# [LOW, HIGH]; SIZE is then the last size seen
size_within() {
	local end=$((SECONDS + $1))
	while :; do
		SIZE=$("$2" "$3" 2>/dev/null || true)
		[[ $SIZE =~ ^[0-9]+$ ]] && [ "$SIZE" -ge "$4" ] && [ "$SIZE" -le "$5" ] && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 1
	done
}

expect_status 0 berth image import cloud --kind vm --disk "$SCRATCH/cloud.qcow2"
# the key file is read by the CLI: the host's scratch, which root reads here
expect_status 0 berth create web1 --kind vm --image cloud --cpus 1 --memory 1G --disk 2G \
	--ssh-key "$SCRATCH/key.pub" --user-data "$SCRATCH/user-data"
expect_status 0 berth resize web1 --disk 4G
[ "$(stat -c %s "$STATE/servers/web1/disk.img")" = $((4 * GIB)) ] ||
	fail "web1's disk.img is $(stat -c %s "$STATE/servers/web1/disk.img") bytes after resize --disk 4G"
expect_status 0 berth start web1
running_at web1
VMM_PID=$PID
VM=debian@$ADDR
# what_became NAME: its state, its VMM's log and the end of its console (the log rotates at
# its cap: the older part is console.log.1), for a failure
what_became() {
	local dir=$STATE/servers/$1
	echo "berth show: $(berth show "$1" --format json 2>&1 | jq -c '{state, pid}' 2>&1)"
	echo "vmm.log: $(tail -n 15 "$dir/vmm.log" 2>&1)"
	ls -l "$dir"/console.log* 2>&1
	echo "console: $(cat "$dir/console.log.1" "$dir/console.log" 2>/dev/null | tr -d '\r' | tail -n 30)"
}
cloud_ssh_within 1000 "$RUN/key" "$VM" true || fail "no ssh to $VM; $(what_became web1)"
expect_status 0 cloud_ssh "$RUN/key" "$VM" hostname
[ "$OUT" = web1 ] || fail "hostname over ssh: '$OUT', expected web1"
cloud_ssh_within 120 "$RUN/key" "$VM" test -f /var/tmp/runcmd-was-here ||
	fail "user-data's runcmd wrote no file: $(cloud_ssh "$RUN/key" "$VM" sudo tail -n 20 /var/log/cloud-init-output.log)"
expect_status 0 cloud_ssh "$RUN/key" "$VM" cat /var/tmp/runcmd-was-here
[ "$OUT" = made-by-runcmd ] || fail "runcmd's file holds '$OUT'"
# growpart and resizefs ran at the first boot: / is the 4 GiB disk less its partition table
# and the file system's own blocks
size_within 120 df_root "$VM" $((4 * GIB * 9 / 10)) $((4 * GIB)) ||
	fail "df / over ssh: '$SIZE' bytes, not about 4 GiB: $(cloud_ssh "$RUN/key" "$VM" sudo grep -i -A3 'growpart\|resize' /var/log/cloud-init.log | tail -n 20)"
echo "ok: ssh -i KEY $VM: hostname web1, runcmd's file is there, df / $SIZE bytes (4 GiB disk)"

# Online: the running guest sees its disk grow, in the same boot.
expect_status 0 cloud_ssh "$RUN/key" "$VM" cat /proc/sys/kernel/random/boot_id
boot=$OUT
expect_status 0 berth resize web1 --disk 6G
size_within 60 vda_size "$VM" $((6 * GIB)) $((6 * GIB)) || fail "lsblk in the guest: vda is '$SIZE' bytes, not 6 GiB"
expect_status 0 cloud_ssh "$RUN/key" "$VM" cat /proc/sys/kernel/random/boot_id
[ "$OUT" = "$boot" ] || fail "the guest booted again (boot_id $boot, now $OUT)"
[ "$(berth show web1 --format json | jq -r '"\(.state) \(.pid)"')" = "running $VMM_PID" ] || fail "web1 was restarted"
echo "ok: berth resize web1 --disk 6G while it runs: lsblk in the same boot shows vda of $SIZE bytes"
expect_status 0 berth delete --force web1
VMM_PID=

# The same with a container: ssh as root with the key, / grown online (df over ssh).
expect_status 0 berth image import cloudct --kind ct --rootfs "$CT_IMAGE"
expect_status 0 berth create web2 --kind ct --image cloudct --cpus 1 --memory 512M --disk 1G \
	--ssh-key "$SCRATCH/key.pub" --start
running_at web2
pid=$PID
CT=root@$ADDR
cloud_ssh_within 600 "$RUN/key" "$CT" true ||
	fail "no ssh to $CT; console: $(tail -n 20 "$STATE/servers/web2/console.log" 2>/dev/null)"
expect_status 0 cloud_ssh "$RUN/key" "$CT" hostname
[ "$OUT" = web2 ] || fail "hostname over ssh: '$OUT', expected web2"
size_within 0 df_root "$CT" $((GIB * 8 / 10)) $((GIB)) || fail "df / over ssh: '$SIZE' bytes, not about 1 GiB"
before=$SIZE
expect_status 0 berth resize web2 --disk 2G
size_within 0 df_root "$CT" $((2 * GIB * 9 / 10)) $((2 * GIB)) ||
	fail "after berth resize web2 --disk 2G, df / over ssh: '$SIZE' bytes, not about 2 GiB"
[ "$(berth show web2 --format json | jq -r '"\(.state) \(.pid)"')" = "running $pid" ] || fail "web2 was restarted"
echo "ok: ssh -i KEY $CT: hostname web2; berth resize --disk 2G while it runs: df / from $before to $SIZE bytes"
