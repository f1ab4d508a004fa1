#!/usr/bin/env bash
# The images scripts/mkimage builds for berthd work: busybox-ct's rootfs runs under
# berth-ct with busybox init as PID 1 (its rcS ran) and stops on SIGTERM; kit-vm's kernel,
# initrd and ext4 disk.img boot under berth-vmm (in the rig where KVM cannot run Linux) and
# the guest mounts the disk and reads its marker file.
# timeout: 600
. "$(dirname "$0")/../vmm/guest.sh"
CT=$BUILD/berth-ct

if [ "${1:-}" = --inside ]; then
	SCRATCH=$2
	vm=$SCRATCH/vm
	expect_status 0 timeout 240 "$VMM" --kernel "$vm/kernel" --initrd "$vm/initrd" \
		--disk "$vm/disk.img" --mem 512M --cmdline "$GUEST_CMDLINE" </dev/null
	OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
	expect_output "disk: berth-kit disk, made"
	expect_output "berth-kit: exit 0"
	echo "ok: kit-vm boots and mounts its disk.img"
	exit 0
fi

need_root
scratch
[ -x "$CT" ] || skip "build berth-ct first (make)"

# busybox-ct under berth-ct
"$ROOT/scripts/mkimage" busybox-ct "$SCRATCH/bb.tar.gz"
mkdir "$SCRATCH/rootfs"
tar --numeric-owner -xpf "$SCRATCH/bb.tar.gz" -C "$SCRATCH/rootfs"
# rcS leaves a mark where the test can see it
echo 'hostname > /tmp/booted' >>"$SCRATCH/rootfs/etc/init.d/rcS"
ctroot=$SCRATCH/run
ct() { "$CT" --root "$ctroot" "$@"; }
trap 'ct delete --force bbimg >/dev/null 2>&1 || true; rm -rf "$SCRATCH"' EXIT
mkdir "$SCRATCH/bundle"
"$CT" spec --bundle "$SCRATCH/bundle"
jq --arg root "$SCRATCH/rootfs" '.root = {path: $root, readonly: false} |
	.process.terminal = false | .process.args = ["/sbin/init"] | .hostname = "bbimg"' \
	"$SCRATCH/bundle/config.json" >"$SCRATCH/bundle/config.json.new"
mv "$SCRATCH/bundle/config.json.new" "$SCRATCH/bundle/config.json"
ct create --bundle "$SCRATCH/bundle" bbimg
ct start bbimg
for _ in $(seq 1 100); do [ -s "$SCRATCH/rootfs/tmp/booted" ] && break; sleep 0.05; done
[ "$(cat "$SCRATCH/rootfs/tmp/booted" 2>/dev/null)" = bbimg ] || fail "rcS did not run in the container"
[ "$(ct exec bbimg cat /proc/1/comm)" = init ] || fail "busybox init is not PID 1"
ct kill bbimg TERM
for _ in $(seq 1 200); do
	ct state bbimg | jq -e '.status == "stopped"' >/dev/null && break
	sleep 0.05
done
ct state bbimg | jq -e '.status == "stopped"' >/dev/null || fail "SIGTERM did not stop busybox init"
ct delete bbimg
echo "ok: busybox-ct runs busybox init as PID 1 and stops on SIGTERM"

# kit-vm, booted where KVM runs Linux
reason=$("$ROOT/tests/rig/available") || skip "kit-vm not booted: $reason"
cat >"$SCRATCH/guest.sh" <<'GUEST'
mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo "disk: $(cat /mnt/berth-kit-disk)"
umount /mnt
GUEST
"$ROOT/scripts/mkimage" kit-vm "$SCRATCH/vm" --script "$SCRATCH/guest.sh"
"$ROOT/tests/rig/maybe" --timeout 300 -- "$0" --inside "$SCRATCH"
