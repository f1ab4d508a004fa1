#!/usr/bin/env bash
# userns_ct.sh - a container from berthd is unprivileged: its own user namespace whose 0 is
# the first id of its range (not the identity), a file its root writes is owned by that
# range on the host, Seccomp: 2, finit_module, open_by_handle_at and kexec_load refused, no
# user namespace inside, a key one adds to its user keyring not found from another; parallel
# creates never share an id; --privileged is root's alone and shown so in show and list.
# Files: idmapped mount by default, shifted with idmap_files = shift (same checks).
# timeout: 420
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli
command -v cc >/dev/null || skip "needs cc (build-essential) for the probe program"

POOL=2000000
printf 'idmap = %s:1000000000\n' "$POOL" >"$SCRATCH/berthd.conf"
start_berthd --host-cpus 16 --host-memory 8G
busybox_rootfs "$SCRATCH/rootfs"
for a in cat stat grep id mkdir chown; do ln -s busybox "$SCRATCH/rootfs/bin/$a"; done
cc -static -O2 -o "$SCRATCH/rootfs/bin/ctprobe" "$(dirname "$0")/lib/ctprobe.c" ||
	fail "cannot build the probe (static libc)"
# a setuid file and a hard link, which a shift must keep as they are
cp "$SCRATCH/rootfs/bin/busybox" "$SCRATCH/rootfs/bin/suid"
chmod 4755 "$SCRATCH/rootfs/bin/suid"
ln "$SCRATCH/rootfs/bin/suid" "$SCRATCH/rootfs/bin/suid-link"
chown 1000:1000 "$SCRATCH/rootfs/root"
import_ct busybox "$SCRATCH/rootfs"

# range START: the server's first host id, from berth show --format json
range() { berth show "$1" --format json | jq -r '.idmap.uid'; }

# check_ct NAME: the checks every unprivileged container passes
check_ct() {
	local n=$1 start map
	start=$(range "$n")
	[ "$start" -ge "$POOL" ] || fail "$n: range $start is not of the pool"
	[ $(((start - POOL) % 65536)) = 0 ] || fail "$n: range $start is not cut at the pool's 65536s"
	expect_status 0 berth exec "$n" -- cat /proc/self/uid_map
	map=$(echo $OUT)
	[ "$map" = "0 $start 65536" ] || fail "$n: uid_map is '$map', expected '0 $start 65536'"
	expect_status 0 berth exec "$n" -- cat /proc/self/gid_map
	[ "$(echo $OUT)" = "0 $start 65536" ] || fail "$n: gid_map is '$OUT'"
	expect_status 0 berth exec "$n" -- sh -c 'echo hi >/root/written; mkdir -p /home/u; echo u >/home/u/f; chown 1000:1001 /home/u/f; id -u'
	[ "$OUT" = 0 ] || fail "$n: root in the container is uid '$OUT'"
	[ "$(stat -c %u:%g "$STATE/servers/$n/rootfs/root/written")" = "$start:$start" ] ||
		fail "$n: a file root wrote is $(stat -c %u:%g "$STATE/servers/$n/rootfs/root/written") on the host, expected $start:$start"
	[ "$(stat -c %u:%g "$STATE/servers/$n/rootfs/home/u/f")" = "$((start + 1000)):$((start + 1001))" ] ||
		fail "$n: uid 1000 inside is $(stat -c %u "$STATE/servers/$n/rootfs/home/u/f") on the host"
	# the image's own owners, seen inside as they were
	expect_status 0 berth exec "$n" -- stat -c '%u:%g %a' /root /bin/suid /bin/suid-link
	[ "$(echo $OUT)" = "1000:1000 755 0:0 4755 0:0 4755" ] || fail "$n: the image's owners and modes inside: $OUT"
	expect_status 0 berth exec "$n" -- grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status
	grep -q '^Seccomp:[[:space:]]*2$' <<<"$OUT" || fail "$n: not under seccomp: $OUT"
	expect_status 0 berth exec "$n" -- ctprobe syscalls
	[ "$(echo $OUT)" = "finit_module EPERM open_by_handle_at EPERM kexec_load EPERM" ] ||
		fail "$n: kernel calls not refused: $OUT"
	expect_status 0 berth exec "$n" -- ctprobe unshare-user
	[ "$OUT" = "refused EPERM" ] || fail "$n: unshare(CLONE_NEWUSER): $OUT"
	# the host's ids and the container's image stay: the image is untouched
	[ "$(stat -c %u "$STATE/images/busybox/rootfs/bin/suid")" = 0 ] || fail "the image's files changed owner"
	echo "ok: $n: uid_map 0 $start 65536, files of its range on the host, Seccomp 2, kernel calls and user namespaces refused"
}

