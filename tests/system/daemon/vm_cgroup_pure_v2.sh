#!/usr/bin/env bash
# vm_cgroup_pure_v2.sh - vm_cgroup.sh on a pure cgroup v2 host: cpu.max, memory.max and
# pids.max of each VMM's cgroup, throttling, the memory limit and the cleanup after a
# restart, where berthd drives them through cgroup2. A pure v2 host runs vm_cgroup.sh
# directly; any other (this hybrid one keeps cpu, memory and pids in v1) runs it inside the
# test rig, whose kernel mounts cgroup2 alone at /sys/fs/cgroup (and whose KVM runs the tiny
# guests).
# timeout: 1000
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }

pure_v2() {
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers
}

if pure_v2; then
	out=$(tests/system/daemon/vm_cgroup.sh 2>&1) || { echo "$out"; exit 1; }
else
	reason=$(BERTH_RIG_FORCE=1 tests/rig/available) || { echo "SKIP: $reason"; exit 77; }
	# Unix sockets do not work on the rig's shared /tmp (9p): work in its /run (tmpfs).
	out=$(rig_try run --timeout 600 -- sh -c '
		grep -qw memory /sys/fs/cgroup/cgroup.controllers ||
			{ echo "the rig has no cgroup2 memory controller at /sys/fs/cgroup"; exit 1; }
		mkdir -p /run/vmcg-tmp && TMPDIR=/run/vmcg-tmp tests/system/daemon/vm_cgroup.sh' 2>&1) ||
		{ echo "$out"; exit 1; }
fi
echo "$out"
for check in "the VMM is in its cgroup" "stop removes the cgroup" \
	"throttled to about one host CPU" "memory past the VM's limit is never given" \
	"adopted after a berthd SIGKILL" "loses its cgroup at berthd's start"; do
	echo "$out" | grep -q "ok \[v2\]: .*$check" || { echo "FAIL: no '$check' on pure v2"; exit 1; }
done
