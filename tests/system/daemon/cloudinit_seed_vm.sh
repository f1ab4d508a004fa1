#!/usr/bin/env bash
# cloudinit_seed_vm.sh - a VM's cloud-init seed disk, with a tiny guest (no cloud image:
# what the guest reads is cloudinit_vm.sh's, in the rig): created with an SSH key and
# user-data, started, its berth-vmm has a last --disk seed.iso,ro,serial=cidata; that disk
# is an ISO 9660 labelled cidata holding meta-data (the instance-id berth show gives, its
# name as local-hostname, the key), user-data byte for byte, and network-config when it has
# an address; made again at a restart with the same instance-id; a server without a seed
# has no seed disk; deleted, nothing of it is left.
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"
need_berth_cli
need_kvm
command -v ssh-keygen >/dev/null || skip "needs ssh-keygen (openssh-client)"
[ -x /usr/bin/xorriso ] || skip "needs xorriso"
KERNEL=$ROOT/build/guests/tiny-spin.bzImage
[ -f "$KERNEL" ] || skip "build the test guests first (make: build/guests/tiny-spin.bzImage)"

start_berthd --host-memory 2G --host-cpus 4
expect_status 0 berth image import spin --kind vm --kernel "$KERNEL"
ssh-keygen -q -t ed25519 -N '' -C 'vm@test' -f "$SCRATCH/k"
printf '#!/bin/sh\necho hello > /run/hello\n' >"$SCRATCH/ud"
expect_status 0 berth create v --kind vm --image spin --cpus 1 --memory 64M \
	--ssh-key "$SCRATCH/k.pub" --user-data "$SCRATCH/ud" --start
expect_status 0 berth create plain --kind vm --image spin --cpus 1 --memory 64M --start
api GET /1.0/servers/v >/dev/null
id=$(jq -r .cloud_init.instance_id <<<"$REPLY")
pid=$(jq -r .pid <<<"$REPLY")
addr=$(jq -r '.address // ""' <<<"$REPLY")
iso=$STATE/servers/v/seed.iso
# (berth-vmm cuts its --disk value at the commas in place)
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--disk $iso ro,serial=cidata --" ||
	fail "berth-vmm has no seed disk: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
[ ! -e "$STATE/servers/plain/seed.iso" ] || fail "a server without a seed has a seed disk"

# check_iso: the seed disk says what v's seed is
check_iso() {
	rm -rf "$SCRATCH/out"
	xorriso -indev "$iso" -pvd_info 2>/dev/null | grep -q "^Volume Id *: cidata" ||
		fail "seed.iso is not labelled cidata: $(xorriso -indev "$iso" -pvd_info 2>&1)"
	xorriso -osirrox on -indev "$iso" -extract / "$SCRATCH/out" >/dev/null 2>&1 || fail "cannot read seed.iso"
	cmp "$SCRATCH/ud" "$SCRATCH/out/user-data" || fail "user-data differs"
	jq -e --arg id "$id" --arg k "$(cat "$SCRATCH/k.pub")" \
		'.["instance-id"] == $id and .["local-hostname"] == "v" and .["public-keys"] == [$k]' \
		"$SCRATCH/out/meta-data" >/dev/null || fail "meta-data: $(cat "$SCRATCH/out/meta-data")"
	if [ -n "$addr" ]; then
		jq -e --arg a "$addr" '.ethernets.eth0.addresses[0] | startswith($a + "/")' \
			"$SCRATCH/out/network-config" >/dev/null || fail "network-config: $(cat "$SCRATCH/out/network-config")"
	else
		[ ! -e "$SCRATCH/out/network-config" ] || fail "network-config without an address"
	fi
}
check_iso
echo "ok: the seed disk is attached read-only and holds v's seed"

before=$(stat -c %Y.%i "$iso")
expect_status 0 berth restart v --force
[ "$(stat -c %Y.%i "$iso")" != "$before" ] || fail "the seed disk was not made again at the restart"
check_iso
echo "ok: made again at a restart, same instance-id"

expect_status 0 berth delete v --force
[ ! -e "$STATE/servers/v" ] || fail "v's files are left: $(ls "$STATE/servers/v")"
echo "ok: deleted with the server"
