#!/usr/bin/env bash
# exec_console.sh - exec into a running container (command line and --process, exit
# status, --detach with --pid-file), and terminal mode through a console socket for
# both run and exec.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b out sock pid
	b=$(ct_bundle exec sleep 1000)
	ct_cfg "$b" '.hostname = "exec-host"'
	ct run --detach --bundle "$b" e1
	out=$(ct exec e1 sh -c 'echo pid=$$; hostname; cat /proc/1/comm')
	echo "$out" | grep -qx exec-host || fail "exec hostname: $out"
	echo "$out" | grep -qx sleep || fail "exec does not see the container's PID 1: $out"
	! echo "$out" | grep -qx pid=1 || fail "exec got PID 1"
	rc=0; ct exec e1 sh -c 'exit 7' || rc=$?
	[ "$rc" = 7 ] || fail "exec exit status $rc"
	ok "exec joins the namespaces and returns the exit status"

	cat >"$CT_TMP/process.json" <<-EOF2
	{"args": ["sh", "-c", "id -u; pwd; echo \$GREETING"], "cwd": "/tmp",
	 "env": ["GREETING=hello-from-process-json", "PATH=/bin"], "user": {"uid": 42, "gid": 42}}
	EOF2
	out=$(ct exec --process "$CT_TMP/process.json" e1)
	[ "$(echo "$out" | tr '\n' ' ')" = "42 /tmp hello-from-process-json " ] || fail "--process: $out"
	ok "exec --process"

	ct exec --detach --pid-file "$CT_TMP/exec.pid" e1 sleep 77
	pid=$(cat "$CT_TMP/exec.pid")
	ct ps --format json e1 | jq -e "index($pid) != null" >/dev/null || fail "detached exec not in the cgroup"
	grep -q '^sleep' "/proc/$pid/comm" || fail "detached exec not running"
	ok "exec --detach --pid-file, process joins the cgroup"

	out=$(ct exec e1 /no/such 2>&1) && fail "exec of a missing binary succeeded"
	echo "$out" | grep -q '/no/such' || fail "message: $out"
	# a --process file is held to config.json's rules: LSM labels are refused, not ignored
	echo '{"args": ["true"], "cwd": "/", "apparmorProfile": "unconfined"}' >"$CT_TMP/aa.json"
	echo '{"args": ["true"], "cwd": "/", "selinuxLabel": "system_u:system_r:container_t:s0"}' >"$CT_TMP/se.json"
	rc=0; out=$(ct exec --process "$CT_TMP/aa.json" e1 2>&1) || rc=$?
	[ "$rc" = 255 ] || fail "exec --process with apparmorProfile: exit $rc: $out"
	echo "$out" | grep -q 'process.apparmorProfile: AppArmor is not supported' || fail "message: $out"
	rc=0; out=$(ct exec --process "$CT_TMP/se.json" e1 2>&1) || rc=$?
	[ "$rc" = 255 ] || fail "exec --process with selinuxLabel: exit $rc: $out"
	echo "$out" | grep -q 'process.selinuxLabel: SELinux is not supported' || fail "message: $out"
	ct delete --force e1
	out=$(ct exec e1 true 2>&1) && fail "exec into a deleted container"
	ok "exec errors"

	b=$(ct_bundle tty sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty; read x; echo got=$x')
	ct_cfg "$b" '.process.terminal = true'
	sock=$(ct_console run 'typed-in
')
	ct run --console-socket "$sock" --bundle "$b" t1
	out=$(ct_console_wait run)
	echo "$out" | grep -q '^/dev/pts/0' || fail "tty name: $out"
	echo "$out" | grep -q is-a-tty || fail "not a tty: $out"
	echo "$out" | grep -q 'got=typed-in' || fail "input: $out"
	ct_refuses "$b" t2 'console-socket' "terminal without a console socket"
	ok "terminal through the console socket (run)"

	b=$(ct_bundle ttyexec sleep 1000)
	ct run --detach --bundle "$b" e2
	sock=$(ct_console exec)
	ct exec --tty --console-socket "$sock" e2 sh -c 'tty; [ -t 1 ] && echo exec-tty'
	out=$(ct_console_wait exec)
	echo "$out" | grep -q exec-tty || fail "exec --tty: $out"
	ct delete --force e2
	ok "exec --tty through the console socket"
}
ct_run_both
