#!/usr/bin/env bash
# namespaces.sh - joining another container's namespaces by path (pid, uts, network,
# ipc, mount, cgroup, time), the time namespace with offsets, a network namespace with
# only loopback, and the smaller process settings (noNewPrivileges, oomScoreAdj,
# domainname). blockIO throttles on v1 (the weight: blkio_weight.sh).
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b out pid
	b=$(ct_bundle first sleep 1000)
	ct_cfg "$b" '.hostname = "first-host"'
	ct run --detach --bundle "$b" first
	pid=$(ct_pid first)
	b=$(ct_bundle second sh -c 'hostname; ps -o comm | grep -c sleep; ls /sys/class/net | tr "\n" " "')
	ct_cfg "$b" --arg p "$pid" '.hostname = null | .linux.namespaces = [{type: "mount"},
		{type: "pid", path: "/proc/\($p)/ns/pid"}, {type: "uts", path: "/proc/\($p)/ns/uts"},
		{type: "network", path: "/proc/\($p)/ns/net"}, {type: "ipc", path: "/proc/\($p)/ns/ipc"}]'
	out=$(ct run --bundle "$b" second)
	[ "$(echo "$out" | sed -n 1p)" = first-host ] || fail "uts namespace not joined: $out"
	[ "$(echo "$out" | sed -n 2p)" -ge 1 ] || fail "pid namespace not joined: $out"
	[ "$(echo "$out" | sed -n 3p)" = "lo " ] || fail "network namespace: $out"
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] || fail "first shares the host netns"
	ct delete --force first
	ok "pid, uts, network, ipc namespaces joined by path; only loopback inside"

	# cgroup and time namespaces joined by path from a container, and a mount namespace
	# from a process outside one (a copy of the host's, where root.path exists): the
	# container still gets its own root, built and pivoted to inside the joined namespace
	local kinds="mnt cgroup" has_time=false want holder
	if [ -e /proc/self/ns/time ]; then kinds="$kinds time"; has_time=true; fi
	b=$(ct_bundle third sleep 1000)
	ct_cfg "$b" --argjson t "$has_time" '.linux.namespaces += (if $t then [{type: "time"}] else [] end)'
	ct run --detach --bundle "$b" third
	pid=$(ct_pid third)
	ct_background unshare -m --propagation private sleep 1000
	holder=$CT_BG_PID
	for _ in $(seq 1 100); do
		[ "$(readlink /proc/$holder/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.05
	done
	echo in-the-rootfs >"$(ct_rootfs)/ct-root-marker"
	b=$(ct_bundle fourth sh -c "for n in $kinds; do readlink /proc/self/ns/\$n; done; cat /proc/self/cgroup; cat /ct-root-marker")
	ct_cfg "$b" --arg p "$pid" --arg h "$holder" --argjson t "$has_time" '.hostname = null | .linux.namespaces = [
		{type: "mount", path: "/proc/\($h)/ns/mnt"}, {type: "pid", path: "/proc/\($p)/ns/pid"},
		{type: "cgroup", path: "/proc/\($p)/ns/cgroup"}] +
		(if $t then [{type: "time", path: "/proc/\($p)/ns/time"}] else [] end)'
	out=$(ct run --bundle "$b" fourth) || fail "joined mount namespace: $out"
	want=$(readlink "/proc/$holder/ns/mnt"; for n in ${kinds#mnt }; do readlink "/proc/$pid/ns/$n"; done)
	rm "$(ct_rootfs)/ct-root-marker"
	[ "$(echo "$out" | head -n "$(echo "$want" | wc -l)")" = "$want" ] ||
		fail "namespaces ($kinds) not joined: got $out, want $want"
	for n in ${kinds#mnt }; do
		[ "$(readlink "/proc/$pid/ns/$n")" != "$(readlink "/proc/self/ns/$n")" ] ||
			fail "third shares the host's $n namespace"
	done
	echo "$out" | grep -qx in-the-rootfs || fail "no root file system in the joined mount namespace: $out"
	# in the joined cgroup namespace, fourth's own cgroup sits beside third's
	echo "$out" | grep -q '^0::/\.\./fourth$\|:/\.\./fourth$' || fail "cgroup seen from the joined namespace: $out"
	ct delete --force third
	ok "mount (with its own root), cgroup${has_time/true/, time} namespaces joined by path"

	if [ -e /proc/self/ns/time ]; then
		b=$(ct_bundle time cut -d. -f1 /proc/uptime)
		ct_cfg "$b" '.linux.namespaces += [{type: "time"}] |
			.linux.timeOffsets = {boottime: {secs: 8640000, nanosecs: 0}, monotonic: {secs: 0}}'
		out=$(ct run --bundle "$b" time)
		[ "$out" -ge 8640000 ] || fail "boottime offset not applied: uptime $out"
		[ "$(cut -d. -f1 /proc/uptime)" -lt 8640000 ] || fail "host uptime changed"
		ok "time namespace with a boottime offset"
	fi

	b=$(ct_bundle misc sh -c 'grep NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj; cat /proc/sys/kernel/domainname')
	ct_cfg "$b" '.process.noNewPrivileges = true | .process.oomScoreAdj = 123 | .domainname = "dom.example"'
	out=$(ct run --bundle "$b" misc)
	echo "$out" | grep -q 'NoNewPrivs:.*1' || fail "noNewPrivileges: $out"
	echo "$out" | grep -qx 123 || fail "oomScoreAdj: $out"
	echo "$out" | grep -qx dom.example || fail "domainname: $out"
	ok "noNewPrivileges, oomScoreAdj, domainname"

	if [ "$CT_LAYOUT" = hybrid ] && [ -e /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device ]; then
		local dev
		dev=$(awk '$5 == "/" {print $3}' /proc/self/mountinfo | head -1)
		b=$(ct_bundle bio sleep 100)
		ct_cfg "$b" --argjson maj "${dev%%:*}" --argjson min "${dev##*:}" '.linux.resources.blockIO = {
			throttleReadBpsDevice: [{major: $maj, minor: $min, rate: 1048576}],
			throttleWriteIOPSDevice: [{major: $maj, minor: $min, rate: 100}]}'
		if ct create --bundle "$b" bio 2>"$CT_TMP/bio.err"; then
			grep -q "^$dev 1048576" "$(ct_cgroup_dir bio blkio)/blkio.throttle.read_bps_device" ||
				fail "read bps throttle"
			grep -q "^$dev 100" "$(ct_cgroup_dir bio blkio)/blkio.throttle.write_iops_device" ||
				fail "write iops throttle"
			ct delete --force bio
			ok "blockIO throttles on $dev"
		else
			grep -q 'blkio.throttle' "$CT_TMP/bio.err" || fail "blkio error: $(cat "$CT_TMP/bio.err")"
			ok "blockIO throttle on $dev refused by the kernel with a named error"
		fi
	fi
}
ct_run_both
