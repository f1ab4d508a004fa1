#!/usr/bin/env bash
# The Debian cloud kernel boots to /init with --cpus 2 --mem 512M, the guest sees 2 CPUs and
# about 512 MiB, and its poweroff ends berth-vmm with status 0.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
echo "guest-cpus=$(nproc)"
echo "guest-memkb=$(awk '/MemTotal/{print $2}' /proc/meminfo)"
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
expect_status 0 guest_vmm --cpus 2 --mem 512M
OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
expect_output "berth-kit: ready"
expect_output "guest-cpus=2"
expect_output "berth-kit: exit 0"
kb=$(printf '%s\n' "$OUT" | sed -n 's/^guest-memkb=//p')
# 512 MiB less what the kernel keeps for itself.
[ "$kb" -gt $((440 * 1024)) ] && [ "$kb" -le $((512 * 1024)) ] || fail "guest saw $kb KiB of RAM"
echo "ok: 2 CPUs, $kb KiB"
