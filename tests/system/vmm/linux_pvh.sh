#!/usr/bin/env bash
# The kit's Debian cloud kernel boots through PVH: berth-vmm --decompress extracts its vmlinux
# once into a directory (named by the bzImage's sha256) and boots it with 2 CPUs, an initramfs
# and a command line; the next start reuses the file, and the vmlinux given as --kernel boots
# too. The guest's boot_params say which entry it came through: type_of_loader 0xb0 is what
# the kernel's own PVH code writes on a non-Xen host (0xff is berth-vmm's bzImage loader).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
echo "guest-cpus=$(nproc)"
echo "guest-cmdline=$(cat /proc/cmdline)"
echo "guest-loader=$(od -An -tx1 -j 528 -N1 /sys/kernel/boot_params/data | tr -d ' ')"
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
mkdir -p "$SCRATCH/cache"
check_guest() {
	OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
	expect_output "berth-kit: ready"
	expect_output "guest-cpus=2"
	expect_output "guest-cmdline=$GUEST_CMDLINE pvh-test=1"
	expect_output "guest-loader=b0"
	expect_output "berth-kit: exit 0"
}
expect_status 0 guest_vmm --decompress "$SCRATCH/cache" --cpus 2 --mem 512M \
	--cmdline "$GUEST_CMDLINE pvh-test=1"
check_guest
sum=$(sha256sum "$(cat "$SCRATCH/kernel-path")" | cut -d' ' -f1)
vmlinux=$SCRATCH/cache/vmlinux-$sum
[ -f "$vmlinux" ] || fail "no $vmlinux: $(ls -la "$SCRATCH/cache")"
[ "$(head -c4 "$vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "$vmlinux is not ELF"
[ "$(find "$SCRATCH/cache" -type f | wc -l)" = 1 ] || fail "temporary files left: $(ls -la "$SCRATCH/cache")"
before=$(stat -c %Y.%i "$vmlinux")
expect_status 0 guest_vmm --decompress "$SCRATCH/cache" --cpus 2 --mem 512M \
	--cmdline "$GUEST_CMDLINE pvh-test=1"
check_guest
[ "$(stat -c %Y.%i "$vmlinux")" = "$before" ] || fail "the vmlinux was extracted again"
GUEST_VMM[2]=$vmlinux
expect_status 0 guest_vmm --cpus 2 --mem 512M --cmdline "$GUEST_CMDLINE pvh-test=1"
check_guest
echo "ok: PVH boot with 2 CPUs, extracted once"
