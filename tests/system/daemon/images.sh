#!/usr/bin/env bash
# The images scripts/mkimage builds for berthd work: busybox-ct's rootfs runs under
# berth-ct with busybox init as PID 1 (its rcS ran) and stops on SIGTERM; kit-vm's kernel,
# initrd and ext4 disk.img boot under berth-vmm (in the rig where KVM cannot run Linux) and
# the guest mounts the disk and reads its marker file.
# With BERTH_TEST_DEBIAN=1 (a debootstrap each, minutes): debian-ct the same way as
# busybox-ct, and debian-vm boots systemd from its disk.img to a login prompt and powers
# off on SIGTERM.
# timeout: 1000
. "$(dirname "$0")/../vmm/guest.sh"
CT=$BUILD/berth-ct

# inside_kit: boot kit-vm, whose initrd runs a script that mounts disk.img.
inside_kit() {
	local vm=$SCRATCH/kit
	expect_status 0 timeout 240 "$VMM" --kernel "$vm/kernel" --initrd "$vm/initrd" \
		--disk "$vm/disk.img" --mem 512M --cmdline "$GUEST_CMDLINE" </dev/null
	OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
	expect_output "disk: berth-kit disk, made"
	expect_output "berth-kit: exit 0"
	echo "ok: kit-vm boots and mounts its disk.img"
}

# inside_debian: boot debian-vm to its login prompt, then SIGTERM (the power button).
inside_debian() {
	local vm=$SCRATCH/debian pid
	"$VMM" --kernel "$vm/kernel" --initrd "$vm/initrd" --disk "$vm/disk.img" --mem 1G \
		--cpus 2 --cmdline "console=ttyS0 reboot=k panic=-1" </dev/null >"$SCRATCH/debian.out" 2>&1 &
	pid=$!
	wait_for "$SCRATCH/debian.out" "berth-debian login:" 1 180
	kill -TERM "$pid"
	wait_exit "$pid" 120 "$SCRATCH/debian.out"
	[ "$RC" -eq 0 ] || fail "debian-vm's VMM exited $RC: $(tail -5 "$SCRATCH/debian.out")"
	echo "ok: debian-vm boots systemd from disk.img and powers off on SIGTERM"
}

if [ "${1:-}" = --inside ]; then
	SCRATCH=$2
	inside_kit
	[ ! -d "$SCRATCH/debian" ] || inside_debian
	exit 0
fi

need_root
scratch
[ -x "$CT" ] || skip "build berth-ct first (make)"
ctroot=$SCRATCH/run
ct() { "$CT" --root "$ctroot" "$@"; }
trap 'ct delete --force img >/dev/null 2>&1 || true; rm -rf "$SCRATCH"' EXIT

# run_ct_image TARBALL NAME: extract it, run /sbin/init under berth-ct, check its rcS ran
# and it is PID 1, stop it with SIGTERM.
run_ct_image() {
	local tarball=$1 name=$2 rootfs=$SCRATCH/$2 bundle=$SCRATCH/$2.bundle
	mkdir "$rootfs" "$bundle"
	tar --numeric-owner -xpf "$tarball" -C "$rootfs"
	echo 'hostname > /tmp/booted' >"$rootfs/etc/rc.local"
	chmod 755 "$rootfs/etc/rc.local"
	"$CT" spec --bundle "$bundle"
	jq --arg root "$rootfs" '.root = {path: $root, readonly: false} |
		.process.terminal = false | .process.args = ["/sbin/init"] | .hostname = "img"' \
		"$bundle/config.json" >"$bundle/config.json.new"
	mv "$bundle/config.json.new" "$bundle/config.json"
	ct create --bundle "$bundle" img
	ct start img
	for _ in $(seq 1 100); do [ -s "$rootfs/tmp/booted" ] && break; sleep 0.05; done
	[ "$(cat "$rootfs/tmp/booted" 2>/dev/null)" = img ] || fail "$name: rcS did not run"
	[ "$(ct exec img cat /proc/1/comm)" = init ] || fail "$name: busybox init is not PID 1"
	ct kill img TERM
	for _ in $(seq 1 200); do
		ct state img | jq -e '.status == "stopped"' >/dev/null && break
		sleep 0.05
	done
	ct state img | jq -e '.status == "stopped"' >/dev/null || fail "$name: SIGTERM did not stop it"
	ct delete img
	echo "ok: $name runs busybox init as PID 1 and stops on SIGTERM"
}

"$ROOT/scripts/mkimage" busybox-ct "$SCRATCH/bb.tar.gz"
run_ct_image "$SCRATCH/bb.tar.gz" busybox-ct
if [ "${BERTH_TEST_DEBIAN:-}" = 1 ]; then
	"$ROOT/scripts/mkimage" debian-ct "$SCRATCH/debian.tar.zst"
	run_ct_image "$SCRATCH/debian.tar.zst" debian-ct
	[ "$(cat "$SCRATCH/debian-ct/etc/debian_version")" != "" ] || fail "debian-ct has no debian_version"
fi

reason=$("$ROOT/tests/rig/available") || skip "VM images not booted: $reason"
cat >"$SCRATCH/guest.sh" <<'GUEST'
mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && echo "disk: $(cat /mnt/berth-kit-disk)"
umount /mnt
GUEST
"$ROOT/scripts/mkimage" kit-vm "$SCRATCH/kit" --script "$SCRATCH/guest.sh"
[ "${BERTH_TEST_DEBIAN:-}" != 1 ] || "$ROOT/scripts/mkimage" debian-vm "$SCRATCH/debian"
rig_try maybe --timeout 300 -- "$0" --inside "$SCRATCH"
