#!/usr/bin/env bash
# podman_rootless.sh - rootless podman drives berth-ct: a user made here (ids from
# /etc/subuid and /etc/subgid, podman's storage under its home) runs the checks of podman.sh:
# run --rm, run -d + exec + stop + rm, run -it (40 times of a command that ends at once).
# berth-ct runs in podman's user namespace: its state under $XDG_RUNTIME_DIR/berth-ct,
# devices bound from the host, and no cgroup (the host's are not the user's), with a
# warning, as crun does.
# timeout: 400
. "$(dirname "$0")/lib/ct.bash"
command -v podman >/dev/null || skip "needs podman"
command -v script >/dev/null || skip "needs script (util-linux)"
command -v newuidmap >/dev/null || skip "needs newuidmap and newgidmap (uidmap, scripts/packages)"
command -v useradd >/dev/null || skip "needs useradd (passwd)"

PM_USER=berthpm$$
PM_HOME=$CT_TMP/home
PM_RUN=$CT_TMP/xdg
# an id range no berthd test pool reaches
PM_IDS=1500000000:65536

pm_cleanup() {
	local pid
	if id "$PM_USER" >/dev/null 2>&1; then
		# podman's pause process and conmons: this user's, started by this test
		for pid in $(ps -o pid= -u "$PM_USER"); do kill -9 "$pid" 2>/dev/null || true; done
		# userdel refuses a user whose processes are still there: wait for them (bounded)
		for _ in $(seq 1 50); do
			[ -n "$(ps -o pid= -u "$PM_USER")" ] || break
			sleep 0.1
		done
		userdel "$PM_USER" || echo "warning: userdel $PM_USER failed" >&2
	fi
	sed -i "/^$PM_USER:/d" /etc/subuid /etc/subgid
	ct_cleanup
}
trap pm_cleanup EXIT

useradd -M -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -d "$PM_HOME" -s /bin/sh "$PM_USER" || fail "useradd $PM_USER"
echo "$PM_USER:$PM_IDS" >>/etc/subuid
echo "$PM_USER:$PM_IDS" >>/etc/subgid
mkdir -p "$PM_HOME" "$PM_RUN"
chmod 700 "$PM_RUN"
# The host bounds rlimits (no CAP_SYS_RESOURCE): podman's defaults must fit under them.
cat >"$PM_HOME/containers.conf" <<EOF2
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF2
chown -R "$PM_USER:" "$PM_HOME" "$PM_RUN"

# as_user CMD: a shell command as the user, in its own environment
as_user() {
	runuser -u "$PM_USER" -- env -i HOME="$PM_HOME" USER="$PM_USER" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		XDG_RUNTIME_DIR="$PM_RUN" CONTAINERS_CONF="$PM_HOME/containers.conf" sh -c "cd; $1"
}
PM="podman --storage-driver vfs --runtime $CT"

main() {
	local out i img=localhost/berth-busybox
	tar -C "$(ct_rootfs)" -c . | as_user "$PM import - $img >/dev/null" ||
		fail "rootless podman import"

	out=$(as_user "$PM run --rm --network none $img sh -c 'echo hello; cat /proc/1/comm; id -u'" 2>"$CT_TMP/err") ||
		fail "rootless podman run --rm: $(cat "$CT_TMP/err")"
	[ "$(echo "$out" | tr '\n' ' ')" = "hello sh 0 " ] || fail "rootless podman run --rm: $out"
	[ -d "$PM_RUN/berth-ct" ] || fail "rootless berth-ct kept no state under \$XDG_RUNTIME_DIR/berth-ct"
	ok "rootless podman run --rm (its state in \$XDG_RUNTIME_DIR/berth-ct)"

	as_user "$PM run -d --name pm1 --network none $img sleep 1000 >/dev/null" ||
		fail "rootless podman run -d"
	out=$(as_user "$PM exec pm1 sh -c 'echo exec-ok; cat /proc/1/comm; cat /proc/self/uid_map'")
	[ "$(echo "$out" | head -n 2 | tr '\n' ' ')" = "exec-ok sleep " ] || fail "rootless podman exec: $out"
	# root inside is the user, ids above it the user's range: never the host's root
	echo "$out" | grep -Eq "^ *0 +$(id -u "$PM_USER") +1$" || fail "rootless podman: uid_map is not the user's: $out"
	as_user "$PM stop -t 1 pm1 >/dev/null 2>&1"
	[ "$(as_user "$PM inspect -f '{{.State.Status}}' pm1")" = exited ] || fail "rootless podman stop"
	as_user "$PM rm pm1 >/dev/null"
	ok "rootless podman run -d, exec (root inside is the user), stop, rm"

	# pm_tty ARGS...: podman ARGS on a terminal whose input is idle, as in podman.sh
	mkfifo "$CT_TMP/idle"
	chmod 666 "$CT_TMP/idle"
	exec 3<>"$CT_TMP/idle"
	pm_tty() { as_user "script -qec \"$PM $*\" /dev/null" <&3; }
	out=$(pm_tty run -it --rm --network none $img sh -c "'tty; echo it-ok'")
	echo "$out" | grep -q '/dev/pts/0' || fail "rootless podman run -it tty: $out"
	echo "$out" | grep -q 'it-ok' || fail "rootless podman run -it: $out"
	ok "rootless podman run -it"

	for i in $(seq 1 40); do
		out=$(pm_tty run -it --rm --network none $img echo fast-$i)
		echo "$out" | grep -q "fast-$i" || fail "rootless podman run -it of a command that ends at once, run $i: '$out'"
	done
	ok "rootless podman run -it of a command that ends at once printed its output 40 times of 40"
	exec 3<&-
	[ -z "$(as_user "$PM ps -aq")" ] || fail "containers left"
}
main