# Two servers created at once, many times over: never an id shared.
PIDS=()
for i in 1 2 3 4; do
	berth create "p$i" --kind ct --image busybox --cpus 1 --memory 64M >"$SCRATCH/create$i.log" 2>&1 &
	PIDS+=($!)
done
for i in 1 2 3 4; do # not a bare wait: berthd is a child of this shell too
	wait "${PIDS[$((i - 1))]}" || fail "create p$i: $(cat "$SCRATCH/create$i.log")"
done
STARTS=$(sqlite3 "$STATE/berth.db" "SELECT idmap FROM servers WHERE name LIKE 'p%' ORDER BY idmap")
[ "$(wc -w <<<"$STARTS")" = 4 ] || fail "parallel creates: ranges $STARTS"
prev=0
for s in $STARTS; do
	[ "$s" -ge $((prev + 65536)) ] || fail "parallel creates: ranges overlap: $STARTS"
	prev=$s
done
# the database itself refuses an overlapping range
! sqlite3 "$STATE/berth.db" "UPDATE servers SET idmap = (SELECT idmap FROM servers WHERE name = 'p1') + 1 WHERE name = 'p2'" 2>/dev/null ||
	fail "the database took an overlapping range"
echo "ok: 4 parallel creates, 4 ranges apart ($(echo $STARTS)); an overlap is refused by the database"

expect_status 0 berth start p1
expect_status 0 berth start p2
check_ct p1
check_ct p2
grep -q "$STATE/servers/p1/rootfs" /proc/self/mountinfo || fail "p1's disk is not mounted"
[ ! -e "$STATE/servers/p1/ids-shifted" ] || fail "p1 was shifted, though the kernel idmaps ext4"
echo "ok: idmapped mounts, no file shifted"

# A key added to the user keyring in one is not found from the other.
expect_status 0 berth exec p1 -- ctprobe add-key tenant-secret
[ "$OUT" = added ] || fail "p1 could not add a key: $OUT"
expect_status 0 berth exec p1 -- ctprobe find-key tenant-secret
[ "$OUT" = found ] || fail "p1 does not find its own key: $OUT"
expect_status 0 berth exec p2 -- ctprobe find-key tenant-secret
[[ $OUT == missing* ]] || fail "p2 found p1's key: $OUT"
echo "ok: a key of p1's user keyring is not found from p2"

