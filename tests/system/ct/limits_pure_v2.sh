#!/usr/bin/env bash
# limits_pure_v2.sh - limits.sh on a pure cgroup v2 host, where its v2 run can check the
# memory, pids and cpu limits. A pure v2 host (cgroup2 at /sys/fs/cgroup holding the memory
# controller) runs limits.sh directly. Any other host (this hybrid one keeps memory, pids, cpu
# and io in cgroup v1, and a controller cannot move while v1 uses it) runs it inside the test
# rig (tests/rig: a VM with its own kernel that mounts cgroup2 alone at /sys/fs/cgroup).
# timeout: 1000
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }

pure_v2() {
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers
}

if pure_v2; then
	out=$(tests/system/ct/limits.sh 2>&1) || { echo "$out"; exit 1; }
else
	# whether the rig can run here, whatever the host's own KVM can do
	reason=$(BERTH_RIG_FORCE=1 tests/rig/available) || { echo "SKIP: $reason"; exit 77; }
	# FIFOs and sockets do not work on the rig's shared /tmp (9p): work in its /run (tmpfs).
	out=$(rig_try run --timeout 300 -- sh -c '
		grep -qw memory /sys/fs/cgroup/cgroup.controllers ||
			{ echo "the rig has no cgroup2 memory controller at /sys/fs/cgroup"; exit 1; }
		mkdir -p /run/ct-tmp && TMPDIR=/run/ct-tmp tests/system/ct/limits.sh' 2>&1) ||
		{ echo "$out"; exit 1; }
fi
echo "$out"
for check in "memory limit enforced" "memory limit, reservation and swap written" \
	"pids limit enforced" "cpu weight, quota/period and cpuset written" \
	"memory.min set from linux.resources.unified"; do
	echo "$out" | grep -q "ok \[v2\]: $check" || { echo "FAIL: no '$check' on pure v2"; exit 1; }
done
