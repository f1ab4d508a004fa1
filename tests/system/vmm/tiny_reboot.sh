#!/usr/bin/env bash
# A guest reset boots the VM again; with --no-reboot it ends the VMM with status 0.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
need_kvm
scratch

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-reset.bzImage" --no-reboot
expect_output "the guest rebooted; exiting (--no-reboot)"

# Without --no-reboot the guest (which resets at once, every boot) is booted again and again.
"$VMM" --kernel "$GUESTS/tiny-reset.bzImage" 2>"$SCRATCH/log" &
pid=$!
for _ in $(seq 100); do
	[ "$(grep -c 'booting it again' "$SCRATCH/log")" -ge 3 ] && break
	sleep 0.1
done
kill -TERM "$pid"; sleep 0.3; kill -TERM "$pid" 2>/dev/null || true  # two pending SIGTERMs would merge into one
wait "$pid" || true
n=$(grep -c 'booting it again' "$SCRATCH/log")
[ "$n" -ge 3 ] || fail "expected at least 3 reboots, saw $n: $(cat "$SCRATCH/log")"
echo "ok: $n reboots"
