#!/usr/bin/env bash
# userns_upgrade.sh - containers made before user namespaces (before schema 6) keep working after
# the upgrade: one running through it is adopted, one stopped starts again; both are shown
# privileged (show and list) and run as before (no user namespace), while a new one gets a
# range. The old servers come from BERTHD_OLD (a berthd of the previous release) when given,
# else from this berthd with its database taken back to schema 5 as that release left it
# (the container's disk is the same: the image's tree with its ids as they are).
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli
[ -z "${BERTHD_OLD:-}" ] || [ -x "$BERTHD_OLD" ] || fail "BERTHD_OLD=$BERTHD_OLD is not a program"

NEW=$BERTHD
BERTHD=${BERTHD_OLD:-$NEW}
start_berthd --host-cpus 4 --host-memory 2G
busybox_rootfs "$SCRATCH/rootfs"
ln -s busybox "$SCRATCH/rootfs/bin/cat"
import_ct busybox "$SCRATCH/rootfs"
if [ -n "${BERTHD_OLD:-}" ]; then
	expect_status 0 berth create o1 --kind ct --image busybox --cpus 1 --memory 64M --start
	expect_status 0 berth create o2 --kind ct --image busybox --cpus 1 --memory 64M
else
	expect_status 0 berth create o1 --kind ct --image busybox --cpus 1 --memory 64M --privileged --start
	expect_status 0 berth create o2 --kind ct --image busybox --cpus 1 --memory 64M --privileged
fi
pid=$(berth show o1 --format json | jq .pid)
kill_berthd TERM
if [ -z "${BERTHD_OLD:-}" ]; then
	# what schemas 6 and later added, newest first
	sqlite3 "$STATE/berth.db" "ALTER TABLE operations DROP COLUMN project;
		DROP TABLE tokens; DROP INDEX servers_project; ALTER TABLE images DROP COLUMN project;
		ALTER TABLE servers DROP COLUMN project; DROP TABLE projects;
		ALTER TABLE servers DROP COLUMN ssh_keys; ALTER TABLE servers DROP COLUMN user_data;
		ALTER TABLE servers DROP COLUMN instance_id;
		DROP TRIGGER servers_dedicated_cpus; DROP TABLE dedicated_cpus;
		DROP TRIGGER servers_idmap_insert; DROP TRIGGER servers_idmap_update;
		DROP INDEX servers_idmap; ALTER TABLE servers DROP COLUMN idmap;
		ALTER TABLE servers DROP COLUMN privileged; PRAGMA user_version = 5;" ||
		fail "cannot take the database back to schema 5"
	[ "$(sqlite3 "$STATE/berth.db" 'PRAGMA user_version')" = 5 ] ||
		fail "the database was not taken back to schema 5"
fi
[ "$(sqlite3 "$STATE/berth.db" 'PRAGMA user_version')" -lt 6 ] || fail "the old database has ranges already"

BERTHD=$NEW
start_berthd
[ "$(sqlite3 "$STATE/berth.db" 'PRAGMA user_version')" -ge 6 ] || fail "the database was not migrated"
OUT=$(berth show o1 --format json)
jq_ok '.state == "running" and .privileged == true and .idmap == null'
jq_ok ".pid == $pid"
expect_status 0 berth list
grep -E '^o1 .*running.* privileged' <<<"$OUT" >/dev/null || fail "list: o1 not shown privileged: $OUT"
grep -E '^o2 .*stopped.* privileged' <<<"$OUT" >/dev/null || fail "list: o2 not shown privileged: $OUT"
expect_status 0 berth exec o1 -- cat /proc/self/uid_map
[ "$(echo $OUT)" = "0 0 4294967295" ] || fail "o1 changed: $OUT"
echo "ok: a container running through the upgrade is adopted, shown privileged"

expect_status 0 berth start o2
expect_status 0 berth exec o2 -- sh -c 'echo hi >/root/f; cat /proc/self/uid_map'
[ "$(echo $OUT)" = "0 0 4294967295" ] || fail "o2 changed: $OUT"
[ "$(stat -c %u "$STATE/servers/o2/rootfs/root/f")" = 0 ] || fail "o2's root is not the host's"
expect_status 0 berth stop o2
expect_status 0 berth stop o1
expect_status 0 berth start o1
echo "ok: an old stopped container starts, as before (privileged), and a restart keeps it so"

expect_status 0 berth create n1 --kind ct --image busybox --cpus 1 --memory 64M --start
expect_status 0 berth exec n1 -- cat /proc/self/uid_map
[ "$(echo $OUT)" = "0 1000000 65536" ] || fail "a new container after the upgrade: $OUT"
echo "ok: a new container gets a range beside them"
