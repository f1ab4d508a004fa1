#!/usr/bin/env bash
# hooks.sh - all six hook kinds run in order, each with the state JSON on stdin and its
# env; a hook past its timeout fails the create and leaves nothing behind.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b out log=$CT_TMP/hooks/log
	mkdir -p "$CT_TMP/hooks" "$(ct_rootfs)/hooks"
	cat >"$CT_TMP/hooks/hook" <<-EOF2
	#!/bin/sh
	printf '%s %s %s\n' "\$1" "\$(jq -r '.id + ":" + .status')" "\$HOOK_ENV" >> $log
	EOF2
	chmod +x "$CT_TMP/hooks/hook"
	: >"$log"
	b=$(ct_bundle hooks sleep 100)
	ct_cfg "$b" --arg h "$CT_TMP/hooks/hook" --arg d "$CT_TMP/hooks" '
		def hook(k): {path: $h, args: ["hook", k], env: ["HOOK_ENV=env-" + k]};
		.mounts += [{destination: "/hooks", type: "bind", source: $d, options: ["bind"]}] |
		.hooks = {prestart: [hook("prestart")], createRuntime: [hook("createRuntime")],
			createContainer: [hook("createContainer")],
			startContainer: [{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/null; echo startContainer >> /hooks/log"]}],
			poststart: [hook("poststart"), hook("poststart2")], poststop: [hook("poststop")]}'
	ct create --bundle "$b" h1
	ct start h1
	for _ in $(seq 1 100); do grep -q startContainer "$log" && break; sleep 0.05; done
	ct kill h1 KILL
	ct_wait_status h1 stopped
	ct delete h1
	out=$(cat "$log")
	# startContainer runs in the container as `start` runs poststart (as with runc):
	# those two may interleave, everything else is ordered
	[ "$(echo "$out" | cut -d' ' -f1 | sed -n 1,3p | tr '\n' ' ')" = \
	  "prestart createRuntime createContainer " ] || fail "hook order: $out"
	[ "$(echo "$out" | cut -d' ' -f1 | sed -n 4,6p | sort | tr '\n' ' ')" = \
	  "poststart poststart2 startContainer " ] || fail "hook order: $out"
	echo "$out" | grep -A1 '^poststart ' | grep -q '^poststart2 \|^startContainer' || fail "poststart order: $out"
	[ "$(echo "$out" | tail -1 | cut -d' ' -f1)" = poststop ] || fail "poststop not last: $out"
	echo "$out" | grep -qx 'createRuntime h1:creating env-createRuntime' || fail "createRuntime state: $out"
	echo "$out" | grep -qx 'poststart h1:running env-poststart' || fail "poststart state: $out"
	echo "$out" | grep -qx 'poststop h1:stopped env-poststop' || fail "poststop state: $out"
	ok "six hook kinds in order with state on stdin and env"

	b=$(ct_bundle slow sh -c 'echo ct-debris-marker; sleep 100')
	ct_cfg "$b" '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	out=$(ct create --bundle "$b" h2 2>&1) && fail "slow hook did not time out"
	echo "$out" | grep -q 'timed out after 1 s' || fail "timeout message: $out"
	[ ! -e "$CT_ROOT/h2" ] || fail "state left behind"
	! pgrep -f ct-debris-marker >/dev/null || fail "process left behind"
	ok "hook timeout"
}
ct_run_both
