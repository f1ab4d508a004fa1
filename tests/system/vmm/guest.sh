# tests/system/vmm/guest.sh - booting the guest kit's Linux kernel with berth-vmm (sourced).
#
# A test script calls itself twice: on the host it builds an initramfs around a guest script
# (guest_prepare), then guest_run_inside re-runs the test in the rig when this host's KVM
# cannot run Linux (tests/rig/maybe), directly otherwise, with --inside as $1.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

GUEST_CMDLINE="console=ttyS0 reboot=k panic=-1 quiet"

# guest_prepare [--program NAME]... [--modules "M..."] <GUEST_SCRIPT: kernel and an initramfs
# running the script given on stdin, into $SCRATCH (skips without a rig); each NAME is
# tests/guests/NAME.c built static, at /NAME in the initramfs; the modules load besides
# pvpanic-mmio.
guest_prepare() {
	local reason modules="pvpanic-mmio" add=()
	need_root
	reason=$("$ROOT/tests/rig/available") || skip "$reason"
	scratch
	while [ $# -gt 0 ]; do
		case $1 in
		--program) guest_program "$2" && add+=(--add "$SCRATCH/$2:/$2") ;;
		--modules) modules+=" $2" ;;
		*) fail "guest_prepare: no option $1" ;;
		esac
		shift 2
	done
	cat >"$SCRATCH/guest.sh"
	"$ROOT/tests/kit/kernel" >"$SCRATCH/kernel-path"
	"$ROOT/tests/kit/mkinitrd" -o "$SCRATCH/initrd.gz" --script "$SCRATCH/guest.sh" \
		"${add[@]}" --modules "$modules"
}

# guest_program NAME: tests/guests/NAME.c built static into $SCRATCH/NAME, for an initramfs.
guest_program() {
	cc -static -O2 -Wall -Wextra -o "$SCRATCH/$1" "$ROOT/tests/guests/$1.c" ||
		fail "cannot build the guest program $1 (static libc needed: libc6-dev)"
}

# guest_run_inside TEST ARGS...: run TEST --inside SCRATCH ARGS... where KVM runs Linux (a
# rig that fails itself is tried again: rig_try). The three tries fit in the tests'
# "# timeout: 1000".
guest_run_inside() {
	local test=$1
	shift
	rig_try maybe --timeout 300 -- "$test" --inside "$SCRATCH" "$@"
}

# Inside: set SCRATCH and GUEST_VMM, the VMM command line for the prepared guest. Tests
# that start it in the background bound their waits with wait_for and wait_exit.
guest_inside() {
	SCRATCH=$1
	GUEST_VMM=("$VMM" --kernel "$(cat "$SCRATCH/kernel-path")" --initrd "$SCRATCH/initrd.gz"
		--cmdline "$GUEST_CMDLINE")
}

# guest_vmm ARGS...: run the prepared guest in the foreground, at most 240 s, so that a stuck
# VMM fails its test (status 124) with its output instead of stalling the rig. (Not for
# tests that signal the VMM: timeout(1) would pass a signal on twice, to the VMM and its group.)
guest_vmm() {
	timeout 240 "${GUEST_VMM[@]}" "$@"
}

# wait_for FILE PATTERN [COUNT [SECONDS]]: wait until PATTERN appears COUNT times in FILE.
wait_for() {
	local file=$1 pattern=$2 count=${3:-1} limit=${4:-120} i
	for ((i = 0; i < limit * 10; i++)); do
		[ "$(tr -d '\r' <"$file" | grep -c -- "$pattern")" -ge "$count" ] && return 0
		sleep 0.1
	done
	fail "waited ${limit}s for '$pattern' x$count in: $(tr -d '\r' <"$file" | tail -20)"
}

# wait_exit PID [SECONDS [OUTPUT]]: wait for the VMM PID to end and set RC to its status;
# after SECONDS (default 120) kill it and fail, showing the tail of OUTPUT.
wait_exit() {
	local pid=$1 limit=${2:-120} out=${3:-/dev/null} i
	for ((i = 0; i < limit * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			RC=0
			wait "$pid" || RC=$?
			return 0
		fi
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	fail "the VMM did not exit within ${limit}s: $(tr -d '\r' <"$out" | tail -20)"
}

# expect_seccomp PID: every thread of berth-vmm PID runs under its filter (Seccomp: 2);
# KVM's own kernel workers in the process are not ours to check. Nothing to check for QEMU.
expect_seccomp() {
	local t
	[ "${TEST_VMM:-berth}" = berth ] || return 0
	for t in /proc/$1/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = berth-vmm ] || continue
		grep -q '^Seccomp:[[:space:]]*2$' "$t/status" ||
			fail "thread ${t##*/} of berth-vmm is not filtered: $(grep -i seccomp "$t/status")"
	done
}
