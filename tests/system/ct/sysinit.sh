#!/usr/bin/env bash
# sysinit.sh - a system container: the rootfs's own init (busybox) is PID 1, runs its
# inittab, reaps orphans, and stops cleanly on `kill SIGTERM` followed by `delete`.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

zombies() { # zombies ID: count zombie processes in the container's cgroup
	local p n=0
	for p in $(ct ps --format json "$1" | jq -r '.[]'); do
		[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] && n=$((n + 1))
	done
	echo "$n"
}

main() {
	local b r out
	r=$(ct_rootfs)
	rm -f "$r/tmp/booted" "$r/tmp/halted"
	cat >"$r/etc/inittab" <<-'EOF2'
	::sysinit:/bin/sh -c 'hostname > /tmp/booted'
	::respawn:/bin/sleep 1000
	::shutdown:/bin/sh -c 'echo bye > /tmp/halted'
	EOF2
	b=$(ct_bundle sys /bin/init)
	ct_cfg "$b" '.hostname = "sysbox"'
	ct create --bundle "$b" s1
	ct start s1
	for _ in $(seq 1 100); do [ -s "$r/tmp/booted" ] && break; sleep 0.05; done
	[ "$(cat "$r/tmp/booted")" = sysbox ] || fail "inittab sysinit did not run"
	[ "$(ct exec s1 cat /proc/1/comm)" = init ] || fail "init is not PID 1"
	ok "busybox init is PID 1 and ran its inittab"

	# five orphans whose parent exits at once: init must reap them
	ct exec s1 sh -c 'for i in 1 2 3 4 5; do (sleep 0.2 &) ; done'
	sleep 1
	[ "$(zombies s1)" = 0 ] || fail "zombies left: $(zombies s1)"
	[ "$(ct ps --format json s1 | jq length)" -ge 2 ] || fail "respawned service missing"
	ok "orphans reaped"

	ct kill s1 TERM
	ct_wait_status s1 stopped
	[ "$(cat "$r/tmp/halted" 2>/dev/null)" = bye ] || fail "shutdown actions did not run"
	ct delete s1
	[ ! -e "$CT_ROOT/s1" ] || fail "state left"
	ok "SIGTERM stops it cleanly, delete removes it"
	rm -f "$r/etc/inittab"
}
ct_run_both
