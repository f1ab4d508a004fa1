#!/usr/bin/env bash
# systemd_ct_pure_v2.sh - systemd_ct.sh on a pure cgroup v2 host: systemd as PID 1 of an
# unprivileged berthd container runs in unified mode, in the one v2 directory delegated to
# it (cgroup.procs, cgroup.subtree_control, cgroup.threads its root's), and `berth exec`
# still enters a container whose cgroup systemd has made an inner node (no process may join
# it: exec'd processes go to the init's init.scope). A pure v2 host runs systemd_ct.sh
# directly; this hybrid one runs it in the test rig, whose kernel mounts cgroup2 alone at
# /sys/fs/cgroup (remounted with nsdelegate, as systemd mounts it on a host), in a mount
# namespace whose root is the host's tree (BERTH_RIG_ROOT=move: the container needs a user
# namespace). The image is built on the host first (debootstrap needs the mirror; the rig
# has no network), once; the output streams, so a slow rig shows where it is.
# timeout: 1500
. "$(dirname "$0")/lib/daemon.bash"
cd "$ROOT"
need_root
need_berth_cli
systemd_image
export BERTH_RIG_ROOT=move
checks=("systemd boots to" "systemd's subtree in /sys/fs/cgroup/berth/"
	"systemd enabled '" "its cgroup subtree is bounded" "berth exec runs systemctl" "berth stop halts systemd cleanly")

rc=0
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	tests/system/daemon/systemd_ct.sh 2>&1 | tee "$SCRATCH/out" || rc=$?
else
	reason=$(BERTH_RIG_FORCE=1 tests/rig/available) || skip "$reason"
	# Unix sockets do not work on the rig's shared /tmp (9p): the test works in its /run.
	rig_try run --timeout 400 -- sh -c '
		[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] ||
			{ echo "the rig has no cgroup2 at /sys/fs/cgroup"; exit 1; }
		mount -o remount,nsdelegate /sys/fs/cgroup || exit 1
		mkdir -p /run/sd-tmp && TMPDIR=/run/sd-tmp exec "$0"' \
		tests/system/daemon/systemd_ct.sh 2>&1 | tee "$SCRATCH/out" || rc=$?
fi
[ "$rc" -ne 77 ] || skip "$(tail -n 1 "$SCRATCH/out")"
[ "$rc" -eq 0 ] || fail "systemd_ct.sh failed on pure cgroup v2 (status $rc)"
for check in "${checks[@]}"; do
	grep -qF "ok: $check" "$SCRATCH/out" || fail "no '$check' on pure cgroup v2"
done
