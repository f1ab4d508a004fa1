#!/usr/bin/env bash
# isolation.sh - what a process sees inside: PID 1, hostname, dropped capabilities,
# masked and read-only paths, user and groups, rlimits, read-only root, sysctl,
# devices, mounts with options, and the container's own cgroup.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

run_out() { # run_out NAME: run the bundle, print its output
	ct run --bundle "$CT_TMP/$1" "$1"
}

main() {
	local b out cg mnt rc
	b=$(ct_bundle pid1 sh -c 'echo pid=$$; hostname; cat /proc/self/status; ls /proc | grep -c "^[0-9]"')
	ct_cfg "$b" '.hostname = "berth-test" | .domainname = "example.org"'
	out=$(run_out pid1)
	echo "$out" | grep -qx 'pid=1' || fail "not PID 1: $out"
	echo "$out" | grep -qx 'berth-test' || fail "hostname: $out"
	# the default spec keeps CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE = 0x20000420
	echo "$out" | grep -q '^CapBnd:.*0000000020000420' || fail "bounding set: $out"
	echo "$out" | grep -q '^CapEff:.*0000000020000420' || fail "effective set: $out"
	ok "PID 1, hostname, capabilities dropped"

	b=$(ct_bundle caps sh -c 'hostname x 2>&1; chown 1 /tmp 2>&1; echo done')
	ct_cfg "$b" '.process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"]}'
	out=$(run_out caps)
	echo "$out" | grep -qi 'not permitted' || fail "sethostname allowed without CAP_SYS_ADMIN: $out"
	echo "$out" | grep -c 'not permitted' | grep -qx 1 || fail "chown denied with CAP_CHOWN: $out"
	ok "a dropped capability is refused, a kept one works"

	# a capability outside the bounding set berth-ct runs with cannot be granted: create
	# says so, naming it, and leaves nothing behind (CAP_SYS_BOOT dropped for the test)
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	b=$(ct_bundle nocap sh -c 'echo ct-nocap-marker; sleep 100')
	ct_cfg "$b" '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_SYS_BOOT"],
		effective: ["CAP_CHOWN", "CAP_SYS_BOOT"], permitted: ["CAP_CHOWN", "CAP_SYS_BOOT"]}'
	out=$(setpriv --bounding-set -sys_boot "$CT" --root "$CT_ROOT" create --bundle "$b" nocap 2>&1) &&
		fail "create granted a capability outside the bounding set"
	echo "$out" | grep -q 'CAP_SYS_BOOT not in the host.s capability bounding set' ||
		fail "create's message does not name CAP_SYS_BOOT: $out"
	[ ! -e "$CT_ROOT/nocap" ] || fail "state left behind by the refused create"
	! pgrep -f ct-nocap-marker >/dev/null || fail "process left behind by the refused create"
	ct create --bundle "$b" nocap
	ct start nocap
	jq -n '{args: ["true"], cwd: "/", capabilities: {effective: ["CAP_SYS_BOOT"],
		permitted: ["CAP_SYS_BOOT"]}}' >"$CT_TMP/nocap.json"
	rc=0
	out=$(setpriv --bounding-set -sys_boot "$CT" --root "$CT_ROOT" exec --process "$CT_TMP/nocap.json" nocap 2>&1) || rc=$?
	[ "$rc" = 255 ] || fail "exec with a capability outside the bounding set exited $rc: $out"
	echo "$out" | grep -q 'CAP_SYS_BOOT not in the host' || fail "exec's message: $out"
	ct delete --force nocap
	ok "a capability outside the host's bounding set is a create (and exec) error naming it"

	b=$(ct_bundle mask sh -c 'cat /proc/kcore 2>/dev/null | head -c 100 | wc -c; ls /sys/firmware | wc -l;
		echo x > /proc/sys/kernel/hostname 2>&1 || echo ro-ok; echo 1 > /proc/sysrq-trigger 2>&1 || echo ro2-ok')
	out=$(run_out mask)
	[ "$(echo "$out" | sed -n 1p)" = 0 ] || fail "/proc/kcore readable: $out"
	[ "$(echo "$out" | sed -n 2p)" = 0 ] || fail "/sys/firmware not empty: $out"
	echo "$out" | grep -q ro-ok || fail "/proc/sys writable: $out"
	echo "$out" | grep -q ro2-ok || fail "/proc/sysrq-trigger writable: $out"
	ok "masked paths unreadable, read-only paths read-only"

	b=$(ct_bundle user sh -c 'id -u; id -g; id -G; umask; ulimit -n; touch /tmp/f; stat -c %a /tmp/f')
	ct_cfg "$b" '.process.user = {uid: 1234, gid: 567, additionalGids: [10, 20], umask: 63} |
		.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 321, hard: 654}]'
	out=$(run_out user)
	[ "$(echo "$out" | tr '\n' ' ')" = "1234 567 567 10 20 0077 321 600 " ] || fail "user/umask/rlimit: $out"
	ok "uid, gid, additional gids, umask, rlimits"

	b=$(ct_bundle rlim true)
	ct_cfg "$b" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1048576, hard: 1048576}]'
	ct_refuses "$b" rlim 'process.rlimits\[0\]' "rlimit above the host hard limit"
	ok "an rlimit the host cannot grant is a clear error"

	b=$(ct_bundle ro sh -c 'touch /x 2>&1 || echo ro-root; cat /proc/sys/net/ipv4/ip_forward;
		ls -l /dev/berth-null; echo hi > /dev/berth-null && echo dev-ok')
	ct_cfg "$b" '.root.readonly = true | .linux.sysctl = {"net.ipv4.ip_forward": "1"} |
		.linux.devices = [{path: "/dev/berth-null", type: "c", major: 1, minor: 3, fileMode: 438}]'
	out=$(run_out ro)
	echo "$out" | grep -q ro-root || fail "root writable: $out"
	echo "$out" | grep -qx 1 || fail "sysctl: $out"
	echo "$out" | grep -q '^crw-rw-rw-.* 1, *3 .*berth-null' || fail "device: $out"
	echo "$out" | grep -q dev-ok || fail "device write: $out"
	ok "read-only root, sysctl in the network namespace, linux.devices"

	mkdir -p "$CT_TMP/share" && echo shared >"$CT_TMP/share/file"
	b=$(ct_bundle mnt sh -c 'cat /mnt/ro/file; touch /mnt/ro/x 2>&1 || echo ro-bind;
		touch /mnt/rw/y && echo rw-bind; grep " /mnt/rw " /proc/mounts; grep " /run " /proc/mounts')
	ct_cfg "$b" --arg s "$CT_TMP/share" '.mounts += [
		{destination: "/mnt/ro", type: "bind", source: $s, options: ["rbind", "ro"]},
		{destination: "/mnt/rw", type: "bind", source: $s, options: ["bind", "nosuid", "noexec", "rprivate"]},
		{destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nodev", "size=1m"]}]'
	out=$(run_out mnt)
	echo "$out" | grep -qx shared || fail "bind source: $out"
	echo "$out" | grep -q ro-bind || fail "ro bind writable: $out"
	echo "$out" | grep -q rw-bind || fail "rw bind: $out"
	echo "$out" | grep -q '/mnt/rw .*nosuid.*noexec' || fail "bind options: $out"
	echo "$out" | grep -q '/run tmpfs .*nodev' || fail "tmpfs: $out"
	[ -e "$CT_TMP/share/y" ] || fail "bind not shared with host"
	ok "bind mounts with ro/nosuid/noexec/propagation, tmpfs"

	# the cgroup namespace is rooted at the container's cgroup, and /sys/fs/cgroup shows
	# that cgroup, read-only as the spec's "ro" asks (mountinfo: field 5 the mount point,
	# field 6 its options, the type after " - ")
	b=$(ct_bundle cgmnt sh -c 'cat /proc/self/cgroup; echo ---;
		awk '\''$5 ~ "^/sys/fs/cgroup" {m = $5 " " $6; sub(/.* - /, ""); print m " " $0}'\'' /proc/self/mountinfo;
		echo ---; mkdir /sys/fs/cgroup/x 2>/dev/null || echo mkdir-refused')
	out=$(run_out cgmnt)
	cg=$(echo "$out" | sed '/^---$/,$d')
	mnt=$(echo "$out" | sed -n '/^---$/,/^---$/p' | grep -v '^---$' || true)
	# every hierarchy (v1 ones too, which a mounted v2 leaves in place) shows the root
	[ -n "$cg" ] && ! echo "$cg" | grep -qv ':/$' || fail "/proc/self/cgroup is not the namespace root: $cg"
	if [ "$CT_LAYOUT" = v2 ]; then
		echo "$cg" | grep -qx '0::/' || fail "/proc/self/cgroup lacks 0::/: $cg"
		echo "$mnt" | grep -q '^/sys/fs/cgroup ro,[^ ]* cgroup2 ' || fail "cgroup2 not mounted read-only: $mnt"
	else
		echo "$mnt" | grep -q '^/sys/fs/cgroup ro,' || fail "/sys/fs/cgroup not read-only: $mnt"
		echo "$mnt" | grep -q '^/sys/fs/cgroup/memory ro,[^ ]* cgroup ' || fail "memory hierarchy not bound read-only: $mnt"
	fi
	echo "$out" | grep -qx mkdir-refused || fail "mkdir in a read-only /sys/fs/cgroup: $out"
	b=$(ct_bundle cgrw awk '$5 == "/sys/fs/cgroup" {print $6}' /proc/self/mountinfo)
	ct_cfg "$b" '.mounts |= map(if .type == "cgroup" then .options -= ["ro"] else . end)'
	out=$(run_out cgrw)
	echo "$out" | grep -q '^rw,' || fail "cgroup mount without ro is not read-write: $out"
	ok "cgroup namespace rooted at the container's cgroup; cgroup mount read-only or not as asked"

	b=$(ct_bundle prop awk '$5 == "/"' /proc/self/mountinfo)
	out=$(run_out prop)
	! echo "$out" | grep -q 'shared:' || fail "default root propagation is shared: $out"
	ct_cfg "$b" '.linux.rootfsPropagation = "rshared"'
	out=$(ct run --bundle "$b" prop2)
	echo "$out" | grep -q 'shared:' || fail "rootfsPropagation rshared: $out"
	ok "rootfsPropagation"
}
ct_run_both
