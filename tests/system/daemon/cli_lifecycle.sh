#!/usr/bin/env bash
# cli_lifecycle.sh - berth against a real berthd (temporary --state-dir, --socket and
# --config): import the busybox container image (a tarball and a directory, by relative
# paths), create, list --format json, show, start, restart, stop, delete containers; plan
# list (table and JSON); BERTH_SOCKET instead of --socket; host shows the reservations; an
# oversold create is refused with the daemon's message naming free memory; a restart=always
# container whose init is killed is started again by berthd's watcher; usage errors exit
# 2; an absent daemon is named with what to do.
# timeout: 240
. "$(dirname "$0")/../lib.sh"
need_root
BERTHD=$BUILD/berthd
BERTH=$BUILD/berth
[ -x "$BERTHD" ] || skip "build berthd first (make all)"
[ -x "$BERTH" ] || skip "build berth first (make all)"
[ -x "$BUILD/berth-ct" ] || skip "build berth-ct first (make all)"
command -v jq >/dev/null || skip "needs jq"
[ -x /bin/busybox ] || skip "needs busybox-static"

scratch
SOCK=$SCRATCH/berth.sock
STATE=$SCRATCH/state
chmod 755 "$SCRATCH"
berth() { "$BERTH" --socket "$SOCK" "$@"; }

