#!/usr/bin/env bash
# A Linux guest printing its uptime every 0.5 s, paused through the API socket for 4 s:
# no line appears while paused, lines continue after resume, and the guest's uptime did not
# jump by the pause (its kvmclock was saved and restored). Then "shutdown" presses the power
# button and the guest powers off cleanly (status 0).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/api_lib.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<<'while :; do echo "tick $(cut -d" " -f1 /proc/uptime)"; sleep 0.5; done'
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
out=$(mktemp /run/berth-api-pause.XXXXXX)
S=$out.sock # Unix sockets cannot live on the rig's 9p /tmp
"${GUEST_VMM[@]}" --cpus 2 --api-sock "$S" </dev/null >"$out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$out" "$S"' EXIT
wait_for "$out" "^tick " 4
ticks() { tr -d '\r' <"$out" | grep -c '^tick [0-9.]*$'; }
res=$(api "$S" '{"cmd":"pause"}')
[ "$res" = '{"ok":true,"state":"paused"}' ] || fail "pause: $res"
n0=$(ticks)
sleep 4
n1=$(ticks)
[ "$n0" -eq "$n1" ] || fail "$((n1 - n0)) lines appeared while paused: $(tr -d '\r' <"$out" | tail -5)"
res=$(api "$S" '{"cmd":"resume"}')
[ "$res" = '{"ok":true,"state":"running"}' ] || fail "resume: $res"
wait_for "$out" "^tick " $((n0 + 3)) 60
# The largest step between consecutive uptimes: about 0.5 s, however long the pause was.
gap=$(tr -d '\r' <"$out" | sed -n 's/^tick \([0-9.]*\)$/\1/p' |
	awk 'NR > 1 && $1 - prev > max { max = $1 - prev } { prev = $1 } END { printf "%.2f", max }')
echo "largest uptime step across a 4 s pause: ${gap}s"
awk -v g="$gap" 'BEGIN { exit !(g < 2.5) }' || fail "the guest's clock jumped by ${gap}s across the pause"
res=$(api "$S" '{"cmd":"shutdown"}')
[ "$res" = '{"ok":true}' ] || fail "shutdown: $res"
wait_exit "$pid" 120 "$out"
[ "$RC" -eq 0 ] || fail "exit $RC after shutdown: $(tail -20 "$out")"
grep -q "reboot: Power down" "$out" || fail "guest did not power down: $(tail -20 "$out")"
[ ! -e "$S" ] || fail "the socket file was left behind"
echo ok
