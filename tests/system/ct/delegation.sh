#!/usr/bin/env bash
# delegation.sh - a user-namespaced container with a writable cgroup mount gets its cgroup
# delegated (owned by its root), builds a subtree in it as systemd does (its init in a
# child, a service in another; on v2 a controller enabled in its subtree, which makes its
# cgroup an inner node that takes no process), and berth-ct still works on it: `exec` joins
# the init's cgroup, `ps` lists the processes of the whole subtree, `delete` removes it.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b host out pids svc ctl
	mkdir -p "$CT_TMP/vol" "$(ct_rootfs)/vol" && chmod 777 "$CT_TMP/vol"
	b=$(ct_bundle deleg sh -c '
		cg=/sys/fs/cgroup
		[ -e $cg/cgroup.controllers ] || cg=/sys/fs/cgroup/systemd
		mkdir $cg/init $cg/svc && echo $$ >$cg/init/cgroup.procs || exit 1
		sh -c "echo \$\$ >$cg/svc/cgroup.procs && exec sleep 1000" &
		ctl=$(cut -d" " -f1 $cg/cgroup.controllers 2>/dev/null)
		[ -z "$ctl" ] || echo +$ctl >$cg/cgroup.subtree_control || exit 1
		echo "$ctl" >/vol/ready
		exec sleep 1000')
	ct_cfg "$b" --arg v "$CT_TMP/vol" '.linux.namespaces += [{type: "user"}] |
		.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		(.mounts[] | select(.type == "cgroup") | .options) -= ["ro"] |
		.mounts += [{destination: "/vol", type: "bind", source: $v, options: ["rbind"]}]'
	ct run -d --bundle "$b" deleg >"$CT_TMP/out" 2>&1 || fail "run: $(cat "$CT_TMP/out")"
	for _ in $(seq 1 100); do [ -e "$CT_TMP/vol/ready" ] && break; sleep 0.05; done
	[ -e "$CT_TMP/vol/ready" ] || fail "the container could not build its subtree: $(cat "$CT_TMP/out")"
	ctl=$(cat "$CT_TMP/vol/ready")
	host=$(ct_cgroup_dir deleg systemd)
	[ "$(stat -c %u:%g "$host")" = 100000:100000 ] || fail "$host is not the container root's"
	[ -d "$host/init" ] && [ -d "$host/svc" ] || fail "no subtree in $host"
	ok "cgroup delegated to the container's root, which made init and svc in it"

	out=$(ct exec deleg cat /proc/self/cgroup 2>&1) || fail "exec: $out"
	if [ "$CT_LAYOUT" = v2 ]; then
		[ -n "$ctl" ] || skip "no v2 controller to enable in the container's cgroup"
		grep -qx '0::/init' <<<"$out" || fail "exec is not in the init's cgroup: $out"
		ok "exec joins the init's cgroup once the container's own is an inner node (+$ctl)"
	fi

	pids=$(ct ps --format json deleg) || fail "ps: $pids"
	svc=$(cat "$host/svc/cgroup.procs")
	[ -n "$svc" ] && jq -e --argjson s "$svc" --argjson i "$(ct_pid deleg)" \
		'index($s) != null and index($i) != null' <<<"$pids" >/dev/null ||
		fail "ps does not list the init ($(ct_pid deleg)) and the service ($svc): $pids"
	ok "ps lists the processes of the whole subtree"

	ct kill deleg KILL
	ct_wait_status deleg stopped
	ct delete deleg
	[ ! -d "$host" ] || fail "$host is left after delete"
	ok "delete removes the subtree the container made"
}
ct_run_both
