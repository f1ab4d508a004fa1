# tests/system/daemon/lib/rig_daemon.bash - helpers for berthd tests with real Linux VMs
# (sourced): on the host, rig_vm_prepare and rig_vm_run build a kit-vm image from the
# test's guest script and run the test again with --inside where KVM runs Linux (the rig
# here); inside, rig_daemon_init, rig_daemon_start and rig_daemon_cleanup give it a berthd
# of its own under /run (Unix sockets do not work on the rig's 9p).
. "$(dirname "${BASH_SOURCE[0]}")/../../vmm/guest.sh"
. "$(dirname "${BASH_SOURCE[0]}")/state.bash"

# rig_vm_prepare [PROGRAM...]: on the host: skip without root, a rig, the berth programs or
# PROGRAMs; make $SCRATCH, where the test then writes its guest script, guest.sh.
rig_vm_prepare() {
	local reason p
	need_root
	reason=$("$ROOT/tests/rig/available") || skip "$reason"
	for p in berthd berth berth-vmm berth-ct berth-console; do
		[ -x "$BUILD/$p" ] || skip "build/$p is not built (make)"
	done
	for p in jq "$@"; do
		command -v "$p" >/dev/null || skip "needs $p"
	done
	scratch
}

# rig_vm_image: build $SCRATCH/img, a kit-vm image (scripts/mkimage) running $SCRATCH/guest.sh.
rig_vm_image() {
	"$ROOT/scripts/mkimage" kit-vm "$SCRATCH/img" --script "$SCRATCH/guest.sh" >"$SCRATCH/mkimage.log" 2>&1 ||
		fail "scripts/mkimage kit-vm failed: $(tail -5 "$SCRATCH/mkimage.log")"
}

# rig_vm_run TEST: run TEST --inside SCRATCH where KVM runs Linux, with the image (made now
# unless the test made it already); exits with its status.
rig_vm_run() {
	[ -d "$SCRATCH/img" ] || rig_vm_image
	guest_run_inside "$1"
	exit
}

# rig_daemon_init NAME SCRATCH: inside, the test's berthd: RUN (a fresh directory under /run),
# STATE, SOCK, LOG, its settings file RUN/berthd.conf (empty: the host's must not count;
# the test may write its own), IMG (the kit-vm image), DAEMON (its pid, once started), BR
# (a bridge the test names, removed at the end), and berth ARGS... (the CLI on SOCK).
rig_daemon_init() {
	RUN=$(mktemp -d "/run/berth-$1.XXXXXX")
	# a container's root (its own host uid) passes through here to its rootfs, as through
	# /var/lib
	chmod 711 "$RUN"
	STATE=$RUN/state
	SOCK=$RUN/berth.sock
	LOG=$RUN/berthd.log
	IMG=$2/img
	DAEMON=
	BR=${BR:-}
	BERTHD_WRAP=()
	: >"$RUN/berthd.conf"
	trap rig_daemon_cleanup EXIT
}

berth() { timeout 120 "$BUILD/berth" --socket "$SOCK" "$@"; }

# rig_daemon_start: start berthd (as BERTHD_WRAP... says, e.g. setpriv) with 2 vCPUs and
# 2 GiB to sell, and wait until it answers.
rig_daemon_start() {
	local i
	"${BERTHD_WRAP[@]}" "$BUILD/berthd" --state-dir "$STATE" --socket "$SOCK" --config "$RUN/berthd.conf" \
		--host-cpus 2 --host-memory 2G >>"$LOG" 2>&1 &
	DAEMON=$!
	for i in $(seq 100); do
		berth host >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON" 2>/dev/null || fail "berthd exited at start: $(tail -5 "$LOG")"
		sleep 0.1
	done
	fail "berthd did not answer within 10 s: $(tail -5 "$LOG")"
}

# rig_daemon_vmms: the pids of every berth-vmm of this state directory.
rig_daemon_vmms() { pgrep -f -- "--api-sock $STATE/servers/" || true; }

# rig_daemon_cleanup: delete every server through berthd, stop it, then remove what is
# left of this test alone: its VMMs, its dnsmasq, its bridge and nftables table, RUN. A
# test with more to undo defines rig_cleanup_extra.
rig_daemon_cleanup() {
	local s pid
	if [ -n "$DAEMON" ] && kill -0 "$DAEMON" 2>/dev/null; then
		for s in $(berth list --format json 2>/dev/null | jq -r '.[].name'); do
			berth delete --force "$s" >/dev/null 2>&1 || true
		done
		kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
	fi
	! declare -F rig_cleanup_extra >/dev/null || rig_cleanup_extra
	for pid in $(rig_daemon_vmms); do kill -9 "$pid" 2>/dev/null || true; done
	pid=$(cat "$STATE/dhcp/dnsmasq.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && grep -q "$STATE" "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid"; fi
	if [ -n "$BR" ]; then
		ip link del "$BR" 2>/dev/null || true
		nft delete table ip "berth_${BR//[^a-zA-Z0-9]/_}" 2>/dev/null || true
		nft delete table bridge "berth_${BR//[^a-zA-Z0-9]/_}" 2>/dev/null || true
	fi
	rm -rf "$RUN"
}