# --privileged: root's only (a berth-group user gets 403), shown in show and list.
api POST /1.0/servers '{"name":"x","kind":"vm","image":"busybox","cpus":1,"memory":"64M","privileged":true}' >/dev/null
[ "$STATUS" = 400 ] || fail "a privileged VM gave $STATUS"
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	chmod 777 "$SCRATCH" # nobody reaches the socket; berthd refuses by uid, not by path
	chmod 666 "$SOCK"
	OUT=$(setpriv --reuid nobody --regid nogroup --clear-groups curl -s --unix-socket "$SOCK" -X POST \
		-H 'Content-Type: application/json' -w '\n%{http_code}' \
		--data-binary '{"name":"np","kind":"ct","image":"busybox","cpus":1,"memory":"64M","privileged":true}' \
		http://berthd/1.0/servers)
	[ "${OUT##*$'\n'}" = 403 ] || fail "a privileged create by uid nobody: $OUT"
	chmod 711 "$SCRATCH"
	echo "ok: a privileged create by another user is refused (403)"
fi
expect_status 0 berth create priv --kind ct --image busybox --cpus 1 --memory 64M --privileged --start
expect_status 0 berth show priv
expect_output "privileged"
expect_status 0 berth list
grep -E '^priv .*privileged' <<<"$OUT" >/dev/null || fail "list does not say priv is privileged: $OUT"
grep -E "^p1 .* $(range p1)-$(($(range p1) + 65535))" <<<"$OUT" >/dev/null || fail "list does not show p1's ids: $OUT"
expect_status 0 berth exec priv -- cat /proc/self/uid_map
[ "$(echo $OUT)" = "0 0 4294967295" ] || fail "priv has a user namespace: $OUT"
expect_status 0 berth exec priv -- grep '^Seccomp:' /proc/self/status
grep -q '2$' <<<"$OUT" || fail "priv is not under seccomp: $OUT"
expect_status 1 berth exec priv -- ctprobe add-key k
[[ $OUT == "add-key ENOSYS" ]] || fail "a privileged container reached the host root's keyring: $OUT"
echo "ok: --privileged: no user namespace, shown in show and list, keyring calls refused"

# Shifted files: idmap_files = shift (a kernel that cannot idmap ext4 does the same).
printf 'idmap = %s:1000000000\nidmap_files = shift\n' "$POOL" >"$SCRATCH/berthd.conf"
kill_berthd TERM
start_berthd
expect_status 0 berth create s1 --kind ct --image busybox --cpus 1 --memory 64M
[ "$(cat "$STATE/servers/s1/ids-shifted")" = "$(range s1)" ] || fail "s1 was not shifted"
expect_status 0 berth start s1
check_ct s1
S=$(range s1)
[ "$(stat -c '%u %a %h' "$STATE/servers/s1/rootfs/bin/suid")" = "$S 4755 2" ] ||
	fail "the shift lost a setuid bit or a hard link: $(stat -c '%u %a %h' "$STATE/servers/s1/rootfs/bin/suid")"
[ "$(stat -c %u "$STATE/servers/s1/rootfs/root")" = $((S + 1000)) ] || fail "uid 1000 was not shifted"
expect_status 0 berth stop s1
expect_status 0 berth start s1
check_ct s1
echo "ok: shifted once at create, the same inside, setuid and hard links kept, again after a restart"

# A directory above the state directory that other users may not pass: the start is refused
# with its name (the container's ids could not reach its files), and works once it may.
expect_status 0 berth stop s1
chmod 700 "$SCRATCH"
expect_status 1 berth start s1
chmod 711 "$SCRATCH"
expect_output "\`$SCRATCH\` (mode 0700) does not let other users pass"
expect_status 0 berth start s1
echo "ok: a state directory the container's ids cannot pass through is refused, naming it"

# Eight creates and starts at once: each idmapped mount's helper process holds no other
# thread's fds (a copy of a loop device's fd would keep a disk bound after its unmount).
PIDS=()
for i in 1 2 3 4 5 6 7 8; do
	berth create "m$i" --kind ct --image busybox --cpus 1 --memory 64M --start >"$SCRATCH/m$i.log" 2>&1 &
	PIDS+=($!)
done
wait "${PIDS[@]}" || fail "parallel create and start: $(cat "$SCRATCH"/m*.log)"
for i in 1 2 3 4 5 6 7 8; do expect_status 0 berth stop "m$i" --force; done
for s in p1 p2 s1 priv; do expect_status 0 berth stop "$s" --force; done
LEFT=$(losetup -nl -O NAME,BACK-FILE | grep -F "$STATE/" || true)
[ -z "$LEFT" ] || fail "loop devices left after every server stopped: $LEFT"
echo "ok: 8 parallel creates and starts, no loop device left once all are stopped"
