#!/usr/bin/env bash
# systemd_ct.sh - a customer's Debian with systemd as PID 1 (scripts/mkimage
# debian-systemd-ct, debootstrap) boots in an unprivileged berthd container to `systemctl
# is-system-running` = running or degraded, with its own cgroup subtree (on this host's
# cgroup layout: v1's name=systemd hierarchy on a hybrid host, the unified one on a v2 host);
# `berth exec` works in it; `berth stop` shuts it down through systemd (SIGRTMIN+3), and the
# subtree systemd made goes with the container.
# The image is built once (minutes) into $BERTH_CACHE/images (default ~/.cache/berth).
# systemd_ct_pure_v2.sh runs this on a pure cgroup v2 host.
# timeout: 900
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli
command -v debugfs >/dev/null || skip "needs debugfs (e2fsprogs)"
systemd_image

printf 'idmap = 3000000:1000000000\n' >"$SCRATCH/berthd.conf"
start_berthd --host-cpus 16 --host-memory 8G
import_ct debian "$SYSTEMD_IMAGE"
echo "imported $SYSTEMD_IMAGE; creating and starting the container"
expect_status 0 berth create sd --kind ct --image debian --cpus 1 --memory 512M --start
echo "started; waiting for systemd's boot to end"
start=$(berth show sd --format json | jq -r '.idmap.uid')
[ "$start" -ge 3000000 ] || fail "sd has no range of its own: $start"

# is-system-running waits for the boot to end (starting, then running or degraded); it
# exits 1 until then, so a failing `berth exec` itself (no systemctl ran) ends the wait
state=
for _ in $(seq 1 120); do
	expect_status 0 berth exec sd -- sh -c 'systemctl is-system-running || true'
	state=$OUT
	case $state in running | degraded) break ;; esac
	sleep 1
done
case $state in
running | degraded) ;;
*)
	berth exec sd -- systemctl --failed --no-pager 2>&1 | tail -n 20 >&2 || true
	fail "systemd did not finish booting: is-system-running says '$state'"
	;;
esac
[ "$state" = running ] || echo "note: degraded; failed units: $(berth exec sd -- systemctl --failed --plain --no-legend --no-pager 2>&1 | awk '{print $1}' | tr '\n' ' ')"
expect_status 0 berth exec sd -- cat /proc/1/comm
[ "$OUT" = systemd ] || fail "PID 1 is '$OUT', not systemd"
expect_status 0 berth exec sd -- cat /proc/self/uid_map
[ "$(echo $OUT)" = "0 $start 65536" ] || fail "not in its own user namespace: uid_map '$OUT'"
expect_status 0 berth exec sd -- systemd-detect-virt --container
[ "$OUT" = container-other ] || [ "$OUT" = berth ] || fail "systemd-detect-virt says '$OUT'"
echo "ok: systemd boots to '$state' as PID 1 in a user namespace (uid_map 0 $start 65536)"

# its own subtree: systemd put itself in init.scope, made system.slice below the cgroup the
# container was given, owned by the container's root
cg=$(berth exec sd -- cat /proc/1/cgroup)
grep -qE ':/init\.scope$' <<<"$cg" || fail "systemd is not in its own init.scope: $cg"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	host=$(awk -F: '$1 == 0 { print "/sys/fs/cgroup" $3 }' "/proc/$(berth show sd --format json | jq -r .pid)/cgroup")
else
	host=$(awk -F: '$2 == "name=systemd" { print "/sys/fs/cgroup/systemd" $3 }' "/proc/$(berth show sd --format json | jq -r .pid)/cgroup")
fi
host=${host%/init.scope}
[ -d "$host/system.slice" ] || fail "no system.slice in the container's cgroup $host"
[ "$(stat -c %u "$host")" = "$start" ] || fail "the container's cgroup $host is not its root's: $(stat -c %u "$host")"
echo "ok: systemd's subtree in $host (init.scope, system.slice), delegated to $start"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	# v2: systemd gave its units controllers, so no process may join the container's own
	# cgroup any more; berth exec goes to the init's
	ctl=$(cat "$host/cgroup.subtree_control")
	[ -n "$ctl" ] || fail "systemd enabled no controller in $host"
	expect_status 0 berth exec sd -- cat /proc/self/cgroup
	[ "$OUT" = 0::/init.scope ] || fail "berth exec is not in init.scope: $OUT"
	echo "ok: systemd enabled '$ctl' for its units; berth exec joins init.scope"
	# its subtree is bounded, and the bounds are not its root's to raise
	[ "$(cat "$host/cgroup.max.descendants")" = 1024 ] && [ "$(cat "$host/cgroup.max.depth")" = 16 ] ||
		fail "the container's cgroup is not bounded: $(cat "$host/cgroup.max.descendants" "$host/cgroup.max.depth")"
	expect_status 0 berth exec sd -- sh -c '{ echo max >/sys/fs/cgroup/cgroup.max.descendants; } 2>/dev/null && echo raised || echo refused'
	[ "$OUT" = refused ] || fail "the container raised its own cgroup.max.descendants: $OUT"
	echo "ok: its cgroup subtree is bounded (1024 cgroups, 16 deep), which its root cannot raise"
fi

# a service it starts runs, and a shell from berth exec sees it
expect_status 0 berth exec sd -- systemd-run --unit berth-probe --property=Type=exec sleep 300
expect_status 0 berth exec sd -- systemctl is-active berth-probe
[ "$OUT" = active ] || fail "a transient unit is '$OUT'"
echo "ok: berth exec runs systemctl and systemd-run inside"

# a unit whose stop leaves a mark: systemd ran its shutdown, it was not killed
expect_status 0 berth exec sd -- sh -c 'printf "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\nExecStop=/bin/sh -c \"echo down >/var/berth-stopped\"\n" >/run/systemd/system/berth-mark.service && systemctl daemon-reload && systemctl start berth-mark'
expect_status 0 berth stop sd
[ "$(berth show sd --format json | jq -r .state)" = stopped ] || fail "sd is not stopped"
# its disk is unmounted now: read the mark off the file system
[ "$(debugfs -R 'cat /var/berth-stopped' "$STATE/servers/sd/disk.ext4" 2>/dev/null)" = down ] ||
	fail "berth stop did not go through systemd's shutdown (a unit's ExecStop did not run)"
[ ! -d "$host" ] || fail "the container's cgroup subtree $host is left after stop"
echo "ok: berth stop halts systemd cleanly (SIGRTMIN+3) and its cgroup subtree goes"
