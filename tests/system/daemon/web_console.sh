#!/usr/bin/env bash
# web_console.sh - berthd's web console in a real browser (Debian's chromium, headless,
# driven by playwright-core): the page over HTTPS, a wrong token refused at log-in, the
# project's server listed, its console opened in xterm.js and a command's output seen
# there; a VM's screen (vm_display; SeaBIOS on an empty disk, on this host's KVM) opened in
# noVNC and its picture not blank; the page is not on the Unix socket; the WebSocket upgrade without a token (401) and
# with another project's token (404) is refused and leaves the console free.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

need_root
need_berth_cli
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
[ -x /usr/bin/chromium ] || skip "chromium is not installed (scripts/setup: apt-get install chromium)"
[ -d "$ROOT/web/node_modules/playwright-core" ] || skip "web/node_modules is missing (scripts/web-build runs npm ci)"
[ -f "$ROOT/build/web/index.html" ] || skip "the web console is not built (scripts/web-build)"
WS=$(dirname "$0")/lib/ws_client.py
PORT=$((20000 + ($$ + 13) % 20000))
printf 'listen = 127.0.0.1:%s\nnetwork = none\nvm_display = yes\n' "$PORT" >"$SCRATCH/berthd.conf"
start_berthd --host-memory 4G --host-cpus 4

two_projects_ct
# A VM with a display, for its screen in noVNC: an empty disk booted by SeaBIOS, which
# writes on the screen that it found nothing to boot (this host's KVM runs it).
VM=
if [ -c /dev/kvm ] && [ -r /usr/share/seabios/vgabios-bochs-display.bin ]; then
	truncate -s 1M "$SCRATCH/empty.img"
	expect_api 202 POST "/1.0/images?project=alpha" "{\"name\":\"empty\",\"kind\":\"vm\",\"disk\":\"$SCRATCH/empty.img\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 POST "/1.0/servers?project=alpha" '{"name":"avm","kind":"vm","image":"empty","cpus":1,"memory":"128M"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 PUT /1.0/servers/avm/state '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	VM=avm
else
	echo "note: no KVM or SeaBIOS's display ROM here: the VM screen part is left out"
fi
expect_api 201 POST /1.0/tokens '{"project":"alpha"}'
TA=$(jq -r .token <<<"$REPLY")
expect_api 201 POST /1.0/tokens '{"project":"beta"}'
TB=$(jq -r .token <<<"$REPLY")

# The page: over HTTPS, with its policy; not on the Unix socket.
HEAD=$(curl -sk -D - -o /dev/null "https://127.0.0.1:$PORT/")
grep -q "^HTTP/1.1 200" <<<"$HEAD" || fail "GET / over HTTPS: $HEAD"
grep -qi "^Content-Security-Policy: default-src 'self'" <<<"$HEAD" || fail "no CSP: $HEAD"
expect_api 404 GET /
STATUS=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/web/../../etc/passwd")
[ "$STATUS" = 401 ] || [ "$STATUS" = 404 ] || fail "a path outside the list gave $STATUS"
echo "ok: the page over HTTPS only, with its policy"

# The upgrade without a token and with another project's: refused, nothing upgraded.
OUT=$(timeout 60 python3 "$WS" https "127.0.0.1:$PORT" /1.0/servers/asrv/console/ws) && fail "upgraded without a token: $OUT"
grep -q " 401 " <<<"$OUT" || fail "no token: $OUT"
OUT=$(timeout 60 python3 "$WS" https "127.0.0.1:$PORT" /1.0/servers/asrv/console/ws --protocol "berth, $TB") &&
	fail "upgraded with another project's token: $OUT"
grep -q " 404 " <<<"$OUT" || fail "another project's token: $OUT"
echo "ok: the WebSocket upgrade without a token 401, with another project's 404"

# The browser, which then gets the console: the refusals took nothing.
SCRATCH=$SCRATCH timeout 120 node "$(dirname "$0")/lib/web_console.js" "https://127.0.0.1:$PORT/" "$TA" asrv web-42-ok $VM ||
	fail "the browser run failed (screenshot $SCRATCH/web.png)"
