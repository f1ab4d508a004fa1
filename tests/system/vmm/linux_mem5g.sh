#!/usr/bin/env bash
# A 5 GiB guest: RAM continues above 4 GiB, past the hole for devices, and Linux uses it all.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<<'echo "guest-memkb=$(awk "/MemTotal/{print \$2}" /proc/meminfo)"'
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
expect_status 0 guest_vmm --mem 5G
kb=$(printf '%s\n' "$OUT" | tr -d '\r' | sed -n 's/^guest-memkb=//p')
[ "${kb:-0}" -gt $((4800 * 1024)) ] || fail "guest saw ${kb:-no} KiB of RAM: $OUT"
echo "ok: $kb KiB"
