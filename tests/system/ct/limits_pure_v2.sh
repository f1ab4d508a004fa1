#!/usr/bin/env bash
# limits_pure_v2.sh - limits.sh on a pure cgroup v2 host, where its v2 run can check the
# memory, pids and cpu limits; this hybrid host (which keeps memory, pids, cpu and io in cgroup
# v1, and a controller cannot move while v1 uses it) runs it in the test rig (run_pure_v2).
# timeout: 1000
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
need_root
run_pure_v2 tests/system/ct/limits.sh 300 "memory limit enforced" \
	"memory limit, reservation and swap written" "pids limit enforced" \
	"cpu weight, quota/period and cpuset written" "memory.min set from linux.resources.unified"
