#!/usr/bin/env bash
# limits_pure_v2.sh - resource limits on a pure cgroup v2 host. This host keeps memory, pids,
# cpu and io in cgroup v1, so the v2 runs of limits.sh cannot check them here; the test rig
# (tests/rig: a VM with its own kernel) mounts cgroup2 alone, with every controller, so
# limits.sh's v2 run checks them there. On a pure v2 host this simply runs limits.sh.
# timeout: 400
set -eu
cd "$(dirname "$0")/../../.."
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
if ! tests/rig/need; then
	exec tests/system/ct/limits.sh
fi
reason=$(tests/rig/available) || { echo "SKIP: $reason"; exit 77; }
# FIFOs and sockets do not work on the rig's shared /tmp (9p): work in its /run (tmpfs).
out=$(tests/rig/run --timeout 360 -- sh -c \
	'mkdir -p /run/ct-tmp && grep -q memory /sys/fs/cgroup/cgroup.controllers &&
	 CT_IN_V2=1 TMPDIR=/run/ct-tmp tests/system/ct/limits.sh' 2>&1) || { echo "$out"; exit 1; }
echo "$out"
for check in "memory limit enforced" "pids limit enforced" "cpu shares, quota/period and cpuset written" \
	"memory.min set from linux.resources.unified"; do
	echo "$out" | grep -q "ok \[v2\]: $check" || { echo "FAIL: no '$check' on pure v2"; exit 1; }
done
