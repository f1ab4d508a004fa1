#!/usr/bin/env bash
# bad_input.sh - bad API input gets a 4xx with a message, never a crash: malformed JSON,
# unknown fields, wrong types, negative sizes, names with / or .., a 1 MiB body, unknown
# paths and methods; berthd still answers afterwards.
# timeout: 60
. "$(dirname "$0")/lib/daemon.bash"

start_berthd --host-memory 2G --host-cpus 4

# The socket: mode 0660; a second berthd on it is refused while the first listens.
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "socket mode $(stat -c %a "$SOCK"), want 660"
expect_status 1 "$BERTHD" --state-dir "$SCRATCH/other" --socket "$SOCK" --config "$SCRATCH/berthd.conf"
expect_output "another process listens on $SOCK"
expect_status 1 "$BERTHD" --state-dir "$SCRATCH/other" --socket "$SCRATCH" --config "$SCRATCH/berthd.conf"
expect_output "is not a socket"
expect_status 1 "$BERTHD" --config "$SCRATCH/missing.conf"
expect_output "cannot read config $SCRATCH/missing.conf"
expect_status 1 "$BERTHD" --host-memory lots
expect_output "--host-memory"
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"

# refused STATUS NEEDLE METHOD PATH [BODY]: the reply is STATUS with an error naming NEEDLE.
refused() {
	local want=$1 needle=$2
	shift 2
	expect_api "$want" "$@"
	[[ $(jq -r .error <<<"$REPLY") == *"$needle"* ]] || fail "$1 $2: error lacks '$needle': $REPLY"
	[ "$(jq .code <<<"$REPLY")" = "$want" ] || fail "$1 $2: code field: $REPLY"
}

ok='"kind":"ct","image":"bb","cpus":1'
refused 400 "malformed JSON" POST /1.0/servers '{"name": "a", '
refused 400 "malformed JSON" POST /1.0/servers 'null garbage'
refused 400 "must be a JSON object" POST /1.0/servers '[1,2,3]'
refused 400 "needs a JSON object body" POST /1.0/servers
refused 400 "unknown field 'colour'" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":\"1G\",\"colour\":\"red\"}"
refused 400 "field 'memory' must not be negative" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":-1}"
refused 400 "field 'memory' must not be negative" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":\"-1G\"}"
refused 400 "field 'disk' must not be negative" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":\"1G\",\"disk\":-5}"
refused 400 "field 'cpus' must be from 1" POST /1.0/servers '{"name":"a","kind":"ct","image":"bb","cpus":-2,"memory":"1G"}'
refused 400 "field 'cpus' must be a whole number" POST /1.0/servers '{"name":"a","kind":"ct","image":"bb","cpus":1.5,"memory":"1G"}'
refused 400 "field 'memory'" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":\"lots\"}"
refused 400 "field 'memory'" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":true}"
refused 400 "invalid server name '../etc'" POST /1.0/servers "{\"name\":\"../etc\",$ok,\"memory\":\"1G\"}"
refused 400 "invalid server name 'a/b'" POST /1.0/servers "{\"name\":\"a/b\",$ok,\"memory\":\"1G\"}"
refused 400 "invalid server name '..'" POST /1.0/servers "{\"name\":\"..\",$ok,\"memory\":\"1G\"}"
refused 400 "invalid image name '../bb'" POST /1.0/servers '{"name":"a","kind":"ct","image":"../bb","cpus":1,"memory":"1G"}'
refused 400 "field 'kind' must be" POST /1.0/servers '{"name":"a","kind":"pod","image":"bb","cpus":1,"memory":"1G"}'
refused 400 "field 'name' is required" POST /1.0/servers "{$ok,\"memory\":\"1G\"}"
refused 400 "no plan" POST /1.0/servers '{"name":"a","kind":"ct","image":"bb","plan":"huge"}'
refused 400 "duplicate" POST /1.0/servers "{\"name\":\"a\",\"name\":\"b\",$ok,\"memory\":\"1G\"}"
refused 404 "no image nope" POST /1.0/servers '{"name":"a","kind":"ct","image":"nope","cpus":1,"memory":"1G"}'
refused 400 "image bb is a ct image, not a vm one" POST /1.0/servers '{"name":"a","kind":"vm","image":"bb","cpus":1,"memory":"1G"}'
refused 409 "not enough memory: asked 16 TiB, free 2 GiB of 2 GiB" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":\"16T\"}"
refused 400 "must be a size such as" POST /1.0/servers "{\"name\":\"a\",$ok,\"memory\":\"8E\"}"
refused 400 "invalid server name '..'" GET /1.0/servers/..
refused 400 "invalid server name" GET /1.0/servers/UPPER
refused 404 "no server ghost" GET /1.0/servers/ghost
refused 404 "no such API path" GET /1.0/servers/a/b/c
refused 404 "no such API path" GET /2.0
refused 405 "not allowed" DELETE /1.0/host
refused 400 "field 'action' must be" PUT /1.0/servers/ghost/state '{"action":"dance"}'
refused 404 "no server ghost" PUT /1.0/servers/ghost/state '{"action":"start"}'
refused 400 "unknown field 'when'" PUT /1.0/servers/ghost/state '{"action":"start","when":"now"}'
refused 400 "must be an absolute path" POST /1.0/images '{"name":"x","kind":"ct","rootfs":"relative/dir"}'
refused 400 "takes 'rootfs' only" POST /1.0/images '{"name":"x","kind":"ct","rootfs":"/tmp","kernel":"/k"}'
refused 400 "" POST /1.0/images '{"name":"x","kind":"vm","kernel":"/nonexistent/bzImage"}'
refused 400 "invalid image name" POST /1.0/images '{"name":"../x","kind":"ct","rootfs":"/tmp"}'
refused 404 "no such API path" GET /1.0/operations/../../etc
refused 404 "no operation" GET /1.0/operations/..
refused 400 "query argument 'timeout'" GET /1.0/operations/00000000000000000000000000000000/wait?timeout=-1
refused 404 "no operation" GET /1.0/operations/00000000000000000000000000000000/wait?timeout=1

# A 1 MiB body: 413, and the connection's end does not hurt berthd.
head -c $((1 << 20)) /dev/zero | tr '\0' 'x' >"$SCRATCH/big"
code=$(curl -s --unix-socket "$SOCK" -o "$SCRATCH/big.reply" -w '%{http_code}' -X POST \
	--data-binary @"$SCRATCH/big" http://berthd/1.0/servers)
[ "$code" = 413 ] || fail "1 MiB body gave $code: $(cat "$SCRATCH/big.reply")"
grep -q "too large" "$SCRATCH/big.reply" || fail "413 without a message"

# Deep nesting and binary junk.
refused 400 "" POST /1.0/servers "$(printf '%.0s[' $(seq 5000))"
head -c 4096 /dev/urandom >"$SCRATCH/junk"
code=$(curl -s --unix-socket "$SOCK" -o /dev/null -w '%{http_code}' -X POST --data-binary @"$SCRATCH/junk" \
	http://berthd/1.0/servers)
[ "$code" = 400 ] || fail "binary junk gave $code"

# Nothing was created, and berthd still answers.
kill -0 "$BERTHD_PID" || fail "berthd died"
expect_api 200 GET /1.0
[ "$(db 'SELECT count(*) FROM servers')" = 0 ] || fail "bad input created a server"
echo "bad input: all refused with 4xx and a message; berthd alive"
