#!/usr/bin/env bash
# demo.sh - the README's demo (scripts/demo) does what it says: through berthd and the berth
# CLI, a VM and a container are created from the busybox images, started, listed together
# with their kinds, states, addresses and reservations, reach each other (the VM's console,
# berth exec in the container), are stopped and deleted, and the ledger is empty again.
# timeout: 900
. "$(dirname "$0")/../lib.sh"
# its containers need user namespaces, which the rig refuses to a chrooted command
export BERTH_RIG_ROOT=move
need_root
if "$ROOT/tests/rig/need"; then
	reason=$("$ROOT/tests/rig/available") || skip "$reason"
fi
for p in berthd berth berth-vmm berth-ct berth-console; do
	[ -x "$BUILD/$p" ] || skip "build/$p is not built (make)"
done
command -v jq >/dev/null || skip "needs jq"

# The rig now and then fails itself (125) or hangs (124), or stalls long enough that the
# VM's boot misses the demo's 2 minutes (seen once in CI: its console stopped early in the
# kernel's boot while the same tree passed by hand): tried again, as rig_try does.
for attempt in 1 2 3; do
	rc=0
	OUT=$("$ROOT/scripts/demo" </dev/null 2>&1) || rc=$?
	[ "$rc" = 124 ] || [ "$rc" = 125 ] || [[ $OUT == *"the VM did not boot within"* ]] || break
	echo "the rig failed ($rc) in try $attempt"
done
[ "$rc" = 0 ] || fail "scripts/demo exited $rc:
$OUT"
OUT=$(tr -d '\r' <<<"$OUT")
# a container's own host ids; a VM has none
grep -Eq '^db +ct +running +1 +128 MiB +256 MiB +10\.189\.0\.[0-9]+ +[0-9]+-[0-9]+$' <<<"$OUT" ||
	fail "berth list does not show the container: $OUT"
grep -Eq '^web +vm +running +1 +256 MiB +128 MiB +10\.189\.0\.[0-9]+ +-$' <<<"$OUT" ||
	fail "berth list does not show the VM: $OUT"
[ "$(grep -c '2 packets transmitted, 2 packets received' <<<"$OUT")" = 2 ] ||
	fail "the VM and the container did not reach each other: $OUT"
expect_output "PID 1 is init, hostname db"
[ "$(grep -c '^servers: 0,' <<<"$OUT")" = 2 ] || fail "the ledger is not empty at the end: $OUT"
echo "ok: the demo created, listed, connected, stopped and deleted a VM and a container"
[ -z "$(ip -o link show berthdemo0 2>/dev/null)" ] || fail "the demo left its bridge"
