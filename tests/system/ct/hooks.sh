#!/usr/bin/env bash
# hooks.sh - all six hook kinds run in order, each with the state JSON on stdin and its
# env; start returns once the process has called execve, so poststart hooks run after
# it and a failing startContainer hook is start's error; a failing poststart or
# poststop hook warns and the rest run; a hook past its timeout fails the create and
# leaves nothing behind.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b out log=$CT_TMP/hooks/log
	mkdir -p "$CT_TMP/hooks" "$(ct_rootfs)/hooks"
	# each hook keeps the state it read on stdin as KIND.json and logs "KIND ID:STATUS ENV"
	cat >"$CT_TMP/hooks/hook" <<-EOF2
	#!/bin/sh
	cat > $CT_TMP/hooks/\$1.json
	printf '%s %s %s\n' "\$1" "\$(jq -r '.id + ":" + .status' $CT_TMP/hooks/\$1.json)" "\$HOOK_ENV" >> $log
	EOF2
	chmod +x "$CT_TMP/hooks/hook"
	: >"$log"
	b=$(ct_bundle hooks sleep 100)
	ct_cfg "$b" --arg h "$CT_TMP/hooks/hook" --arg d "$CT_TMP/hooks" '
		def hook(k): {path: $h, args: ["hook", k], env: ["HOOK_ENV=env-" + k]};
		.mounts += [{destination: "/hooks", type: "bind", source: $d, options: ["bind"]}] |
		.annotations = {"org.example.hooked": "yes"} |
		.hooks = {prestart: [hook("prestart")], createRuntime: [hook("createRuntime")],
			createContainer: [hook("createContainer")],
			startContainer: [{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/null; sleep 1; echo startContainer >> /hooks/log"]}],
			poststart: [hook("poststart"), hook("poststart2")], poststop: [hook("poststop")]}'
	ct create --bundle "$b" h1
	ct start h1
	# start returns once the process has called execve (after a slow startContainer
	# hook too): a signal sent now reaches `sleep`, not berth-ct's set-up
	[ "$(cat "/proc/$(ct_pid h1)/comm")" = sleep ] ||
		fail "start returned before the execve: the process is $(cat "/proc/$(ct_pid h1)/comm")"
	ct kill h1 KILL
	ct_wait_status h1 stopped
	ct delete h1
	out=$(cat "$log")
	# poststart runs after the execve, so after startContainer: all six are in order
	[ "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" = \
	  "prestart createRuntime createContainer startContainer poststart poststart2 poststop " ] ||
		fail "hook order: $out"
	echo "$out" | grep -qx 'createRuntime h1:creating env-createRuntime' || fail "createRuntime state: $out"
	echo "$out" | grep -qx 'poststart h1:running env-poststart' || fail "poststart state: $out"
	echo "$out" | grep -qx 'poststop h1:stopped env-poststop' || fail "poststop state: $out"
	for k in prestart createRuntime createContainer poststart poststop; do
		jq -e --arg v "$(ct --version | sed -n 's/^spec: //p')" '.annotations == {"org.example.hooked": "yes"}
			and .ociVersion == $v and (.bundle | length > 0)' "$CT_TMP/hooks/$k.json" >/dev/null ||
			fail "$k hook's state lacks annotations or ociVersion: $(cat "$CT_TMP/hooks/$k.json")"
	done
	ok "six hook kinds in order with state (annotations too) on stdin and env"

	# after create, the bundle's config.json no longer matters: it was kept in the state
	: >"$log"
	b=$(ct_bundle gone sleep 100)
	ct_cfg "$b" --arg h "$CT_TMP/hooks/hook" '
		def hook(k): {path: $h, args: ["hook", k], env: ["HOOK_ENV=env-" + k]};
		.process.env += ["FROM_CONFIG=kept"] |
		.hooks = {poststart: [hook("poststart")], poststop: [hook("poststop")]}'
	ct create --bundle "$b" h3
	mv "$b/config.json" "$b/config.json.moved"
	ct start h3
	grep -qx 'poststart h3:running env-poststart' "$log" || fail "poststart without the bundle's config: $(cat "$log")"
	out=$(ct exec h3 sh -c 'echo $FROM_CONFIG') || fail "exec without the bundle's config"
	[ "$out" = kept ] || fail "exec did not use the kept config: $out"
	echo '{"ociVersion": "1.0.2", "hooks": {"poststop": [{"path": "/bin/false"}]}}' >"$b/config.json"
	ct delete --force h3
	grep -qx 'poststop h3:stopped env-poststop' "$log" || fail "poststop from the kept config: $(cat "$log")"
	ok "start, exec and delete use the config kept at create, not the bundle's"

	# a startContainer hook that fails is start's error, with the hook's message
	b=$(ct_bundle startfail sleep 100)
	ct_cfg "$b" '.hooks = {startContainer: [{path: "/bin/false"}]}'
	ct create --bundle "$b" h5
	out=$(ct start h5 2>&1) && fail "start succeeded with a failing startContainer hook"
	echo "$out" | grep -q 'startContainer hook `/bin/false` exited with status 1' ||
		fail "start's message does not name the hook: $out"
	ct_wait_status h5 stopped
	ct delete h5
	ok "start returns after the execve; a failing startContainer hook is its error"

	# a failing poststart or poststop hook is a warning, and the hooks after it still run
	: >"$log"
	b=$(ct_bundle failing sleep 100)
	ct_cfg "$b" --arg h "$CT_TMP/hooks/hook" '
		def hook(k): {path: $h, args: ["hook", k], env: ["HOOK_ENV=env-" + k]};
		.hooks = {poststart: [{path: "/bin/false"}, hook("poststart")],
			poststop: [{path: "/bin/false"}, hook("poststop")]}'
	ct create --bundle "$b" h4
	out=$(ct start h4 2>&1) || fail "start failed on a failing poststart hook: $out"
	echo "$out" | grep -q 'warning: poststart hook `/bin/false` exited with status 1' ||
		fail "no warning for the failing poststart hook: $out"
	grep -qx 'poststart h4:running env-poststart' "$log" ||
		fail "the poststart hook after a failing one did not run: $(cat "$log")"
	out=$(ct delete --force h4 2>&1) || fail "delete failed on a failing poststop hook: $out"
	echo "$out" | grep -q 'warning: poststop hook `/bin/false` exited with status 1' ||
		fail "no warning for the failing poststop hook: $out"
	grep -qx 'poststop h4:stopped env-poststop' "$log" ||
		fail "the poststop hook after a failing one did not run: $(cat "$log")"
	ok "a failing poststart or poststop hook warns and the rest run"

	b=$(ct_bundle slow sh -c 'echo ct-debris-marker; sleep 100')
	ct_cfg "$b" '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	out=$(ct create --bundle "$b" h2 2>&1) && fail "slow hook did not time out"
	echo "$out" | grep -q 'timed out after 1 s' || fail "timeout message: $out"
	[ ! -e "$CT_ROOT/h2" ] || fail "state left behind"
	! pgrep -f ct-debris-marker >/dev/null || fail "process left behind"
	ok "hook timeout"
}
ct_run_both
