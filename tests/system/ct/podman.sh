#!/usr/bin/env bash
# podman.sh - Debian's podman drives berth-ct: run --rm, run -d + exec + stop, and
# run -it (40 times of a command that ends at once, each printing its output), with an
# image imported from a local busybox rootfs (no registry).
# Runs on the host layout only: podman brings its own cgroup handling.
# timeout: 400
. "$(dirname "$0")/lib/ct.bash"
command -v podman >/dev/null || skip "needs podman"
command -v script >/dev/null || skip "needs script (util-linux)"

main() {
	local out i img=localhost/berth-busybox
	# The host bounds rlimits (no CAP_SYS_RESOURCE): podman's defaults must fit under them.
	cat >"$CT_TMP/containers.conf" <<-EOF2
	[containers]
	default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	EOF2
	export CONTAINERS_CONF=$CT_TMP/containers.conf
	pm() {
		podman --root "$CT_TMP/pm/root" --runroot "$CT_TMP/pm/run" --tmpdir "$CT_TMP/pm/tmp" \
			--storage-driver vfs --runtime "$CT" "$@"
	}
	tar -C "$(ct_rootfs)" -c . | pm import - "$img" >/dev/null

	out=$(pm run --rm --network none "$img" sh -c 'echo hello; cat /proc/1/comm; id -u')
	[ "$(echo "$out" | tr '\n' ' ')" = "hello sh 0 " ] || fail "podman run --rm: $out"
	ok "podman run --rm"

	pm run -d --name pm1 --network none "$img" sleep 1000 >/dev/null
	out=$(pm exec pm1 sh -c 'echo exec-ok; cat /proc/1/comm')
	[ "$(echo "$out" | tr '\n' ' ')" = "exec-ok sleep " ] || fail "podman exec: $out"
	pm stop -t 1 pm1 >/dev/null 2>&1
	[ "$(pm inspect -f '{{.State.Status}}' pm1)" = exited ] || fail "podman stop"
	pm rm pm1 >/dev/null
	ok "podman run -d, exec, stop, rm"

	# pm_tty ARGS...: podman ARGS on a terminal (script's pty) whose input is idle, as a
	# user's is. Not /dev/null: script passes its EOF on as a ^D that podman reads once it
	# has made the terminal raw, a NUL byte it forwards to conmon only after `start`
	# returns; when the container has exited by then, conmon closes the attach socket
	# with that byte unread, the kernel resets the connection, and podman's next read
	# fails with ECONNRESET instead of returning the output still queued (podman 4.3.1,
	# conmon 2.1.6; with runc too, about 1 run in 5 of `echo`).
	mkfifo "$CT_TMP/idle"
	exec 3<>"$CT_TMP/idle"
	pm_tty() {
		script -qec "podman --root $CT_TMP/pm/root --runroot $CT_TMP/pm/run --tmpdir $CT_TMP/pm/tmp \
			--storage-driver vfs --runtime $CT $*" /dev/null <&3
	}
	out=$(pm_tty run -it --rm --network none $img sh -c "'tty; echo it-ok'")
	echo "$out" | grep -q '/dev/pts/0' || fail "podman run -it tty: $out"
	echo "$out" | grep -q 'it-ok' || fail "podman run -it: $out"
	ok "podman run -it"

	# start returns after the execve, so such a command often ends before it does: its
	# output must still come through, every time
	for i in $(seq 1 40); do
		out=$(pm_tty run -it --rm --network none $img echo fast-$i)
		echo "$out" | grep -q "fast-$i" || fail "podman run -it of a command that ends at once, run $i: '$out'"
	done
	ok "podman run -it of a command that ends at once printed its output 40 times of 40"
	exec 3<&-
	[ -z "$(pm ps -aq)" ] || fail "containers left"
	pm rmi -a -f >/dev/null 2>&1 || true
}
main
