#!/usr/bin/env bash
# timeout: 120
# tests/rig/run tells its own failures from the command's: a command's status comes back
# as it is, and a rig whose kernel dies under the command (here: reset by sysrq, so it
# says next to nothing) ends with 125, the status the VM tests retry on, and a reason.
. "$(dirname "$0")/../lib.sh"
need_root
tests_rig=$ROOT/tests/rig
"$tests_rig/need" || skip "this host's KVM runs Linux guests directly: the rig is not used"
reason=$("$tests_rig/available") || skip "$reason"

expect_status 7 "$tests_rig/run" -- bash -c 'exit 7'
expect_status 125 "$tests_rig/run" -- bash -c 'echo b >/proc/sysrq-trigger; sleep 60'
expect_output "rig: the rig stopped without an exit status"
echo "ok: a command's status passes through; a rig that dies gives 125 and says so"
