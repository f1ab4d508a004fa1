#!/usr/bin/env bash
# remote_api.sh - berthd's HTTPS listener (issue 12), on loopback: no token or a wrong or
# revoked one is 401 with WWW-Authenticate: Bearer; a token sees its own project only
# (another project's server, image or operation is 404, and is left as it was); operator
# routes are 403 over the network; a project's quota refuses a create and the ledger is
# unchanged, and an image upload past its disk quota; plain HTTP on the TLS port gets no HTTP answer and touches nothing; berth remote
# add pins the certificate, berth --remote (and BERTH_REMOTE) lists the project's servers,
# and a changed certificate is refused; network clients hold http_per_user connections per
# address, so one client's idle connections leave another address served.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"

need_root
need_berth_cli
PORT=$((20000 + $$ % 20000))
URL=https://127.0.0.1:$PORT
printf 'listen = 127.0.0.1:%s\nnetwork = none\nhttp_per_user = 4\n' "$PORT" >"$SCRATCH/berthd.conf"
start_berthd --host-memory 4G --host-cpus 4
PIN=$(sed -n 's/.*serving HTTPS on .*certificate public key \(sha256\/\/[^ ]*\)$/\1/p' "$SCRATCH/berthd.log")
[ -n "$PIN" ] || fail "berthd did not say it serves HTTPS with its pin: $(cat "$SCRATCH/berthd.log")"
[ "$(stat -c %a "$STATE/tls/key.pem")" = 600 ] || fail "the TLS key is not 0600"

