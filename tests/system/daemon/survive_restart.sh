#!/usr/bin/env bash
# survive_restart.sh - servers outlive berthd: a running container survives SIGKILL and
# SIGTERM of berthd, is adopted again (same pid) and stays controllable; one that died
# meanwhile is marked stopped, and restarted when restart=always.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"

need_root
[ -x "$BUILD/berth-ct" ] || skip "build/berth-ct is not built"

start_berthd --host-memory 2G --host-cpus 4
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"

create_started() { # create_started NAME [RESTART]
	expect_api 202 POST /1.0/servers "{\"name\":\"$1\",\"kind\":\"ct\",\"image\":\"bb\",\"cpus\":1,\"memory\":\"128M\",\"restart\":\"${2:-no}\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 PUT "/1.0/servers/$1/state" '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	api GET "/1.0/servers/$1" >/dev/null
	[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "$1 not running: $REPLY"
}

create_started web
pid=$(jq .pid <<<"$REPLY")
kill -0 "$pid" || fail "web's init ($pid) is not alive"
expect_api 409 DELETE /1.0/servers/web

for sig in KILL TERM; do
	kill_berthd $sig
	kill -0 "$pid" || fail "web died with berthd (SIG$sig)"
	start_berthd
	api GET /1.0/servers/web >/dev/null
	[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "web not adopted after SIG$sig: $REPLY"
	[ "$(jq .pid <<<"$REPLY")" = "$pid" ] || fail "web adopted with another pid: $REPLY"
done

# Still controllable: stop it through the new berthd.
expect_api 202 PUT /1.0/servers/web/state '{"action":"stop","timeout":5}'
wait_op "$(jq -r .operation <<<"$REPLY")"
gone "$pid" || fail "web's init survived its stop"
[ "$(jq -r .state <<<"$(api GET /1.0/servers/web)")" = stopped ] || fail "web not stopped"

# Died while berthd was away: marked stopped; with restart=always, started again.
create_started once
create_started always always
once=$(jq .pid <<<"$(api GET /1.0/servers/once)")
always=$(jq .pid <<<"$(api GET /1.0/servers/always)")
kill_berthd KILL
kill -KILL "$once" "$always"
sleep 0.5
start_berthd
[ "$(jq -r .state <<<"$(api GET /1.0/servers/once)")" = stopped ] || fail "vanished server not marked stopped"
for i in $(seq 50); do
	[ "$(jq -r .state <<<"$(api GET /1.0/servers/always)")" = running ] && break
	sleep 0.2
done
api GET /1.0/servers/always >/dev/null
[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "restart=always server not restarted: $REPLY"
[ "$(jq .pid <<<"$REPLY")" != "$always" ] || fail "restart=always kept a dead pid"

# Force delete of a running server stops it and releases everything.
newpid=$(jq .pid <<<"$REPLY")
expect_api 202 DELETE "/1.0/servers/always?force=1"
wait_op "$(jq -r .operation <<<"$REPLY")"
gone "$newpid" || fail "force-deleted server still runs"
[ ! -e "$STATE/servers/always" ] || fail "force-deleted server's files remain"
for n in web once; do
	expect_api 202 DELETE /1.0/servers/$n
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
[ "$(db 'SELECT count(*) FROM servers')" = 0 ] || fail "rows left"
echo "survival: adopted after SIGKILL and SIGTERM, stopped, vanished marked, restart=always restarted"
