# ct.bash - shared helpers for berth-ct system tests (sourced, not run).
#
# A test defines main() and ends with `ct_run_both`: main runs once on the host's
# cgroup layout (hybrid here) and once more in a private mount namespace where
# /sys/fs/cgroup is a freshly mounted cgroup2 hierarchy, so berth-ct takes its v2 path
# (on a pure v2 host the first run is that already).
set -eu # no pipefail: `echo "$out" | grep -q` must not fail when grep quits early

CT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
CT=${BERTH_CT:-$CT_REPO/build/berth-ct}
CT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/berth-ct-test.XXXXXX")
chmod 755 "$CT_TMP" # user-namespaced containers must reach their rootfs
CT_ROOT=$CT_TMP/state
# v2 when /sys/fs/cgroup is cgroup2: a pure v2 host, or the second run of ct_run_both
ct_host_v2() { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; }
CT_LAYOUT=hybrid
if [ -n "${CT_IN_V2:-}" ] || ct_host_v2; then CT_LAYOUT=v2; fi

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL [$CT_LAYOUT]: $*" >&2; exit 1; }
ok() { echo "ok [$CT_LAYOUT]: $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -x "$CT" ] || skip "build berth-ct first (make all)"
command -v jq >/dev/null || skip "needs jq"
[ -x /bin/busybox ] || skip "needs busybox-static"

ct() { "$CT" --root "$CT_ROOT" "$@"; }

# ct_background CMD...: run CMD in the background (output discarded), killed at exit;
# its pid is in $CT_BG_PID.
CT_BG_PIDS=()
ct_background() {
	"$@" </dev/null >/dev/null 2>&1 &
	CT_BG_PID=$!
	CT_BG_PIDS+=("$CT_BG_PID")
}

ct_cleanup() {
	local id
	for id in "${CT_BG_PIDS[@]}"; do kill "$id" 2>/dev/null || true; done
	for id in $(ct list -q 2>/dev/null); do ct delete --force "$id" >/dev/null 2>&1 || true; done
	rm -rf "$CT_TMP"
}
trap ct_cleanup EXIT

# A busybox root filesystem, built once per test run.
ct_rootfs() {
	local r=$CT_TMP/rootfs a
	if [ ! -d "$r" ]; then
		mkdir -p "$r"/{bin,sbin,proc,sys,dev,etc,tmp,root,var,run}
		cp /bin/busybox "$r/bin/busybox"
		for a in $(/bin/busybox --list); do
			[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
		done
		echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
		echo "root:x:0:" >"$r/etc/group"
		chmod 1777 "$r/tmp"
	fi
	echo "$r"
}

# ct_bundle NAME CMD...: a bundle running CMD, printed as its directory.
ct_bundle() {
	local b=$CT_TMP/$1 args
	shift
	mkdir -p "$b"
	args=$(printf '%s\037' "$@" | jq -Rsc 'split("\u001f") | .[:-1]')
	"$CT" spec --bundle "$b"
	ct_cfg "$b" --arg root "$(ct_rootfs)" --argjson args "$args" \
		'.root = {path: $root, readonly: false} | .process.terminal = false |
		 .process.args = $args | .process.noNewPrivileges = false'
	echo "$b"
}

# ct_cfg BUNDLE [jq options] FILTER: edit BUNDLE/config.json in place.
ct_cfg() {
	local b=$1
	shift
	jq "$@" "$b/config.json" >"$b/config.json.new"
	mv "$b/config.json.new" "$b/config.json"
}

# ct_refuses BUNDLE NAME NEEDLE WHAT: `ct run` of BUNDLE must fail with a message containing
# NEEDLE (a grep pattern); WHAT says what was wrongly accepted.
ct_refuses() {
	local out
	out=$(ct run --bundle "$1" "$2" 2>&1) && fail "$4 accepted"
	echo "$out" | grep -q -- "$3" || fail "$4: message does not name '$3': $out"
}

ct_status() { ct state "$1" | jq -r .status; }
ct_pid() { ct state "$1" | jq -r .pid; }

# ct_wait_status ID STATUS: wait (bounded) for a container to reach a status.
ct_wait_status() {
	local i
	for i in $(seq 1 200); do
		[ "$(ct_status "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$1 never became $2 (is $(ct_status "$1"))"
}

# Is the controller usable for containers on the current layout?
ct_has_controller() {
	if [ "$CT_LAYOUT" = v2 ]; then
		grep -qw "$1" /sys/fs/cgroup/cgroup.controllers
	else
		[ -d "/sys/fs/cgroup/$1" ]
	fi
}

# The host directory of a container's cgroup for a controller (v1) or the v2 directory.
ct_cgroup_dir() {
	if [ "$CT_LAYOUT" = v2 ]; then echo "/sys/fs/cgroup/berth-ct/$1"
	else echo "/sys/fs/cgroup/$2/berth-ct/$1"; fi
}

# Run main on the host layout, then (unless the host is already pure v2) again with
# cgroup2 mounted at /sys/fs/cgroup in a private mount namespace.
ct_run_both() {
	if [ -n "${CT_IN_V2:-}" ]; then
		umount -l /sys/fs/cgroup
		mount -t cgroup2 none /sys/fs/cgroup
		main
		return
	fi
	main
	ct_host_v2 || CT_IN_V2=1 unshare -m --propagation private "$0"
}

# ct_console NAME [INPUT]: start a console socket receiver; prints the socket path.
# Its output lands in $CT_TMP/NAME.out once the terminal closes (ct_console_wait NAME).
ct_console() {
	local sock=$CT_TMP/$1.sock
	command -v python3 >/dev/null || skip "needs python3"
	/usr/bin/python3 "$CT_REPO/tests/system/ct/lib/console-recv.py" "$sock" "$CT_TMP/$1.out" "${2:-}" </dev/null >"$CT_TMP/$1.log" 2>&1 &
	echo $! >"$CT_TMP/$1.pid"
	for _ in $(seq 1 100); do [ -e "$sock.ready" ] && break; sleep 0.05; done
	echo "$sock"
}

ct_console_wait() {
	local pid
	pid=$(cat "$CT_TMP/$1.pid")
	for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	cat "$CT_TMP/$1.out"
}
