#!/usr/bin/env bash
# kill_during_create.sh - berthd SIGKILLed at different instants of a create (and of a
# delete), then restarted: every server is whole (row 'stopped' and its directory) or absent
# (no row, no directory, no .tmp), and the ledger holds only the whole ones.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

start_berthd --host-memory 64G --host-cpus 64
# An image with a few thousand files, so that a copy takes long enough to be cut.
busybox_rootfs "$SCRATCH/rootfs"
add_junk "$SCRATCH/rootfs" 40
import_ct big "$SCRATCH/rootfs"

check_whole_or_absent() {
	local n state
	for n in $(seq "$1"); do
		state=$(db "SELECT state FROM servers WHERE name = 'k$n'")
		[ ! -e "$STATE/servers/k$n.tmp" ] || fail "k$n: a .tmp directory is left"
		case $state in
		"") [ ! -e "$STATE/servers/k$n" ] || fail "k$n: directory without a row" ;;
		stopped) [ -f "$STATE/servers/k$n/disk.ext4" ] && [ -f "$STATE/servers/k$n/bundle/config.json" ] ||
			fail "k$n: stopped but not whole" ;;
		*) fail "k$n: left in state $state after restart" ;;
		esac
	done
	[ "$(db "SELECT count(*) FROM servers WHERE state != 'stopped'")" = 0 ] || fail "rows not settled"
	[ -z "$(ls "$STATE/servers" | grep -v '^k[0-9]*$' || true)" ] || fail "strays: $(ls "$STATE/servers")"
	# a container's disk is mounted while it is provisioned: neither mount nor loop device stays
	! grep -qF " $STATE/" /proc/self/mountinfo || fail "mounts left: $(grep -F " $STATE/" /proc/self/mountinfo)"
	[ -z "$(losetup -nl -O BACK-FILE | grep -F "$STATE/" || true)" ] || fail "loop devices left: $(losetup -l)"
}

delays=(0 0.01 0.03 0.1 0.3 1 5)
for i in "${!delays[@]}"; do
	n=$((i + 1))
	curl -s --unix-socket "$SOCK" -X POST -o /dev/null \
		--data-binary "{\"name\":\"k$n\",\"kind\":\"ct\",\"image\":\"big\",\"cpus\":1,\"memory\":\"64M\"}" \
		http://berthd/1.0/servers
	sleep "${delays[$i]}"
	kill_berthd KILL
	start_berthd
	check_whole_or_absent "$n"
	echo "killed ${delays[$i]} s into create k$n: $(db "SELECT coalesce(state, 'absent') FROM (SELECT 1) LEFT JOIN servers ON name = 'k$n'")"
done
# The ledger matches what exists.
api GET /1.0/host >/dev/null
[ "$(jq .servers <<<"$REPLY")" = "$(ls "$STATE/servers" | wc -l)" ] || fail "ledger and directories differ: $REPLY"
[ "$(db "SELECT count(*) FROM servers")" -ge 1 ] || fail "no create finished: the test proved nothing"

# Deletes cut short are finished at the next start.
for n in $(db "SELECT name FROM servers"); do
	curl -s --unix-socket "$SOCK" -X DELETE -o /dev/null http://berthd/1.0/servers/$n
	sleep 0.05
	kill_berthd KILL
	start_berthd
	[ -z "$(db "SELECT name FROM servers WHERE name = '$n'")" ] || fail "$n: delete not finished after restart"
	[ ! -e "$STATE/servers/$n" ] || fail "$n: files left after its delete"
done
[ "$(db "SELECT count(*) FROM servers")" = 0 ] || fail "rows left after deletes"
grep -q "rolled back server" "$SCRATCH/berthd.log" || fail "no create was cut short: the test proved nothing"
