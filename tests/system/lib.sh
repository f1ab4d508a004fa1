# tests/system/lib.sh - helpers for system tests (sourced). Exit 77 skips a test.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
VMM=$BUILD/berth-vmm
GUESTS=$BUILD/guests

skip() { echo "$*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
need_kvm() { [ -w /dev/kvm ] || skip "needs /dev/kvm"; }

# A scratch directory removed when the test exits.
scratch() {
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/berth-test.XXXXXX")
	trap 'rm -rf "$SCRATCH"' EXIT
}

# expect_status WANT CMD...: run CMD, fail unless it exits WANT; its stdout+stderr land in $OUT.
expect_status() {
	local want=$1 rc=0
	shift
	OUT=$("$@" 2>&1) || rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want; output:
$OUT"
}

# rig_try TOOL ARGS...: tests/rig/TOOL ARGS... (TOOL: run or maybe), tried again, twice at
# most, while it ends with 125 (the rig itself died: its emulated nested virtualisation has
# been seen to take the rig's kernel down) or 124 (it stopped making progress). Every wait
# inside a test is bounded well below the rig's limit, so either is the rig's fault, not
# the test's; the retry is said on stdout.
rig_try() {
	local tool=$1 rc attempt
	shift
	for attempt in 1 2 3; do
		rc=0
		"$ROOT/tests/rig/$tool" "$@" || rc=$?
		if [ "$rc" -ne 125 ] && [ "$rc" -ne 124 ]; then
			return "$rc"
		fi
		[ "$attempt" -eq 3 ] || echo "the rig itself failed (status $rc); running the test again"
	done
	return "$rc"
}

# run_pure_v2 SCRIPT TIMEOUT CHECK...: SCRIPT (a test that checks cgroup limits, run from
# $ROOT) on a pure cgroup v2 host, where its v2 run can check what a hybrid host keeps in v1:
# this host if it is one (cgroup2 at /sys/fs/cgroup with the memory controller), else the
# test rig, whose kernel mounts cgroup2 alone at /sys/fs/cgroup (TIMEOUT: the rig's, in s).
# Its output is shown; each CHECK must be one of its "ok [v2]: ..." lines. Skips (77) when
# neither can run it, fails when SCRIPT fails or a CHECK is missing.
run_pure_v2() {
	local script=$1 timeout=$2 out reason check
	shift 2
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] &&
		grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		out=$("$script" 2>&1) || { echo "$out"; exit 1; }
	else
		reason=$(BERTH_RIG_FORCE=1 "$ROOT/tests/rig/available") || skip "$reason"
		# FIFOs and Unix sockets do not work on the rig's shared /tmp (9p): its /run is tmpfs.
		out=$(rig_try run --timeout "$timeout" -- sh -c '
			grep -qw memory /sys/fs/cgroup/cgroup.controllers ||
				{ echo "the rig has no cgroup2 memory controller at /sys/fs/cgroup"; exit 1; }
			mkdir -p /run/pure-v2-tmp && TMPDIR=/run/pure-v2-tmp "$0"' "$script" 2>&1) ||
			{ echo "$out"; exit 1; }
	fi
	echo "$out"
	for check in "$@"; do
		echo "$out" | grep -q "ok \[v2\]: .*$check" || fail "no '$check' on pure v2"
	done
}

# jq_ok FILTER: the JSON in $OUT satisfies FILTER.
jq_ok() {
	jq -e "$1" <<<"$OUT" >/dev/null || fail "'$1' does not hold for:
$OUT"
}

# gone PID [SECONDS]: true once PID has ended (a zombie counts as ended), waiting up to
# SECONDS (5).
gone() {
	local i
	for ((i = 0; i < ${2:-5} * 10; i++)); do
		[ -e "/proc/$1" ] || return 0
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
		sleep 0.1
	done
	return 1
}

# expect_output NEEDLE: fail unless $OUT contains NEEDLE.
expect_output() {
	[[ $OUT == *"$1"* ]] || fail "expected '$1' in output:
$OUT"
}
