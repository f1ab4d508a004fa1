#!/usr/bin/env bash
# timeout: 800
# The rig works end to end: inside it (or directly, on a host whose KVM runs stock
# guests) /dev/kvm exists, the rig's network modules are loaded, and QEMU with
# -accel kvm boots the kit's cloud kernel with a kit initramfs whose script reports the
# guest's CPU count and memory, then powers the guest off.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"

if ! reason=$(tests/rig/available); then
	echo "skip: $reason"
	exit 77
fi
command -v qemu-system-x86_64 >/dev/null || { echo "skip: no qemu-system-x86_64"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/guest.sh" <<'GUEST'
echo "guest nproc: $(nproc)"
grep MemTotal /proc/meminfo
GUEST
tests/kit/mkinitrd -o "$work/initrd.cpio.gz" --script "$work/guest.sh"
kernel=$(tests/kit/kernel)

# Runs where KVM works (in the rig when needed). Exits non-zero on the first problem.
cat >"$work/inside.sh" <<INSIDE
set -euo pipefail
test -c /dev/kvm || { echo "no /dev/kvm"; exit 1; }
echo "kvm: ok"
if [ "\${BERTH_RIG:-0}" = 1 ]; then
	for m in kvm_amd tun bridge veth; do
		grep -q "^\$m " /proc/modules || { echo "module \$m not loaded in the rig"; exit 1; }
	done
	echo "rig modules: ok"
fi
# q35 boots this guest in ~8 s inside the rig, microvm in ~10-11 s.
start=\$(date +%s%N)
timeout 150 qemu-system-x86_64 -accel kvm -M q35 -cpu host -smp 2 -m 512 \
	-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
	-kernel "$kernel" -initrd "$work/initrd.cpio.gz" \
	-append "console=ttyS0 reboot=k panic=-1 quiet" </dev/null
echo "guest took \$(( (\$(date +%s%N) - start) / 1000000 )) ms"
INSIDE

start=$(date +%s%N)
# The guest's console adds \r to its line ends.
rig_try maybe --timeout 240 -- bash "$work/inside.sh" | tr -d '\r' | tee "$work/out"
echo "total $(( ($(date +%s%N) - start) / 1000000 )) ms"

expect() {
	grep -q -- "$1" "$work/out" || { echo "FAIL: expected output: $1"; exit 1; }
}
expect '^kvm: ok'
expect 'berth-kit: ready' # SeaBIOS's escape codes may precede it
expect '^guest nproc: 2$'
expect 'berth-kit: exit 0$'
mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB.*/\1/p' "$work/out")
[ -n "$mem" ] && [ "$mem" -gt 400000 ] && [ "$mem" -le 524288 ] || { echo "FAIL: MemTotal ${mem:-missing} kB for a 512 MiB guest"; exit 1; }
echo "PASS"
