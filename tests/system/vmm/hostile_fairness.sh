#!/usr/bin/env bash
# A hostile Linux guest saturates virtio-blk and virtio-net receive (tests/guests/virtio_hog.c:
# each device taken from its driver and its queue kept full of indirect tables of 32 768
# descriptors; a connection to the forwarded port leaves a frame pending for the card),
# while the test talks to berth-vmm's control socket for 10 s: status every 50 ms, pause and
# resume every second, each answer timed; then SIGTERM, timed to its "shutting-down" event.
# The same probes run first for 10 s with the guest idle (its program waits for a line on
# the console). On a real KVM every answer must come within 100 ms. In the rig (KVM nested in
# TCG emulation, on a shared host) even an idle guest's answers take up to several hundred ms
# now and then, so there the attack may add at most 100 ms to the idle median, and every
# answer (SIGTERM's event too) must come within 2 s: before the budgets most never came.
# Both attacks must go on meanwhile (each hog's count of completed chains grows).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/api_lib.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare --program virtio_hog <<'GUEST'
echo 8 >/proc/sys/vm/nr_hugepages
echo "hog: waiting"
read -r go
/virtio_hog 1042 &
/virtio_hog 1041 &
wait
GUEST
	where=kvm
	! "$ROOT/tests/rig/need" || where=rig
	guest_run_inside "$0" "$where"
	exit
fi
guest_inside "$2"
where=$3
out=$(mktemp /run/berth-hostile.XXXXXX)
S=$out.sock C=$out.console disk=$out.disk
truncate -s 1M "$disk"
port=$((20000 + RANDOM % 20000))
# One vCPU for both hogs: in a 2-CPU rig a second spinning vCPU would take the VMM's own CPU
# (host contention, not the fairness under test); the queues stay full either way.
"${GUEST_VMM[@]}" --cpus 1 --mem 512M --disk "$disk" --net "user,hostfwd=tcp::$port-:80" \
	--console "file=$out" --console-sock "$C" --api-sock "$S" </dev/null >"$out.vmm" 2>&1 &
pid=$!
# On failure the VMM's log and the guest's console tell what happened. In the rig, now and
# then (3 runs of some 20 seen), the guest's kernel triple-faults under this storm of MMIO
# exits, silently (no oops or panic on its console; the VMM sees the reset vector as RIP, as
# the rig's KVM reinitialises the VMCB on a shutdown intercept): nested SVM emulated by TCG,
# like the rig's own crashes (rig_try). That one case is the rig's failure (125: run again);
# on a real KVM it fails the test like any other.
trap 'rc=$?; [ $rc -eq 0 ] || { echo "--- berth-vmm:"; tail -20 "$out.vmm"; echo "--- console:"
	tr -d "\r" <"$out" | grep -v "^hog .*chains=" | tail -40; } >&2
	kill -9 $pid 2>/dev/null || true
	if [ $rc -ne 0 ] && [ "$where" = rig ] && grep -q "the guest triple-faulted" "$out.vmm"; then
		echo "the guest triple-faulted in the rig: its emulated nested virtualisation" >&2
		rc=125
	fi
	rm -f "$out" "$out.vmm" "$S" "$C" "$disk"; exit $rc' EXIT
wait_for "$out" "hog: waiting" 1 180

# probe: 10 s of timed requests; prints "median p90 max count" in ms.
probe() {
	"$API_PY" - "$S" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
f = s.makefile("rwb")
times = []
end = time.monotonic() + 10
n = 0
while time.monotonic() < end:
    for cmd in ["status"] if n % 20 else ["pause", "resume"]:
        t0 = time.monotonic()
        f.write(json.dumps({"cmd": cmd}).encode() + b"\n")
        f.flush()
        reply = json.loads(f.readline())
        if not reply.get("ok"):
            sys.exit("%s failed: %s" % (cmd, reply))
        times.append((time.monotonic() - t0) * 1000)
    n += 1
    time.sleep(0.05)
times.sort()
print("%.1f %.1f %.1f %d" % (times[len(times) // 2], times[len(times) * 9 // 10], times[-1], len(times)))
PY
}
# ms_below A B: A < B (decimals).
ms_below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

res=$(probe) || fail "probes of the idle guest failed: $res"
read -r idle_med idle_p90 idle_max idle_n <<<"$res"
echo "idle guest: $idle_n answers, median $idle_med ms, 90th percentile $idle_p90 ms, slowest $idle_max ms"

"$API_PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"go\n")' "$C"
wait_for "$out" "hog 1042: attacking" 1 60
wait_for "$out" "hog 1041: attacking" 1 60
# The card's pending frame: libslirp asks the guest's MAC for 10.0.2.15 (ARP) on a connection.
(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || true) &
wait_for "$out" "hog 1041: chains=[1-9]" 1 60
wait_for "$out" "hog 1042: chains=[1-9]" 1 60
# chains DEVICE: the last count of completed chains the hog printed.
chains() { tr -d '\r' <"$out" | sed -n "s/^hog $1: chains=\([0-9]*\).*/\1/p" | tail -1; }
blk0=$(chains 1042) net0=$(chains 1041)
res=$(probe) || fail "probes under attack failed: $res $(tail -5 "$out.vmm")"
read -r med p90 max n <<<"$res"
echo "under attack: $n answers, median $med ms, 90th percentile $p90 ms, slowest $max ms"
sleep 1.5 # a fresh count from each hog
blk1=$(chains 1042) net1=$(chains 1041)
echo "chains served meanwhile: virtio-blk $((blk1 - blk0)), virtio-net receive $((net1 - net0))"
[ "$blk1" -gt "$blk0" ] || fail "the virtio-blk attack stalled: $(tr -d '\r' <"$out" | tail -5)"
[ "$net1" -gt "$net0" ] || fail "the virtio-net attack stalled: $(tr -d '\r' <"$out" | tail -5)"
if [ "$where" = kvm ]; then
	ms_below "$max" 100 || fail "an answer took $max ms under attack (bound: 100)"
else
	ms_below "$med" "$(awk -v v="$idle_med" 'BEGIN { print v + 100 }')" ||
		fail "median answer $med ms under attack, $idle_med ms idle"
	ms_below "$max" 2000 || fail "an answer took $max ms under attack (rig bound: 2 s)"
fi

# SIGTERM: the power button is pressed, and watchers hear of it.
ms=$("$API_PY" - "$S" "$pid" <<'PY'
import os, signal, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
f = s.makefile("rwb")
f.write(b'{"cmd":"watch"}\n')
f.flush()
f.readline()
t0 = time.monotonic()
os.kill(int(sys.argv[2]), signal.SIGTERM)
while b"shutting-down" not in f.readline():
    pass
print("%.1f" % ((time.monotonic() - t0) * 1000))
PY
) || fail "no shutting-down event after SIGTERM"
echo "SIGTERM answered in $ms ms under attack"
bound=100
[ "$where" = kvm ] || bound=2000
ms_below "$ms" "$bound" || fail "SIGTERM took $ms ms (bound: $bound)"
# The guest's acpid powers it off on the button (status 0); a second SIGTERM, if it is
# still running, stops it at once (143).
kill -TERM "$pid" 2>/dev/null || true
wait_exit "$pid" 30 "$out.vmm"
[ "$RC" -eq 0 ] || [ "$RC" -eq 143 ] || fail "exit $RC after SIGTERM: $(tail -10 "$out.vmm")"
echo ok
