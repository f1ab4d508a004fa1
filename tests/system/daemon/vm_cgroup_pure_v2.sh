#!/usr/bin/env bash
# vm_cgroup_pure_v2.sh - vm_cgroup.sh on a pure cgroup v2 host: cpu.max, memory.max and
# pids.max of each VMM's cgroup, throttling, the memory limit and the cleanup after a
# restart, where berthd drives them through cgroup2; this hybrid host (which keeps cpu, memory
# and pids in v1) runs it in the test rig (run_pure_v2), whose KVM runs the tiny guests too.
# timeout: 1000
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
need_root
run_pure_v2 tests/system/daemon/vm_cgroup.sh 600 "the VMM is in its cgroup" \
	"stop removes the cgroup" "throttled to about one host CPU" \
	"memory past the VM's limit is never given" "adopted after a berthd SIGKILL" \
	"loses its cgroup at berthd's start"
