#!/usr/bin/env bash
# vm_lifecycle.sh - a real Linux VM through berthd and the berth CLI, inside the test rig:
# import a scripts/mkimage kit-vm image (its bzImage's vmlinux extracted, and booted through
# PVH); create (1 CPU, 256 MiB, a disk larger than the
# image's), start; list shows it running with its reservations; the console shows the
# guest's marker and a /dev/vda of the reserved size; `berth console` reaches the guest's
# shell script and shows its answer; a clean stop powers the guest off (ACPI button, acpid)
# and ends the console; started again, it outlives a SIGKILL of berthd and is adopted
# (same pid) by the next berthd, which stops it with --force; deleted, nothing is left:
# no VMM, no files, no reservation.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"

MARKER="vm-lifecycle: waiting for the power button"
DISK=$((128 << 20))

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare
	cat >"$SCRATCH/guest.sh" <<EOF
echo "vm-lifecycle: vda \$(cat /sys/block/vda/size) sectors"
echo "$MARKER"
while read -r line; do echo "vm-lifecycle: got \$line"; done
sleep 600
EOF
	rig_vm_run "$0"
fi

# Inside the rig. The host's scratch (9p) holds the image.
rig_daemon_init vmtest "$2"
# A VMM this test started and could not stop through berthd: by its pid only.
rig_cleanup_extra() {
	if [ -n "${VMM_PID:-}" ] && [ -e "/proc/$VMM_PID" ]; then kill -9 "$VMM_PID" 2>/dev/null || true; fi
}

# host_reserved: the host's ledger holds web's reservations (also after berthd's restart).
host_reserved() {
	expect_status 0 berth host --format json
	jq_ok ".cpus.reserved == 1 and .memory.reserved - .memory.vmm_overhead == $((256 << 20)) and .memory.vmm_overhead == $(((48 + 4) << 20)) and .disk.reserved - .disk.images == $DISK and .servers == 1"
}

rig_daemon_start
CONSOLE=$STATE/servers/web/console.log

expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img"
expect_status 0 berth image list --format json
jq_ok 'map(select(.name == "kit" and .kind == "vm" and .state == "ready")) | length == 1'
expect_status 0 berth create web --kind vm --image kit --cpus 1 --memory 256M --disk 128M
expect_status 0 berth start web
expect_status 0 berth list --format json
jq_ok 'length == 1 and .[0].name == "web" and .[0].kind == "vm" and .[0].state == "running"'
jq_ok ".[0].cpus == 1 and .[0].memory == $((256 << 20)) and .[0].disk == $DISK"
expect_status 0 berth show web --format json
jq_ok '.state == "running" and .pid > 0 and .entry == "pvh"'
pid=$(jq .pid <<<"$OUT")
VMM_PID=$pid
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--api-sock $STATE/servers/web/api.sock" ||
	fail "pid $pid is not web's berth-vmm"
# The import extracted the bzImage's vmlinux once; the VM boots it through PVH.
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--kernel $STATE/images/kit/vmlinux " ||
	fail "web's berth-vmm does not boot the image's vmlinux: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
host_reserved
wait_for "$CONSOLE" "$MARKER" 1 120
wait_for "$CONSOLE" "vm-lifecycle: vda $((DISK / 512)) sectors" 1 5
echo "ok: imported, created, started; listed with its reservations; the guest sees a $DISK-byte vda"

# The console, piped: a line goes to the guest's script, its answer comes back.
mkfifo "$RUN/in"
"$BUILD/berth" --socket "$SOCK" console web <"$RUN/in" >"$RUN/console.out" 2>"$RUN/console.err" &
CLIENT=$!
exec 3>"$RUN/in"
wait_for "$RUN/console.err" "Connected to web's console" 1 10
printf 'ping-%s\n' $$ >&3
wait_for "$RUN/console.out" "vm-lifecycle: got ping-$$" 1 30
expect_status 1 berth console web </dev/null
expect_output "the console of web is in use by another client"
echo "ok: berth console reaches the guest; a second client is refused"