# rapi TOKEN METHOD PATH [BODY]: over HTTPS; $STATUS, $REPLY, $HEADERS as api().
rapi() {
	local out auth=()
	[ -n "$1" ] && auth=(-H "Authorization: Bearer $1")
	out=$(curl -sk --path-as-is --max-time 60 -D "$SCRATCH/headers" "${auth[@]}" -X "$2" \
		-w '\n%{http_code}' ${4+-H 'Content-Type: application/json' --data-binary "$4"} \
		"$URL$3") || fail "curl $2 $3 over HTTPS failed"
	STATUS=${out##*$'\n'}
	REPLY=${out%$'\n'*}
}
expect_rapi() {
	local want=$1
	shift
	rapi "$@"
	[ "$STATUS" = "$want" ] || fail "HTTPS $2 $3 gave $STATUS, expected $want: $REPLY"
}
ledger() { db "SELECT count(*), total(cpus), total(memory) FROM servers"; }

busybox_rootfs "$SCRATCH/rootfs"
expect_api 201 POST /1.0/projects '{"name":"alpha","cpus":2,"memory":"1G"}'
expect_api 201 POST /1.0/projects '{"name":"beta"}'
expect_api 202 POST "/1.0/images?project=alpha" "{\"name\":\"abb\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_api 202 POST "/1.0/images?project=beta" "{\"name\":\"bbb\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_api 202 POST "/1.0/servers?project=beta" '{"name":"bsrv","kind":"ct","image":"bbb","cpus":1,"memory":"256M"}'
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_api 201 POST /1.0/tokens '{"project":"alpha"}'
TA=$(jq -r .token <<<"$REPLY")
TA_ID=$(jq -r .id <<<"$REPLY")
# stored hashed: the secret is nowhere in the database
[ -z "$(db "SELECT id FROM tokens WHERE hex(hash) LIKE '%${TA##*_}%' OR id = '${TA##*_}'")" ] ||
	fail "the token's secret is in the database"
grep -qa "${TA##*_}" "$STATE/berth.db" && fail "the token's secret is in berth.db's bytes"

# No token, a malformed one, a wrong secret: 401 with the challenge.
expect_rapi 401 "" GET /1.0/servers
# TLS 1.2 is served as 1.3 is (nothing older: GnuTLS priorities)
curl -sk --tlsv1.2 --tls-max 1.2 -o /dev/null "$URL/1.0" || fail "TLS 1.2 refused"
grep -qi '^WWW-Authenticate: Bearer' "$SCRATCH/headers" || fail "no WWW-Authenticate: $(cat "$SCRATCH/headers")"
expect_rapi 401 "nonsense" GET /1.0/servers
WRONG=${TA%?}$([ "${TA: -1}" = 0 ] && echo 1 || echo 0)
expect_rapi 401 "$WRONG" GET /1.0/servers
expect_rapi 401 "$WRONG" POST /1.0/servers '{"name":"x","kind":"ct","image":"abb","cpus":1,"memory":"64M"}'

# The token's own project: it creates and waits on its operation over the network.
expect_rapi 202 "$TA" POST /1.0/servers '{"name":"asrv","kind":"ct","image":"abb","cpus":2,"memory":"256M"}'
expect_rapi 200 "$TA" GET "$(jq -r .operation <<<"$REPLY")/wait?timeout=60"
[ "$(jq -r .status <<<"$REPLY")" = success ] || fail "create over HTTPS: $REPLY"
expect_rapi 200 "$TA" GET /1.0/servers
[ "$(jq -c '[.[].name]' <<<"$REPLY")" = '["asrv"]' ] || fail "a token lists other projects' servers: $REPLY"
expect_rapi 200 "$TA" GET /1.0/images
[ "$(jq -c '[.[].name]' <<<"$REPLY")" = '["abb"]' ] || fail "a token lists other projects' images: $REPLY"

# Another project's server, image, operation: 404, and nothing changes.
BEFORE=$(ledger)
BOP=$(db "SELECT id FROM operations WHERE target = '/1.0/servers/bsrv' LIMIT 1")
expect_rapi 404 "$TA" GET /1.0/servers/bsrv
expect_rapi 404 "$TA" PUT /1.0/servers/bsrv/state '{"action":"start"}'
expect_rapi 404 "$TA" PATCH /1.0/servers/bsrv '{"cpus":2}'
expect_rapi 404 "$TA" DELETE /1.0/servers/bsrv
expect_rapi 404 "$TA" GET /1.0/images/bbb
expect_rapi 404 "$TA" DELETE /1.0/images/bbb
expect_rapi 404 "$TA" GET "/1.0/operations/$BOP"
[ "$(ledger)" = "$BEFORE" ] || fail "another project's 404s changed the ledger"
[ "$(db "SELECT state, cpus FROM servers WHERE name = 'bsrv'")" = "stopped|1" ] || fail "bsrv changed"
expect_api 200 GET /1.0/images/bbb

# A token sees its own project (its quota and use), not another's.
expect_rapi 200 "$TA" GET /1.0/projects/alpha
[ "$(jq -r .quota.cpus <<<"$REPLY")" = 2 ] || fail "alpha's quota over HTTPS: $REPLY"
expect_rapi 404 "$TA" GET /1.0/projects/beta

# The operator's routes: 403 over the network.
expect_rapi 403 "$TA" GET /1.0/projects
expect_rapi 403 "$TA" POST /1.0/tokens '{"project":"beta"}'
expect_rapi 403 "$TA" GET /1.0/events
expect_rapi 403 "$TA" POST /1.0/images "{\"name\":\"h\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\"}"
expect_rapi 403 "$TA" POST /1.0/servers '{"name":"p","kind":"ct","image":"abb","cpus":1,"memory":"64M","privileged":true}'

# The quota (2 CPUs, asrv has both) refuses a create the host has room for; nothing recorded.
BEFORE=$(ledger)
expect_rapi 409 "$TA" POST /1.0/servers '{"name":"asrv2","kind":"ct","image":"abb","cpus":1,"memory":"64M"}'
grep -q "project alpha's quota: not enough CPUs" <<<"$REPLY" || fail "quota refusal: $REPLY"
[ "$(ledger)" = "$BEFORE" ] || fail "a refused create changed the ledger: $(ledger) vs $BEFORE"
expect_api 200 GET /1.0/projects/alpha
[ "$(jq -c '[.used.cpus, .servers]' <<<"$REPLY")" = "[2,1]" ] || fail "alpha's use: $REPLY"

# An image upload is held to its project's disk quota (busybox takes more than 256K).
expect_api 201 POST /1.0/projects '{"name":"gamma","disk":"256K"}'
code=$(tar -C "$SCRATCH/rootfs" -cf - . | curl -s --unix-socket "$SOCK" -o "$SCRATCH/up.out" \
	-w '%{http_code}' -H 'Content-Type: application/x-tar' --data-binary @- \
	"http://berthd/1.0/images?name=gimg&kind=ct&project=gamma")
[ "$code" = 409 ] || fail "an upload over gamma's disk quota got $code: $(cat "$SCRATCH/up.out")"
[ -z "$(db "SELECT name FROM images WHERE name = 'gimg'")" ] || fail "a refused upload left a row"

# Plain HTTP on the TLS port: no HTTP answer, nothing done.
BEFORE=$(ledger)
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TA" \
	--data-binary '{"name":"plain","kind":"ct","image":"abb","cpus":1,"memory":"64M"}' \
	"http://127.0.0.1:$PORT/1.0/servers") || true
[ "$code" = 000 ] || fail "plain HTTP on the TLS port got HTTP $code"
[ "$(ledger)" = "$BEFORE" ] || fail "plain HTTP changed the ledger"
expect_api 200 GET /1.0 # berthd still serves

# berth remote: pins the certificate, lists the token's project, refuses another certificate.
export HOME=$SCRATCH/home XDG_CONFIG_HOME=
mkdir -p "$HOME"
"$BERTH" remote add far "$URL" --token "$WRONG" >"$SCRATCH/add.out" 2>&1 &&
	fail "remote add took a wrong token: $(cat "$SCRATCH/add.out")"
"$BERTH" remote add far "$URL" --token "$TA" >"$SCRATCH/add.out" 2>&1 ||
	fail "remote add: $(cat "$SCRATCH/add.out")"
grep -qF "$PIN" "$SCRATCH/add.out" || fail "remote add did not show berthd's pin $PIN: $(cat "$SCRATCH/add.out")"
[ "$(stat -c %a "$HOME/.config/berth/remotes.json")" = 600 ] || fail "remotes.json is not 0600"
"$BERTH" --remote far list >"$SCRATCH/list.out" 2>&1 || fail "berth --remote far list: $(cat "$SCRATCH/list.out")"
grep -q '^asrv ' "$SCRATCH/list.out" || fail "berth --remote does not list asrv: $(cat "$SCRATCH/list.out")"
grep -q bsrv "$SCRATCH/list.out" && fail "berth --remote lists another project's server"
BERTH_REMOTE=far "$BERTH" list | grep -q '^asrv ' || fail "BERTH_REMOTE=far list"
BERTH_REMOTE=far "$BERTH" project list >/dev/null 2>&1 && fail "a token listed projects"
# A delete over the network: its operation stays the project's after the server is gone.
BERTH_REMOTE=far "$BERTH" delete asrv >"$SCRATCH/del.out" 2>&1 || fail "remote delete: $(cat "$SCRATCH/del.out")"
[ -z "$(db "SELECT name FROM servers WHERE name = 'asrv'")" ] || fail "asrv was not deleted"
expect_rapi 200 "$TA" GET "/1.0/operations/$(db "SELECT id FROM operations WHERE kind = 'delete' AND target = '/1.0/servers/asrv'")"

# Revoked: 401.
expect_api 200 DELETE "/1.0/tokens/$TA_ID"
expect_rapi 401 "$TA" GET /1.0/servers

# A new certificate (berthd's own, made again): the pinned one is missing, refused.
kill_berthd TERM
rm -r "$STATE/tls"
start_berthd
"$BERTH" --remote far list >"$SCRATCH/list.out" 2>&1 && fail "a changed certificate was accepted"
grep -q "is not the one pinned by berth remote add" "$SCRATCH/list.out" ||
	fail "no clear message for a changed certificate: $(cat "$SCRATCH/list.out")"

# A project with servers is not deleted; the operator's own ?project= filters.
expect_api 409 DELETE /1.0/projects/alpha
expect_api 200 GET "/1.0/servers?project=beta"
[ "$(jq -c '[.[].name]' <<<"$REPLY")" = '["bsrv"]' ] || fail "?project=beta: $REPLY"
expect_api 404 GET "/1.0/servers?project=nope"
# Shares per address: 127.0.0.1 holds its 4 connections, silent; its 5th is refused at once,
# while a client at 127.0.0.2 is answered.
python3 - "$PORT" <<'PY' || fail "shares by client address"
import socket, ssl, sys
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
fifth = socket.create_connection(("127.0.0.1", port), timeout=10)
got = fifth.recv(200)
if not got.startswith(b"HTTP/1.1 503"):
    sys.exit("127.0.0.1's fifth connection was not refused: %r" % got)
other = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.2", 0))
other = ssl._create_unverified_context().wrap_socket(other)
other.sendall(b"GET /1.0/servers HTTP/1.1\r\nHost: berth\r\n\r\n")
got = other.recv(200)
if not got.startswith(b"HTTP/1.1 401"):
    sys.exit("127.0.0.2 was not served beside 127.0.0.1's connections: %r" % got)
PY
echo "ok: 401s, 404s across projects, 403s, quota, plain HTTP, pinned remote, shares per address"
