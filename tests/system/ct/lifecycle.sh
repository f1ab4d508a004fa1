#!/usr/bin/env bash
# lifecycle.sh - create/start/state/kill/delete/run/list/ps/pause/resume, their exit
# codes and state JSON, and that a failed create leaves no debris.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

no_debris() { # no_debris ID: no state, cgroup or process left behind
	[ ! -e "$CT_ROOT/$1" ] || fail "state directory of $1 left behind"
	[ ! -e "$(ct_cgroup_dir "$1" pids)" ] || fail "cgroup of $1 left behind"
	! pgrep -f "ct-debris-marker" >/dev/null || fail "process of $1 left behind"
}

main() {
	local b pid out spec
	b=$(ct_bundle life sleep 1000)
	ct_cfg "$b" '.annotations = {"org.example.tier": "web", "note": "two words"}'

	ct create --bundle "$b" --pid-file "$CT_TMP/pid" c1
	[ "$(ct_status c1)" = created ] || fail "not created"
	pid=$(ct_pid c1)
	[ "$(cat "$CT_TMP/pid")" = "$pid" ] || fail "pid file"
	out=$(ct state c1)
	for k in ociVersion id pid status bundle rootfs created annotations owner; do
		echo "$out" | jq -e "has(\"$k\")" >/dev/null || fail "state lacks $k"
	done
	[ "$(echo "$out" | jq -r .bundle)" = "$b" ] || fail "state bundle"
	echo "$out" | jq -e '.annotations == {"org.example.tier": "web", "note": "two words"}' \
		>/dev/null || fail "state annotations: $out"
	# the owner is the user owning the state directory, as runc reports it
	[ "$(echo "$out" | jq -r .owner)" = "$(stat -c %U "$CT_ROOT/c1")" ] || fail "state owner: $out"
	# one spec version everywhere
	spec=$(ct --version | sed -n 's/^spec: //p')
	[ -n "$spec" ] && [ "$(echo "$out" | jq -r .ociVersion)" = "$spec" ] || fail "state ociVersion: $out"
	[ "$(ct features | jq -r .ociVersionMax)" = "$spec" ] || fail "features ociVersionMax"
	[ "$(ct list --format json | jq -c '.[0].annotations')" = "$(echo "$out" | jq -c .annotations)" ] ||
		fail "list json annotations"
	ct list | grep -q '^c1 .*created' || fail "list table"
	[ "$(ct list --format json | jq -r '.[0].id')" = c1 ] || fail "list json"
	ct start c1
	[ "$(ct_status c1)" = running ] || fail "not running after start"
	! ct start c1 2>/dev/null || fail "second start must fail"
	ct ps --format json c1 | jq -e "index($pid) != null" >/dev/null || fail "ps json"
	ct ps c1 | grep -q sleep || fail "ps table"
	ok "create, start, state, list, ps"

	ct pause c1
	[ "$(ct_status c1)" = paused ] || fail "not paused"
	grep -q '^State:.*T\|^State:.*D\|^State:.*S' "/proc/$pid/status" || true
	ct resume c1
	[ "$(ct_status c1)" = running ] || fail "not running after resume"
	ok "pause and resume"

	out=$(ct delete c1 2>&1) && fail "delete of a running container must fail"
	echo "$out" | grep -q "not stopped" || fail "delete error message: $out"
	ct kill c1 KILL
	ct_wait_status c1 stopped
	[ "$(ct state c1 | jq .pid)" = 0 ] || fail "stopped pid should be 0"
	ct delete c1
	no_debris c1
	! ct state c1 2>/dev/null || fail "state after delete"
	ok "kill, delete, refusal to delete a running container"

	b=$(ct_bundle plain sleep 1000)
	ct create --bundle "$b" c2
	ct state c2 | jq -e 'has("annotations") | not' >/dev/null || fail "empty annotations not omitted"
	ct start c2
	ct delete --force c2
	no_debris c2
	ok "delete --force"

	# runc's answers: --force of a missing container is quiet success; a state directory a
	# dead create left without state.json is removed (by plain delete too, which fails)
	out=$(ct delete --force nosuch 2>&1) || fail "delete --force of a missing container: $out"
	[ -z "$out" ] || fail "delete --force of a missing container says: $out"
	rc=0; ct delete nosuch 2>/dev/null || rc=$?
	[ "$rc" = 1 ] || fail "delete of a missing container exited $rc"
	mkdir -p "$CT_ROOT/half" && touch "$CT_ROOT/half/exec.fifo" "$CT_ROOT/half/.state.json.tmp"
	ct delete --force half || fail "delete --force of a half-made container"
	[ ! -e "$CT_ROOT/half" ] || fail "delete --force left a half-made state directory"
	mkdir -p "$CT_ROOT/half2"
	rc=0; ct delete half2 2>/dev/null || rc=$?
	[ "$rc" = 1 ] && [ ! -e "$CT_ROOT/half2" ] || fail "delete of a half-made container: exit $rc"
	ok "delete of missing and half-made containers"

	b=$(ct_bundle all sh -c 'sleep 100 & sleep 100 & wait')
	ct run --detach --bundle "$b" c5
	# run --detach may return before the shell has started both sleeps: wait for them.
	for _ in $(seq 1 100); do
		[ "$(ct ps --format json c5 | jq length)" = 3 ] && break
		sleep 0.05
	done
	[ "$(ct ps --format json c5 | jq length)" = 3 ] || fail "ps of three processes"
	ct kill --all c5 KILL
	ct_wait_status c5 stopped
	ct delete c5
	no_debris c5
	ok "kill --all"

	# fds beyond stdio reach the container only when --preserve-fds says so
	echo passed-fd >"$CT_TMP/fd3"
	b=$(ct_bundle fds sh -c 'cat /proc/self/fd/3 2>/dev/null || echo no-fd3')
	out=$(ct run --bundle "$b" f1 3<"$CT_TMP/fd3")
	[ "$out" = no-fd3 ] || fail "an inherited fd leaked into the container: $out"
	out=$(ct run --preserve-fds 1 --bundle "$b" f2 3<"$CT_TMP/fd3")
	[ "$out" = passed-fd ] || fail "--preserve-fds 1: $out"
	ct run -d --bundle "$(ct_bundle fdsx sleep 100)" f3
	out=$(ct exec --preserve-fds 1 f3 cat /proc/self/fd/3 3<"$CT_TMP/fd3")
	[ "$out" = passed-fd ] || fail "exec --preserve-fds 1: $out"
	ok "inherited fds closed, --preserve-fds passes them"

	# exec exits 255 when it cannot run the process (as runc), else with the process's status
	exec_rc() { local rc=0; ct exec "$@" >/dev/null 2>&1 || rc=$?; echo $rc; }
	[ "$(exec_rc f3 sh -c 'exit 7')" = 7 ] || fail "exec status"
	[ "$(exec_rc f3 sh -c 'exit 255')" = 255 ] || fail "exec status 255"
	[ "$(exec_rc f3 /no/such/binary)" = 255 ] || fail "exec of a missing binary"
	[ "$(exec_rc f3 nosuchcommand)" = 255 ] || fail "exec of a command not in PATH"
	[ "$(exec_rc --cwd /no/such/dir f3 true)" = 255 ] || fail "exec with a missing cwd"
	[ "$(exec_rc --process /no/such/process.json f3)" = 255 ] || fail "exec --process missing"
	[ "$(exec_rc --user x f3 true)" = 255 ] || fail "exec --user x"
	[ "$(exec_rc nosuch true)" = 255 ] || fail "exec in a missing container"
	[ "$(exec_rc)" = 1 ] || fail "exec without arguments is a usage error"
	[ "$(exec_rc --bogus f3 true)" = 1 ] || fail "exec --bogus is a usage error"
	ct kill f3 KILL
	ct_wait_status f3 stopped
	out=$(ct exec f3 true 2>&1) && fail "exec in a stopped container"
	[ "$(exec_rc f3 true)" = 255 ] || fail "exec in a stopped container: exit $(exec_rc f3 true)"
	echo "$out" | grep -q 'stopped' || fail "exec in a stopped container: $out"
	ct delete f3
	ok "exec failures exit 255"

	# usage errors exit 1, an unknown command 3, no command prints the help (runc's codes)
	cmd_rc() { local rc=0; ct "$@" >/dev/null 2>&1 || rc=$?; echo $rc; }
	[ "$(cmd_rc start)" = 1 ] || fail "missing argument"
	[ "$(cmd_rc start a b)" = 1 ] || fail "extra argument"
	[ "$(cmd_rc list --bogus)" = 1 ] || fail "unknown option"
	[ "$(cmd_rc --bogus list)" = 1 ] || fail "unknown global option"
	[ "$(cmd_rc nosuchcommand)" = 3 ] || fail "unknown command"
	[ "$(cmd_rc)" = 0 ] || fail "no command"
	out=$(ct --log-format bogus list 2>&1) && fail "--log-format bogus accepted"
	echo "$out" | grep -q -- '--log-format `bogus`' || fail "--log-format message: $out"
	[ "$(cmd_rc --log-format bogus list)" = 1 ] || fail "--log-format bogus exit code"
	[ "$(cmd_rc --log-format text list)" = 0 ] || fail "--log-format text"
	ok "usage errors exit 1, an unknown command 3"

	b=$(ct_bundle exit sh -c 'exit 3')
	rc=0; ct run --bundle "$b" c3 || rc=$?
	[ "$rc" = 3 ] || fail "run exit code $rc"
	no_debris c3
	ok "run returns the exit status and cleans up"

	! ct create --bundle "$b" 'bad/id' 2>/dev/null || fail "bad id accepted"
	ct create --bundle "$b" c4
	out=$(ct create --bundle "$b" c4 2>&1) && fail "duplicate id accepted"
	echo "$out" | grep -q "already exists" || fail "duplicate message: $out"
	ct delete --force c4
	! ct kill nosuch 2>/dev/null || fail "kill of unknown container"
	ok "id checks"

	# bad input: each create fails, names the field, and leaves nothing behind
	b=$(ct_bundle bad sh -c 'echo ct-debris-marker; sleep 100')
	ct_cfg "$b" '.process.capabilities.bounding += ["CAP_NOPE"]'
	out=$(ct create --bundle "$b" d1 2>&1) && fail "unknown capability accepted"
	echo "$out" | grep -q 'process.capabilities.bounding.*CAP_NOPE' || fail "message: $out"
	no_debris d1
	b=$(ct_bundle bad2 /nonexistent/binary)
	out=$(ct create --bundle "$b" d2 2>&1) && fail "missing binary accepted"
	echo "$out" | grep -q '/nonexistent/binary' || fail "message: $out"
	no_debris d2
	b=$(ct_bundle bad3 sh -c 'echo ct-debris-marker; sleep 100')
	ct_cfg "$b" '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/no/such/dir"}]'
	out=$(ct create --bundle "$b" d3 2>&1) && fail "bad mount accepted"
	echo "$out" | grep -q 'mounts\[.*/no/such/dir' || fail "message: $out"
	no_debris d3
	b=$(ct_bundle bad4 sh -c 'echo ct-debris-marker; sleep 100')
	ct_cfg "$b" '.hooks.createRuntime = [{"path": "/bin/false"}]'
	out=$(ct create --bundle "$b" d4 2>&1) && fail "failing hook accepted"
	echo "$out" | grep -q 'createRuntime hook' || fail "message: $out"
	no_debris d4
	ok "failed creates name the problem and leave no debris"

	ct --log "$CT_TMP/log.json" --log-format json create --bundle "$b" d5 2>/dev/null || true
	jq -e '.level == "error" and (.msg | contains("createRuntime"))' "$CT_TMP/log.json" >/dev/null ||
		fail "json log"
	ct --help | grep -q Usage || fail "--help"
	ct create --help | grep -q -- --bundle || fail "create --help"
	ct --version | grep -q berth-ct || fail "--version"
	ct features | jq -e '.linux.namespaces | index("user") != null' >/dev/null || fail features
	ok "log file, help, version, features"
}
ct_run_both