cleanup() {
	local s
	if [ -S "$SOCK" ]; then
		for s in $(berth list --format json 2>/dev/null | jq -r '.[].name'); do
			berth delete --force "$s" >/dev/null 2>&1 || true
		done
	fi
	[ -n "${DAEMON:-}" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# A busybox root tree: scripts/mkimage's when there is one, else made here as the
# berth-ct tests make theirs.
rootfs() {
	local r=$SCRATCH/img/rootfs a
	mkdir -p "$SCRATCH/img"
	if [ -x "$ROOT/scripts/mkimage" ]; then
		"$ROOT/scripts/mkimage" busybox-ct "$SCRATCH/img/busybox.tar" >/dev/null
		mkdir -p "$r" && tar -C "$r" --numeric-owner -xpf "$SCRATCH/img/busybox.tar"
		return
	fi
	mkdir -p "$r"/{bin,sbin,proc,sys,dev,etc,tmp,root,var,run}
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	ln -s ../bin/busybox "$r/sbin/init"
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
	chmod 1777 "$r/tmp"
	tar -C "$r" --numeric-owner -cf "$SCRATCH/img/busybox.tar" .
}

# An absent daemon is named, with how to start it.
expect_status 1 "$BERTH" --socket "$SCRATCH/none.sock" list
expect_output "cannot reach berthd at $SCRATCH/none.sock: is it running?"
expect_output "berthd --state-dir"
# Usage errors exit 2 with a hint, before any call.
expect_status 2 "$BERTH" --socket "$SCRATCH/none.sock" create web --kind ct
expect_output "--image NAME is required"
expect_output "Try 'berth create --help'"
expect_status 2 "$BERTH" --socket "$SCRATCH/none.sock" stop --timeout soon web
expect_status 0 "$BERTH" create --help
expect_output "Usage: berth create NAME"
expect_status 0 "$BERTH" help image import
expect_output "Usage: berth image import NAME --kind ct --rootfs TARBALL|DIR"
expect_status 2 "$BERTH" --bogus list
[ "${OUT%%$'\n'*}" = "berth: unknown option '--bogus'" ] || fail "global option error: $OUT"
echo "ok: absent daemon and usage errors"

rootfs
# our own settings (no network: the host's /etc/berth/berthd.conf must not count), two plans
printf 'plan = tiny 1 64M 256M\nplan = big 2 1G 4G\n' >"$SCRATCH/berthd.conf"
"$BERTHD" --state-dir "$STATE" --socket "$SOCK" --config "$SCRATCH/berthd.conf" \
	--host-cpus 4 --host-memory 2G >"$SCRATCH/berthd.log" 2>&1 &
DAEMON=$!
for _ in $(seq 1 100); do
	berth host >/dev/null 2>&1 && break
	kill -0 "$DAEMON" 2>/dev/null || fail "berthd exited: $(cat "$SCRATCH/berthd.log")"
	sleep 0.1
done
berth host >/dev/null || fail "berthd never answered: $(cat "$SCRATCH/berthd.log")"

# Images, by paths relative to where berth runs: it makes them absolute for the daemon.
cd "$SCRATCH/img"
expect_status 0 berth image import busybox --kind ct --rootfs busybox.tar
expect_status 0 berth image import busybox-dir --kind ct --rootfs ./rootfs
expect_status 1 berth image import nothing --kind ct --rootfs missing.tar
expect_output "$SCRATCH/img/missing.tar"
cd "$ROOT"
expect_status 0 berth image list --format json
jq_ok 'map(select(.name == "busybox" and .kind == "ct" and .state == "ready")) | length == 1'
jq_ok 'map(.name) | index("busybox-dir") != null'
expect_status 0 berth image list
expect_output "busybox-dir"
echo "ok: image import (tarball, directory) and list"

# Create, list, show, start.
expect_status 0 berth create web --kind ct --image busybox --cpus 1 --memory 1G
expect_status 0 berth list --format json
jq_ok 'length == 1 and .[0].name == "web" and .[0].kind == "ct" and .[0].state == "stopped"'
jq_ok '.[0].cpus == 1 and .[0].memory == 1073741824 and (.[0] | has("address") and has("disk"))'
expect_status 0 berth start web
expect_status 0 berth show web --format json
jq_ok '.state == "running" and .pid > 0'
expect_status 0 berth show web
expect_output "running"
expect_output "1.0 GiB"
expect_status 0 berth list
[[ $OUT == *"NAME"*"KIND"*"STATE"*"CPUS"*"MEMORY"*"DISK"*"ADDRESS"* ]] || fail "list header: $OUT"
[[ $OUT == *"web"*"ct"*"running"*"1"*"1.0 GiB"* ]] || fail "list row: $OUT"
echo "ok: create, list, show, start"

# Restart: the same server, running again with a new init.
expect_status 0 berth show web --format json
pid=$(jq .pid <<<"$OUT")
expect_status 0 berth restart --timeout 10 web
expect_output "restart web: done"
expect_status 0 berth show web --format json
jq_ok ".state == \"running\" and .pid > 0 and .pid != $pid"
[ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "web's old init $pid outlived its restart"
echo "ok: restart"

# Plans, as the settings name them; BERTH_SOCKET stands for --socket.
expect_status 0 berth plan list
[[ $OUT == *"NAME"*"CPUS"*"MEMORY"*"DISK"* ]] || fail "plan list header: $OUT"
[[ $OUT == *"tiny"*"1"*"64 MiB"*"256 MiB"* ]] || fail "plan list row: $OUT"
[[ $OUT == *"big"*"2"*"1.0 GiB"*"4.0 GiB"* ]] || fail "plan list row: $OUT"
[[ $OUT != *"small"* ]] || fail "the built-in plans are listed though the settings replace them: $OUT"
expect_status 0 berth plan list --format json
jq_ok '. == [{"name": "tiny", "cpus": 1, "memory": 67108864, "disk": 268435456,
		"limits": {"disk_iops": 0, "disk_bps": 0, "net_bps": 0}, "dedicated_cpus": false},
	{"name": "big", "cpus": 2, "memory": 1073741824, "disk": 4294967296,
		"limits": {"disk_iops": 0, "disk_bps": 0, "net_bps": 0}, "dedicated_cpus": false}]'
expect_status 0 env BERTH_SOCKET="$SOCK" "$BERTH" show web --format json
jq_ok '.name == "web" and .state == "running"'
expect_status 1 env BERTH_SOCKET="$SCRATCH/none.sock" "$BERTH" list
expect_output "cannot reach berthd at $SCRATCH/none.sock"
echo "ok: plan list (table, JSON); BERTH_SOCKET"

# The ledger: 2 GiB of memory, one 1 GiB server fits beside web, a third is refused.
expect_status 0 berth create db --kind ct --image busybox-dir --cpus 1 --memory 1G
expect_status 0 berth host --format json
jq_ok '.memory.reserved == 2147483648 and .memory.free == 0 and .cpus.reserved == 2'
jq_ok '.servers == 2'
expect_status 0 berth host
expect_output "2.0 GiB"
expect_status 1 berth create third --kind ct --image busybox --cpus 1 --memory 1G
expect_output "memory"
expect_output "free"
refusal=$OUT
expect_status 0 berth list --format json
jq_ok 'length == 2'
echo "ok: host reservations; oversold create refused: $refusal"

# Bad names are usage errors, caught before any call; unknown ones are the daemon's to say.
expect_status 2 berth show ../etc
expect_output "invalid server name '../etc'"
expect_status 2 berth create 'a/b' --kind ct --image busybox --cpus 1 --memory 1M
expect_status 1 berth show nosuch
expect_output "nosuch"
expect_status 1 berth create other --kind ct --image nosuch --cpus 1 --memory 1M
expect_output "nosuch"
echo "ok: bad names refused, unknown server and image named"

# Stop and delete; the reservations go with the servers.
expect_status 1 berth delete web
expect_status 0 berth stop --timeout 10 web
expect_status 0 berth show web --format json
jq_ok '.state == "stopped"'
expect_status 0 berth delete web
expect_status 0 berth delete db
expect_status 0 berth list --format json
jq_ok 'length == 0'
expect_status 0 berth host --format json
jq_ok '.memory.reserved == 0 and .cpus.reserved == 0 and .servers == 0'
expect_status 0 berth image delete busybox-dir
echo "ok: stop, delete, reservations released"

# restart=always: the watcher (every 5 s) finds the container's init gone and starts it again.
expect_status 0 berth create auto --kind ct --image busybox --plan tiny --restart always --start
expect_status 0 berth show auto --format json
jq_ok '.state == "running" and .restart == "always"'
pid=$(jq .pid <<<"$OUT")
kill -9 "$pid"
restarted() {
	OUT=$(berth show auto --format json) &&
		jq -e ".state == \"running\" and .pid > 0 and .pid != $pid" <<<"$OUT" >/dev/null
}
for _ in $(seq 1 300); do
	restarted && break
	sleep 0.1
done
restarted || fail "the restart=always container was not started again within 30 s: $OUT
$(tail -5 "$SCRATCH/berthd.log")"
new=$(jq .pid <<<"$OUT")
grep -q "server auto stopped by itself" "$SCRATCH/berthd.log" || fail "berthd's log does not say why: $(tail -5 "$SCRATCH/berthd.log")"
expect_status 0 berth delete --force auto
echo "ok: a restart=always container whose init was killed runs again (pid $pid -> $new)"
