#!/usr/bin/env bash
# start_exec.sh - `start` returns only once the container's process has called execve
# (issue 9 item 5), as runc's does: a signal sent the moment `start` returns to a pid
# namespace's init reaches the program's handler (the kernel drops a signal that init
# has no handler for, as berth-ct's set-up code has none), every time; a poststart hook
# already sees the new program.
# timeout: 240
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b i pid comm

	# The program traps USR1 and exits; a lost signal leaves it waiting for 1000 s.
	b=$(ct_bundle sig sh -c 'trap "exit 0" USR1; sleep 1000 & wait; exit 3')
	jq -e '.linux.namespaces | any(.type == "pid" and .path == null)' "$b/config.json" >/dev/null ||
		fail "the bundle has no pid namespace of its own"
	for i in $(seq 1 40); do
		ct create --bundle "$b" s$i
		ct start s$i
		ct kill s$i USR1
		for _ in $(seq 1 100); do [ "$(ct_status s$i)" = stopped ] && break; sleep 0.05; done
		[ "$(ct_status s$i)" = stopped ] || fail "USR1 sent right after start was lost (try $i)"
		ct delete s$i
	done
	ok "USR1 sent right after start reached a pid namespace's init in 40 of 40 tries"

	# A startContainer hook delays the execve: start waits for it, so poststart (run
	# by start) sees the program, not berth-ct's set-up, and so does a signal.
	b=$(ct_bundle slow sh -c 'trap "exit 0" TERM; sleep 1000 & wait; exit 3')
	ct_cfg "$b" --arg out "$CT_TMP/poststart" '.hooks = {
		startContainer: [{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/null; sleep 0.3"]}],
		poststart: [{path: "/bin/sh", args: ["sh", "-c",
			"pid=$(jq -r .pid); cat /proc/$pid/comm >\($out)"]}]}'
	ct create --bundle "$b" slow
	pid=$(ct_pid slow)
	ct start slow
	comm=$(cat "/proc/$pid/comm")
	[ "$comm" = sh ] || fail "start returned before the execve: the process is $comm"
	[ "$(cat "$CT_TMP/poststart")" = sh ] ||
		fail "poststart ran before the execve: it saw $(cat "$CT_TMP/poststart")"
	ct kill slow TERM
	ct_wait_status slow stopped
	ct delete slow
	ok "start waits for the execve behind a slow startContainer hook; poststart sees the program"
}
ct_run_both
