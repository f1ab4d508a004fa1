#!/usr/bin/env bash
# flood.sh - berthd keeps answering its operator whatever one member of the berth group
# does (issue 16): an unprivileged member tries 2,000 idle connections, 2,000 slowloris
# ones (a byte each 5 s) and 2,000 event streams it then abandons, while root's `berth
# list` answers every probe (one each 250 ms) within 100 ms and a second unprivileged
# member's within 500 ms; berthd keeps at most 16 threads and 64 MiB RSS throughout; once
# the attacker's sockets close, berthd's fds and memory are back within 5 s.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"

need_root
PY=/usr/bin/python3 # the system's: the unprivileged uids must be able to run it
[ -x "$PY" ] || skip "needs python3"
command -v setpriv >/dev/null || skip "needs setpriv"
getent group berth >/dev/null || skip "needs the berth group (its members may use the API socket)"
[ -x "$BUILD/berth" ] || skip "build/berth is not built (make)"
HOSTILE=$(dirname "$0")/lib/hostile.py
GID=$(getent group berth | cut -d: -f3)
ATTACKER=64016 OTHER=64017 # two uids nobody uses, members of berth for this test only
chmod 755 "$SCRATCH"       # the unprivileged ones reach the socket
SECONDS_HELD=30

start_berthd --host-memory 2G --host-cpus 2
# Real-time for berthd and the probes: this host's 2 cores are shared by many other jobs,
# and a probe must measure berthd, not the scheduler's queue.
chrt -f -a -p 1 "$BERTHD_PID" >/dev/null 2>&1 || echo "note: berthd runs without real-time priority"
as() { echo setpriv --reuid "$1" --regid "$1" --groups "$GID"; } # as UID: run as UID, in berth
# berthd's fds but its database's (each worker thread opens its own connection, once)
fds() { find "/proc/$BERTHD_PID/fd" -mindepth 1 -printf '%l\n' | grep -vc '/berth\.db'; }
field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$BERTHD_PID/status"; }
$(as "$OTHER") "$BUILD/berth" --socket "$SOCK" list >/dev/null || fail "a member of berth cannot use the API"
# Warm up first: each of berthd's workers opens its own database connection once.
seq 80 | xargs -P 16 -I{} curl -s --unix-socket "$SOCK" http://berthd/1.0/servers >/dev/null
sleep 0.5 # their connections closed on berthd's side too
fds0=$(fds) rss0=$(field VmRSS)

# The attacker, with room for its sockets within the host's hard limit (20,000).
prlimit --nofile=16000:16000 $(as "$ATTACKER") "$PY" "$HOSTILE" flood "$SOCK" 2000 "$SECONDS_HELD" >"$SCRATCH/attack" 2>&1 &
ATTACK=$!
sleep 2 # the attack is under way
chrt -f 1 "$PY" "$HOSTILE" probe $((SECONDS_HELD - 6)) 100 "$BUILD/berth" --socket "$SOCK" list >"$SCRATCH/root" &
ROOT_PROBE=$!
chrt -f 1 $(as "$OTHER") "$PY" "$HOSTILE" probe $((SECONDS_HELD - 6)) 500 "$BUILD/berth" --socket "$SOCK" list >"$SCRATCH/other" &
OTHER_PROBE=$!
max_threads=0 max_rss=0
while kill -0 "$ATTACK" 2>/dev/null; do
	t=$(field Threads) r=$(field VmRSS)
	[ "$t" -gt "$max_threads" ] && max_threads=$t
	[ "$r" -gt "$max_rss" ] && max_rss=$r
	sleep 0.25
done
wait "$ROOT_PROBE" "$OTHER_PROBE"
wait "$ATTACK" || fail "the attacker failed: $(cat "$SCRATCH/attack")"
echo "attack: $(cat "$SCRATCH/attack")"
echo "root's probes: $(cat "$SCRATCH/root"); the other member's: $(cat "$SCRATCH/other")"
echo "berthd: at most $max_threads threads, $((max_rss / 1024)) MiB RSS (from $((rss0 / 1024)) MiB, $fds0 fds)"
jq -e '.tried.idle >= 2000 and .tried.slowloris >= 2000 and .tried.events >= 2000' "$SCRATCH/attack" >/dev/null ||
	fail "the attacker tried less than asked: $(cat "$SCRATCH/attack")"
jq -e '.probes >= 80 and .slow == 0 and .failed == 0' "$SCRATCH/root" >/dev/null ||
	fail "root's berth list was slower than 100 ms or failed: $(cat "$SCRATCH/root")"
jq -e '.probes >= 40 and .slow == 0 and .failed == 0' "$SCRATCH/other" >/dev/null ||
	fail "the other member's berth list was slower than 500 ms or failed: $(cat "$SCRATCH/other")"
[ "$max_threads" -le 16 ] || fail "berthd went up to $max_threads threads"
[ "$max_rss" -le $((64 * 1024)) ] || fail "berthd's RSS went up to $((max_rss / 1024)) MiB"

# Back to where it was within 5 s of the attacker's sockets closing: every fd, and memory
# within 1 MiB (what malloc keeps of its arenas).
back() { [ "$(fds)" -le "$fds0" ] && [ "$(field VmRSS)" -le $((rss0 + 1024)) ]; }
wait_until 5 back || fail "5 s after the attack berthd has $(fds) fds (had $fds0), $(field VmRSS) KiB RSS (had $rss0)"
expect_status 0 "$BUILD/berth" --socket "$SOCK" list
echo "ok: berthd answered root within 100 ms and another member within 500 ms through the flood; back to $(fds) fds, $(($(field VmRSS) / 1024)) MiB"
