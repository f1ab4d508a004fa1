#!/usr/bin/env bash
# cloudinit_seed_ct.sh - a container's cloud-init seed, without a cloud image: created with
# two SSH keys (one from a .pub file, one as a line) and user-data, on berthd's bridge, its
# tree holds /var/lib/cloud/seed/nocloud-net/{meta-data,user-data,network-config} (the
# instance-id berth show gives, its name as local-hostname, the keys, its address and the
# gateway matched by its MAC; user-data byte for byte), owned by its mapped root; an image
# without cloud-init gets the keys in /root/.ssh/authorized_keys (0700, 0600, its root's);
# symlinks of the image (var, root/.ssh pointing at host paths) stay inside its tree; bad
# input (a malformed key, user-data over 64 KiB, too many keys) is refused with 400 and
# leaves no server.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

need_root
need_berth_cli
command -v ssh-keygen >/dev/null || skip "needs ssh-keygen (openssh-client)"
[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"

test_bridge bt-cis 10.188.86.1/29 no '^bt[vcp]0abc560'
start_berthd --host-memory 2G --host-cpus 8
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"
ssh-keygen -q -t ed25519 -N '' -C 'first@test' -f "$SCRATCH/k1"
ssh-keygen -q -t ecdsa -N '' -C 'second@test' -f "$SCRATCH/k2"
printf '#cloud-config\nruncmd:\n  - [sh, -c, "echo \\"quoted\\" > /run/x"]\n' >"$SCRATCH/ud"

expect_status 0 berth create s1 --kind ct --image bb --cpus 1 --memory 64M \
	--ssh-key "$SCRATCH/k1.pub" --ssh-key "$(cat "$SCRATCH/k2.pub")" --user-data "$SCRATCH/ud"
api GET /1.0/servers/s1 >/dev/null
id=$(jq -r .cloud_init.instance_id <<<"$REPLY")
addr=$(jq -r .address <<<"$REPLY")
range=$(jq -r .idmap.uid <<<"$REPLY")
[[ $id =~ ^i-[0-9a-f]{16}$ ]] || fail "instance-id: $REPLY"
jq -e ".cloud_init.ssh_keys == 2 and .cloud_init.user_data == $(stat -c %s "$SCRATCH/ud")" <<<"$REPLY" >/dev/null ||
	fail "cloud_init: $REPLY"
expect_status 0 berth show s1
expect_output "cloud-init  $id: 2 SSH keys"
expect_status 0 berth start s1

root=$STATE/servers/s1/rootfs
seed=$root/var/lib/cloud/seed/nocloud-net
for f in meta-data user-data network-config; do
	[ "$(stat -c '%u:%g %a' "$seed/$f")" = "$range:$range 600" ] ||
		fail "$f: $(stat -c '%u:%g %a' "$seed/$f"), expected $range:$range 600"
done
cmp "$SCRATCH/ud" "$seed/user-data" || fail "user-data differs from the file given"
jq -e --arg id "$id" --arg k1 "$(cat "$SCRATCH/k1.pub")" --arg k2 "$(cat "$SCRATCH/k2.pub")" \
	'.["instance-id"] == $id and .["local-hostname"] == "s1" and .["public-keys"] == [$k1, $k2]' \
	"$seed/meta-data" >/dev/null || fail "meta-data: $(cat "$seed/meta-data")"
mac=$(printf '52:54:00:%02x:%02x:%02x' $(tr . ' ' <<<"$addr" | cut -d' ' -f2-4))
jq -e --arg a "$addr/29" --arg m "$mac" '.version == 2 and .ethernets.eth0.match.macaddress == $m and
	.ethernets.eth0.addresses == [$a] and .ethernets.eth0.gateway4 == "10.188.86.1"' \
	"$seed/network-config" >/dev/null || fail "network-config: $(cat "$seed/network-config")"
[ "$(stat -c '%u:%g %a' "$root/root/.ssh")" = "$range:$range 700" ] || fail "/root/.ssh: $(stat -c '%u:%g %a' "$root/root/.ssh")"
[ "$(stat -c '%u:%g %a' "$root/root/.ssh/authorized_keys")" = "$range:$range 600" ] ||
	fail "authorized_keys: $(stat -c '%u:%g %a' "$root/root/.ssh/authorized_keys")"
cat "$SCRATCH/k1.pub" "$SCRATCH/k2.pub" | cmp - "$root/root/.ssh/authorized_keys" || fail "authorized_keys: $(cat "$root/root/.ssh/authorized_keys")"
expect_status 0 berth exec s1 -- /bin/busybox stat -c '%u %a' /root/.ssh/authorized_keys
[ "$(echo $OUT)" = "0 600" ] || fail "inside, authorized_keys is '$OUT', expected root's 600"
echo "ok: seed and authorized_keys in the tree, the container root's"

# An image with cloud-init gets the seed, not authorized_keys (cloud-init's to write); an
# image whose var and root/.ssh are symlinks to host paths gets them inside its tree.
busybox_rootfs "$SCRATCH/ci"
mkdir -p "$SCRATCH/ci/usr/bin" "$SCRATCH/ci/etc"
printf '#!/bin/sh\n' >"$SCRATCH/ci/usr/bin/cloud-init"
chmod 755 "$SCRATCH/ci/usr/bin/cloud-init"
import_ct withci "$SCRATCH/ci"
busybox_rootfs "$SCRATCH/evil"
# the links' targets exist on the host and in the tree: the host's must stay empty
mkdir -p "$SCRATCH/host-var" "$SCRATCH/host-ssh" "$SCRATCH/evil$SCRATCH/host-var" "$SCRATCH/evil$SCRATCH/host-ssh"
ln -s "$SCRATCH/host-var" "$SCRATCH/evil/var"
ln -s "$SCRATCH/host-ssh" "$SCRATCH/evil/root/.ssh"
import_ct evil "$SCRATCH/evil"
expect_status 0 berth create s2 --kind ct --image withci --cpus 1 --memory 64M --ssh-key "$SCRATCH/k1.pub" --start
expect_status 0 berth create s3 --kind ct --image evil --cpus 1 --memory 64M --ssh-key "$SCRATCH/k1.pub" --start
[ -f "$STATE/servers/s2/rootfs/var/lib/cloud/seed/nocloud-net/meta-data" ] || fail "s2 has no seed"
[ ! -e "$STATE/servers/s2/rootfs/root/.ssh" ] || fail "s2 (cloud-init) got /root/.ssh from berthd"
[ -z "$(find "$SCRATCH/host-var" "$SCRATCH/host-ssh" -mindepth 1)" ] || fail "the seed went through a symlink to the host: $(find "$SCRATCH/host-var" "$SCRATCH/host-ssh" -ls)"
[ -f "$STATE/servers/s3/rootfs$SCRATCH/host-var/lib/cloud/seed/nocloud-net/meta-data" ] ||
	fail "s3's seed is not where its var link points inside its tree"
[ -f "$STATE/servers/s3/rootfs$SCRATCH/host-ssh/authorized_keys" ] || fail "s3's keys are not inside its tree"
[ "$(jq -r '.["local-hostname"]' "$STATE/servers/s2/rootfs/var/lib/cloud/seed/nocloud-net/meta-data")" = s2 ] ||
	fail "s2's meta-data"
echo "ok: cloud-init images get the seed alone; symlinks of an image stay in its tree"

# Bad input: 400, nothing created.
body() { printf '{"name":"bad","kind":"ct","image":"bb","cpus":1,"memory":"64M",%s}' "$1"; }
refused() { # refused NEEDLE BODY_FIELDS
	expect_api 400 POST /1.0/servers "$(body "$2")"
	[[ $(jq -r .error <<<"$REPLY") == *"$1"* ]] || fail "error lacks '$1': $REPLY"
	expect_api 404 GET /1.0/servers/bad
}
refused "not a key of type ssh-ed25519" '"ssh_keys":["ssh-ed25519 QUFBQQ=="]'
refused "not base64" '"ssh_keys":["ssh-ed25519 %%%%"]'
refused "type 'ssh-foo' is not one of" '"ssh_keys":["ssh-foo AAAA"]'
refused "must be an array" '"ssh_keys":"ssh-ed25519 AAAA"'
keys=$(for i in $(seq 33); do printf '"%s",' "$(cat "$SCRATCH/k1.pub")"; done)
refused "33 keys: at most 32" "\"ssh_keys\":[${keys%,}]"
big=$(head -c 65537 /dev/zero | tr '\0' x)
refused "'user_data' is 65537 bytes: at most 65536" "\"user_data\":\"$big\""
head -c 65537 /dev/zero | tr '\0' x >"$SCRATCH/big"
expect_status 2 berth create bad --kind ct --image bb --cpus 1 --memory 64M --user-data "$SCRATCH/big"
expect_output "is over 65536 bytes"
expect_status 1 berth create bad --kind ct --image bb --cpus 1 --memory 64M --ssh-key "ssh-ed25519 QUFBQQ== x"
expect_output "not a key of type ssh-ed25519"
expect_api 404 GET /1.0/servers/bad
echo "ok: bad keys and user-data are refused, nothing is created"
