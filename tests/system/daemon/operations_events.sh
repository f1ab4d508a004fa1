#!/usr/bin/env bash
# operations_events.sh - the event stream and the operations list, with containers on the
# host: GET /1.0/events is read as a stream (curl -N) while a ct image is imported and a
# container created, started, stopped and deleted; the stream shows each change of the
# image, the server and the operations, in order, and the import's progress on its way to
# 100; GET /1.0/operations lists the five operations newest first, bounded by ?limit=, each
# as GET /1.0/operations/ID shows it.
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"

need_root
[ -x "$BUILD/berth-ct" ] || skip "build/berth-ct is not built"
[ -x "$BUILD/berth-console" ] || skip "build/berth-console is not built"

start_berthd --host-memory 2G --host-cpus 4
# An image of a dozen 1 MiB files besides busybox, so that its copy reports progress.
busybox_rootfs "$SCRATCH/rootfs"
mkdir -p "$SCRATCH/rootfs/data"
for i in $(seq 12); do head -c 1M /dev/urandom >"$SCRATCH/rootfs/data/$i"; done

EVENTS=$SCRATCH/events
curl -sN --unix-socket "$SOCK" -D "$SCRATCH/events.head" http://berthd/1.0/events >"$EVENTS" &
READER=$!
# the stream's headers come first: from then on it sees every event
wait_until 10 grep -qs "^HTTP/1.1 200" "$SCRATCH/events.head" || fail "the event stream did not answer"

# op PATH: wait for the operation and print its id.
op() { wait_op "$1"; jq -r .id <<<"$REPLY"; }
expect_api 202 POST /1.0/images "{\"name\":\"oe-img\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\"}"
ids=("$(op "$(jq -r .operation <<<"$REPLY")")")
expect_api 202 POST /1.0/servers '{"name":"oe-ct","kind":"ct","image":"oe-img","cpus":1,"memory":"64M"}'
ids+=("$(op "$(jq -r .operation <<<"$REPLY")")")
expect_api 202 PUT /1.0/servers/oe-ct/state '{"action":"start"}'
ids+=("$(op "$(jq -r .operation <<<"$REPLY")")")
expect_api 202 PUT /1.0/servers/oe-ct/state '{"action":"stop","timeout":5}'
ids+=("$(op "$(jq -r .operation <<<"$REPLY")")")
expect_api 202 DELETE /1.0/servers/oe-ct
ids+=("$(op "$(jq -r .operation <<<"$REPLY")")")
# the last event (the delete's success) may still be on its way
wait_until 10 grep -q "\"id\":\"${ids[4]}\".*\"status\":\"success\"" "$EVENTS" ||
	fail "the delete's success never came on the stream: $(tail -3 "$EVENTS")"
kill "$READER"
wait "$READER" 2>/dev/null || true

# Each event as one word: image:NAME:STATE, server:NAME:STATE, operation:KIND:STATUS.
jq -r 'if .type == "operation" then "operation:\(.operation.kind):\(.operation.status)"
	else "\(.type):\(.[.type].name):\(.[.type].state)" end' "$EVENTS" >"$SCRATCH/seen" ||
	fail "the stream is not JSON lines: $(head -5 "$EVENTS")"
want=(image:oe-img:importing operation:import:running image:oe-img:ready operation:import:success
	server:oe-ct:creating operation:create:running server:oe-ct:stopped operation:create:success
	server:oe-ct:starting operation:start:running server:oe-ct:running operation:start:success
	server:oe-ct:stopping operation:stop:running server:oe-ct:stopped operation:stop:success
	server:oe-ct:deleting operation:delete:running server:oe-ct:deleted operation:delete:success)
# The wanted events appear in this order (progress events come between them).
i=0
while read -r word; do
	[ "$i" -lt "${#want[@]}" ] && [ "$word" = "${want[$i]}" ] && i=$((i + 1))
done <"$SCRATCH/seen"
[ "$i" -eq "${#want[@]}" ] || fail "events: expected ${want[$i]} after ${want[$((i - 1))]:-the start}; saw:
$(cat "$SCRATCH/seen")"
[ "$(grep -c . "$SCRATCH/seen")" -eq "$(grep -c . "$EVENTS")" ] || fail "lines that are not events in the stream"
jq -e -s "map(select(.type == \"operation\" and .operation.id == \"${ids[0]}\") | .operation.progress)
	| (map(select(. > 0 and . < 100)) | length >= 2) and . == sort and last == 100" "$EVENTS" >/dev/null ||
	fail "the import reported no progress on its way to 100: $(grep "${ids[0]}" "$EVENTS")"
echo "ok: the event stream showed the image, the server and the operations in order, the import's progress too"

# The operations list: newest first, bounded, the same objects as one operation's.
expect_api 200 GET /1.0/operations
jq -e "map(.id) == [\"${ids[4]}\", \"${ids[3]}\", \"${ids[2]}\", \"${ids[1]}\", \"${ids[0]}\"]" <<<"$REPLY" >/dev/null ||
	fail "operations, newest first: $REPLY"
jq -e 'map(.kind) == ["delete", "stop", "start", "create", "import"] and all(.status == "success" and .progress == 100)' \
	<<<"$REPLY" >/dev/null || fail "operations: $REPLY"
jq -e '.[4].target == "/1.0/images/oe-img" and .[0].target == "/1.0/servers/oe-ct"' <<<"$REPLY" >/dev/null ||
	fail "operations' targets: $REPLY"
list=$REPLY
expect_api 200 GET "/1.0/operations/${ids[0]}"
[ "$(jq -S . <<<"$REPLY")" = "$(jq -S '.[4]' <<<"$list")" ] || fail "the list's import differs from its own: $REPLY"
expect_api 200 "GET" "/1.0/operations?limit=2"
jq -e "map(.id) == [\"${ids[4]}\", \"${ids[3]}\"]" <<<"$REPLY" >/dev/null || fail "limit=2: $REPLY"
expect_api 400 GET "/1.0/operations?limit=lots"
expect_api 400 GET "/1.0/operations?limit=1001"
jq -e '.error | contains("limit")' <<<"$REPLY" >/dev/null || fail "a bad limit, unclear refusal: $REPLY"
expect_api 405 DELETE /1.0/operations
echo "ok: GET /1.0/operations lists them newest first, bounded by limit"
