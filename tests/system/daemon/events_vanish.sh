#!/usr/bin/env bash
# events_vanish.sh - streams notice a client that vanished (issue 16): 200 clients of
# GET /1.0/events and 20 of GET /1.0/operations/ID/wait are killed; within 2 s berthd has
# closed their connections and freed what they held, while a stream that stayed still gets
# every event and the operation ends as it would have.
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"

need_root
start_berthd --host-memory 2G --host-cpus 2
LIVE=$SCRATCH/live
curl -sN --unix-socket "$SOCK" http://berthd/1.0/events >"$LIVE" &
LIVE_PID=$!
# berthd's sockets (the import below opens files and directories meanwhile, some gone
# before find reads their link)
fds() { find "/proc/$BERTHD_PID/fd" -mindepth 1 -printf '%l\n' 2>/dev/null | grep -c '^socket:'; }
seq 40 | xargs -P 8 -I{} curl -s --unix-socket "$SOCK" http://berthd/1.0/servers >/dev/null
sleep 0.5 # their connections closed on berthd's side too
fds0=$(fds)
holds() { [ "$(fds)" -ge $((fds0 + $1)) ]; } # holds N: N fds more than at rest

# vanish WHAT PIDS...: kill the clients; berthd is back to fds0 within 2 s. GONE: how many
# had ended before the kill.
vanish() {
	local what=$1 start now p
	shift
	GONE=0
	for p; do kill -KILL "$p" 2>/dev/null || GONE=$((GONE + 1)); done
	start=${EPOCHREALTIME/./}
	until [ "$(fds)" -le "$fds0" ]; do
		now=${EPOCHREALTIME/./}
		[ $((now - start)) -le 2000000 ] || fail "2 s after its clients vanished berthd still holds $(($(fds) - fds0)) fds of $what"
		sleep 0.05
	done
	echo "$what freed within $(((${EPOCHREALTIME/./} - start) / 1000)) ms"
}

pids=()
for i in $(seq 200); do
	curl -sN --unix-socket "$SOCK" http://berthd/1.0/events >/dev/null &
	pids+=($!)
	disown
done
wait_until 30 holds 200 || fail "the 200 streams did not all open: $(($(fds) - fds0))"
vanish "200 event streams" "${pids[@]}"
[ "$GONE" -eq 0 ] || fail "$GONE event streams ended before their clients were killed"

# Waits on an operation that runs a while: an import of a tree of many small files.
busybox_rootfs "$SCRATCH/rootfs"
add_junk "$SCRATCH/rootfs" 200
expect_api 202 POST /1.0/images "{\"name\":\"ev-img\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\"}"
OP=$(jq -r .operation <<<"$REPLY")
pids=()
for i in $(seq 20); do
	curl -s --unix-socket "$SOCK" "http://berthd$OP/wait?timeout=60" >/dev/null &
	pids+=($!)
	disown
done
wait_until 30 holds 20 || fail "the 20 waits did not all open"
TOO_FAST="the import ended before its waiters could vanish (a very fast disk)"
api GET "$OP" >/dev/null
[ "$(jq -r .status <<<"$REPLY")" = running ] || skip "$TOO_FAST"
vanish "20 operation waits" "${pids[@]}"
# A wait ends on its own only when the operation does: then nothing vanished mid-wait.
[ "$GONE" -eq 0 ] || skip "$TOO_FAST"
wait_op "$OP"

# The stream that stayed saw the import through.
wait_until 5 grep -q '"status":"success"' "$LIVE" || fail "the live stream missed the import's end: $(cat "$LIVE")"
grep -q '"type":"image"' "$LIVE" || fail "the live stream missed the image's events: $(cat "$LIVE")"
kill "$LIVE_PID"
echo "ok: vanished event streams and operation waits were freed within 2 s; a live stream saw every event"
