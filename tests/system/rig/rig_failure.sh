#!/usr/bin/env bash
# timeout: 200
# tests/rig/run tells its own failures from the command's: a command's status comes back
# as it is, and a rig whose kernel dies under the command (here: reset by sysrq, so it
# says next to nothing) ends with 125, the status the VM tests retry on, and a reason;
# rig_try (tests/system/lib.sh) retries that, and only that.
. "$(dirname "$0")/../lib.sh"
need_root
tests_rig=$ROOT/tests/rig
"$tests_rig/need" || skip "this host's KVM runs Linux guests directly: the rig is not used"
reason=$("$tests_rig/available") || skip "$reason"

expect_status 7 "$tests_rig/run" -- bash -c 'exit 7'
expect_status 125 "$tests_rig/run" -- bash -c 'echo b >/proc/sysrq-trigger; sleep 60'
expect_output "rig: the rig stopped without an exit status"
echo "ok: a command's status passes through; a rig that dies gives 125 and says so"

# rig_try tries such a rig three times in all, a command's own failure once.
expect_status 125 rig_try run -- bash -c 'echo b >/proc/sysrq-trigger; sleep 60'
[ "$(grep -c 'the rig itself failed (status 125); running the test again' <<<"$OUT")" = 2 ] ||
	fail "rig_try did not try three times: $OUT"
expect_status 7 rig_try run -- bash -c 'exit 7'
[[ $OUT != *"running the test again"* ]] || fail "rig_try retried a command's own failure: $OUT"
echo "ok: rig_try retries a rig that died, twice, and never a command that failed"