# Its cgroup (v2 in the rig), with a booted Linux guest that has a disk and a console: its
# limits, and what the VMM takes beyond the guest's RAM (docs/berthd-drivers.md, "cgroups").
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	cg=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' "/proc/$pid/cgroup")
	[[ $cg =~ /berth-vm-[0-9a-f]{8}/web$ ]] || fail "web's VMM is not in its cgroup: $cg"
	[ "$(cat "$cg/cpu.max")" = "100000 100000" ] || fail "cpu.max $(cat "$cg/cpu.max")"
	[ "$(cat "$cg/memory.max")" = $(((256 + 48 + 4) << 20)) ] || fail "memory.max $(cat "$cg/memory.max")"
	peak=$(cat "$cg/memory.peak" 2>/dev/null || cat "$cg/memory.current")
	anon=$(awk '$1 == "anon" {print $2}' "$cg/memory.stat")
	file=$(awk '$1 == "file" {print $2}' "$cg/memory.stat")
	kern=$(awk '$1 == "kernel" {print $2}' "$cg/memory.stat")
	echo "measured: Linux guest of 256 MiB: peak $(((peak - (256 << 20)) >> 10)) KiB beyond RAM;" \
		"now anon $(((anon - (256 << 20)) >> 10)) KiB beyond RAM, file $((file >> 10)) KiB, kernel $((${kern:-0} >> 10)) KiB"
	echo "ok: web's VMM is in its cgroup: 1 CPU, RAM + overhead"
fi

sleep 1 # acpid is up before the script starts; give the button driver a moment too
expect_status 0 berth stop --timeout 60 web
gone "$pid" 10 || fail "web's VMM ($pid) survived its stop"
grep -q "reboot: Power down" "$CONSOLE" || fail "the guest did not power down: $(tr -d '\r' <"$CONSOLE" | tail -20)"
gone "$CLIENT" 10 || fail "berth console still runs after the VM stopped"
wait "$CLIENT" || fail "berth console exited $? when the VM stopped"
exec 3>&-
wait_for "$RUN/console.err" "The console of web closed" 1 1
expect_status 0 berth show web --format json
jq_ok '.state == "stopped"'
echo "ok: a clean stop powered the guest off"

expect_status 0 berth start web
expect_status 0 berth show web --format json
jq_ok '.state == "running" and .pid > 0'
pid=$(jq .pid <<<"$OUT")
VMM_PID=$pid
wait_for "$CONSOLE" "$MARKER" 2 120
kill -9 "$DAEMON"
wait "$DAEMON" 2>/dev/null || true
DAEMON=
kill -0 "$pid" || fail "web's VMM died with berthd"
rig_daemon_start
expect_status 0 berth show web --format json
jq_ok ".state == \"running\" and .pid == $pid"
host_reserved
echo "ok: the VM outlived a SIGKILL of berthd and was adopted (pid $pid)"

expect_status 0 berth stop --force web
gone "$pid" 10 || fail "web's VMM ($pid) survived stop --force"
expect_status 0 berth show web --format json
jq_ok '.state == "stopped"'
expect_status 0 berth delete web
expect_status 0 berth list --format json
jq_ok 'length == 0'
expect_status 0 berth host --format json
jq_ok '.cpus.reserved == 0 and .memory.reserved == 0 and .disk.reserved == .disk.images and .servers == 0'
[ ! -e "$STATE/servers/web" ] || fail "web's files remain: $(ls -la "$STATE/servers/web")"
left=$(ls -A "$STATE/servers" 2>/dev/null || true)
[ -z "$left" ] || fail "left in servers/: $left"
pgrep -f -- "$STATE/servers" >/dev/null && fail "a process still names the state dir: $(pgrep -af -- "$STATE/servers")"
expect_status 0 berth image delete kit
echo "ok: stopped with --force, deleted; no process, file or reservation left"
