#!/usr/bin/env bash
# userns.sh - a user namespace maps container root to an unprivileged host uid: the
# host sees that uid on the process and on the files it creates.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b out pid
	mkdir -p "$CT_TMP/vol" "$(ct_rootfs)/vol" && chmod 777 "$CT_TMP/vol" # rootfs is host-root owned
	b=$(ct_bundle userns sh -c 'id -u; cat /proc/self/uid_map; touch /vol/made-by-root; sleep 100')
	ct_cfg "$b" --arg v "$CT_TMP/vol" '.linux.namespaces += [{type: "user"}] |
		.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
		.mounts += [{destination: "/vol", type: "bind", source: $v, options: ["rbind"]}]'
	ct create --bundle "$b" userns >"$CT_TMP/out" 2>&1 || fail "create: $(cat "$CT_TMP/out")"
	ct start userns
	pid=$(ct_pid userns)
	for _ in $(seq 1 100); do [ -e "$CT_TMP/vol/made-by-root" ] && break; sleep 0.05; done
	out=$(cat "$CT_TMP/out")
	[ "$(echo "$out" | head -1)" = 0 ] || fail "not root inside: $out"
	echo "$out" | grep -q '^ *0 *100000 *65536' || fail "uid_map: $out"
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 100000 ] || fail "host uid of the process"
	[ "$(stat -c %u:%g "$CT_TMP/vol/made-by-root")" = 100000:100000 ] || fail "file owner on the host"
	ok "container root is host uid 100000 (process and files)"

	# a second container joins that user (and pid) namespace by path, with its own mount/uts
	b=$(ct_bundle joiner sh -c 'cat /proc/self/uid_map; hostname')
	ct_cfg "$b" --arg p "$pid" '.hostname = "joiner" | .linux.namespaces = [{type: "mount"}, {type: "uts"}, {type: "ipc"}, {type: "network"},
		{type: "user", path: "/proc/\($p)/ns/user"}, {type: "pid", path: "/proc/\($p)/ns/pid"}] |
		.linux.uidMappings = null | .linux.gidMappings = null'
	out=$(ct run --bundle "$b" joiner 2>&1) || fail "join user namespace: $out"
	echo "$out" | grep -q '^ *0 *100000 *65536' || fail "joined uid_map: $out"
	echo "$out" | grep -qx joiner || fail "own uts namespace: $out"
	ct delete --force userns
	ok "user namespace joined by path, new namespaces owned by it"

	b=$(ct_bundle nomap true)
	ct_cfg "$b" '.linux.namespaces += [{type: "user"}]'
	ct_refuses "$b" nomap 'uidMappings' "user namespace without mappings"
	ok "missing mappings named"
}
ct_run_both
