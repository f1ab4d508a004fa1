#!/usr/bin/env bash
# kill_during_create.sh - berthd SIGKILLed at different instants of a create, of a
# `create --start` and of a delete, then restarted, with a bridge of its own: every server
# is whole (row 'stopped' or 'running', its directory) or absent (no row, no directory, no
# .tmp); no container process, console keeper or berth-ct runs for a server that is absent
# or not running; no veth of the test's pool is left without a running server; a
# container's disk is mounted (with its loop device) only while it runs; the ledger holds
# exactly the rows. (The VM variant, in the rig: kill_during_create_vm.sh.)
# timeout: 420
. "$(dirname "$0")/lib/daemon.bash"

need_root
for p in berth-ct berth-console berth; do
	[ -x "$BUILD/$p" ] || skip "build/$p is not built"
done
command -v nft >/dev/null || skip "needs nft"
command -v ip >/dev/null || skip "needs ip"
[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"
need_berth_cli

test_bridge bt-kdc 10.188.78.1/24 no '^bt[cp]0abc4e'
POOL=btc0abc4e # the veths of 10.188.78.0/24 (btc + the address in hex)

start_berthd --host-memory 64G --host-cpus 64
# An image with a few thousand files, so that a copy takes long enough to be cut; a small
# one for the creates that go on to start.
busybox_rootfs "$SCRATCH/rootfs"
import_ct small "$SCRATCH/rootfs"
add_junk "$SCRATCH/rootfs" 40
import_ct big "$SCRATCH/rootfs"

# cmdline PID: its command line, a word a line (nothing once it is gone).
cmdline() { { tr '\0' '\n' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

# owner_of PID: the test's server whose process PID is (its cgroup berth/NAME, or NAME in a
# keeper's or berth-ct's command line), else nothing.
owner_of() {
	local name
	name=$(sed -n 's|^[0-9]*:[^:]*:/berth/\(kd[cs]-[0-9]*\)$|\1|p' "/proc/$1/cgroup" 2>/dev/null | head -1)
	[ -n "$name" ] || name=$(cmdline "$1" |
		sed -n "s|^$STATE/console/\(kd[cs]-[0-9]*\)\.sock$|\1|p" | head -1)
	echo "$name"
}

# check_settled: what the database says is what exists.
check_settled() {
	local n state dir pid owner l addr running
	running=$(db "SELECT name FROM servers WHERE state = 'running'")
	check_rows_and_dirs
	for n in $(db "SELECT name FROM servers"); do
		dir=$STATE/servers/$n
		[ -f "$dir/disk.ext4" ] || fail "$n: a row without its disk"
		state=$(db "SELECT state FROM servers WHERE name = '$n'")
		if [ "$state" = running ]; then
			pid=$(db "SELECT pid FROM servers WHERE name = '$n'")
			[ "$(owner_of "$pid")" = "$n" ] || fail "$n: running, but its pid $pid is not its init"
			grep -qF " $dir/rootfs " /proc/self/mountinfo || fail "$n: running without its disk mounted"
		else
			! grep -qF " $dir/" /proc/self/mountinfo || fail "$n: stopped with its disk mounted"
		fi
	done
	# mounts and loop devices: only running servers' disks
	while read -r l; do
		n=${l#"$STATE"/servers/}
		n=${n%%/*}
		grep -qx "$n" <<<"$running" || fail "a mount of no running server: $l"
	done < <(awk '{print $5}' /proc/self/mountinfo | grep -F "$STATE/" || true)
	while read -r l; do
		n=${l#"$STATE"/servers/}
		n=${n%%/*}
		grep -qx "$n" <<<"$running" || fail "a loop device of no running server: $(losetup -l | grep -F "$l")"
	done < <(losetup -nl -O BACK-FILE | grep -F "$STATE/" || true)
	# processes: container inits and their children, console keepers, berth-ct
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		owner=$(owner_of "$pid")
		if [ -n "$owner" ]; then
			grep -qx "$owner" <<<"$running" ||
				fail "process $pid ($(cmdline "$pid" | tr '\n' ' ')) of $owner, which is not running"
		elif cmdline "$pid" | grep -qx "$STATE/run"; then
			fail "a berth-ct left running: $pid $(cmdline "$pid" | tr '\n' ' ')"
		fi
	done
	# veths of the pool: a running server's only
	for l in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^bt[cp]0abc4e" || true); do
		addr=$(printf '10.188.78.%d' "0x${l:9:2}")
		[ "${l:0:3}" = btc ] || fail "a peer veth $l is left on the host"
		[ "$(db "SELECT state FROM servers WHERE address = '$addr'")" = running ] ||
			fail "veth $l ($addr) of no running server"
	done
	for n in $running; do
		addr=$(db "SELECT address FROM servers WHERE name = '$n'")
		# shellcheck disable=SC2086 # the address's four numbers
		l=$(printf 'btc%02x%02x%02x%02x' ${addr//./ })
		ip link show "$l" >/dev/null 2>&1 || fail "$n runs without its veth $l"
	done
	# the ledger: exactly the rows
	api GET /1.0/host >/dev/null
	jq -e ".servers == $(db "SELECT count(*) FROM servers") and .memory.reserved == $(db "SELECT total(memory) FROM servers" | cut -d. -f1) and
		.cpus.reserved == $(db "SELECT total(cpus) FROM servers" | cut -d. -f1)" <<<"$REPLY" >/dev/null ||
		fail "the ledger does not match the rows: $REPLY; rows: $(db "SELECT name, cpus, memory FROM servers")"
}

# A create cut short at different instants.
delays=(0 0.01 0.03 0.1 0.3 1 5)
for i in "${!delays[@]}"; do
	n=kdc-$((i + 1))
	curl -s --unix-socket "$SOCK" -X POST -o /dev/null \
		--data-binary "{\"name\":\"$n\",\"kind\":\"ct\",\"image\":\"big\",\"cpus\":1,\"memory\":\"64M\"}" \
		http://berthd/1.0/servers
	sleep "${delays[$i]}"
	kill_berthd KILL
	start_berthd
	check_settled
	echo "killed ${delays[$i]} s into create $n: $(db "SELECT coalesce(state, 'absent') FROM (SELECT 1) LEFT JOIN servers ON name = '$n'")"
done
[ "$(db "SELECT count(*) FROM servers")" -ge 1 ] || fail "no create finished: the test proved nothing"
grep -q "rolled back server" "$SCRATCH/berthd.log" || fail "no create was cut short: the test proved nothing"

# `create --start` cut short: berthd killed once the server is in a given state (or later),
# after a given delay.
rank() { case $1 in "") echo 0 ;; creating) echo 1 ;; stopped) echo 2 ;; starting) echo 3 ;; *) echo 4 ;; esac; }
points=("creating 0.05" "stopped 0" "starting 0" "starting 0.005" "starting 0.01" "starting 0.02" "starting 0.04" "running 0")
for i in "${!points[@]}"; do
	read -r want delay <<<"${points[$i]}"
	n=kds-$((i + 1))
	berth create "$n" --kind ct --image small --cpus 1 --memory 64M --start >"$SCRATCH/cli.out" 2>&1 &
	cli=$!
	for _ in $(seq 3000); do
		[ "$(rank "$(db "SELECT state FROM servers WHERE name = '$n'" 2>/dev/null)")" -ge "$(rank "$want")" ] && break
		sleep 0.01
	done
	seen=$(db "SELECT state FROM servers WHERE name = '$n'")
	sleep "$delay"
	kill_berthd KILL
	wait "$cli" 2>/dev/null || true
	start_berthd
	check_settled
	echo "killed $delay s after $n was seen $seen ($want wanted): $(db "SELECT coalesce(state, 'absent') FROM (SELECT 1) LEFT JOIN servers ON name = '$n'")"
done
[ -n "$(db "SELECT name FROM servers WHERE name LIKE 'kds-%' AND state = 'running'")" ] ||
	fail "no started server survived: the kills proved nothing about running ones"
grep -q "is not running any more; marked stopped" "$SCRATCH/berthd.log" ||
	fail "no start was cut short: the test proved nothing"

# Deletes cut short are finished at the next start.
for n in $(db "SELECT name FROM servers"); do
	curl -s --unix-socket "$SOCK" -X DELETE -o /dev/null "http://berthd/1.0/servers/$n?force=1"
	sleep 0.05
	kill_berthd KILL
	start_berthd
	check_settled
	[ -z "$(db "SELECT name FROM servers WHERE name = '$n'")" ] || fail "$n: delete not finished after restart"
	[ ! -e "$STATE/servers/$n" ] || fail "$n: files left after its delete"
done
[ "$(db "SELECT count(*) FROM servers")" = 0 ] || fail "rows left after deletes"
echo "ok: after every kill, servers are whole or absent, with no process, veth, mount or reservation astray"
