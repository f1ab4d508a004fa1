#!/usr/bin/env bash
# vm_jail_rig.sh - a jailed VMM still runs Linux, inside the test rig: a kit-vm VM on a
# bridge of the test's own, started by a root berthd, runs as its vmm_ids uid with no
# capabilities, no_new_privs, seccomp, its own namespaces and no host /etc (lib/jail.bash);
# the guest sees its disk at the reserved size, pings the bridge through its tap, and
# `berth console` reaches its shell script; a clean stop powers it off; started again, it
# outlives a SIGKILL of berthd, is adopted (same pid, still jailed) and stopped.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"
. "$(dirname "$0")/lib/jail.bash"

SUBNET=10.188.82
MARKER="vm-jail: waiting for the power button"
DISK=$((128 << 20))

if [ "${1:-}" != --inside ]; then
	[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"
	rig_vm_prepare
	cat >"$SCRATCH/guest.sh" <<EOF
echo "vm-jail: vda \$(cat /sys/block/vda/size) sectors"
i=0
until ping -c1 -W1 $SUBNET.1 >/dev/null 2>&1 || [ \$i -ge 30 ]; do i=\$((i + 1)); sleep 1; done
ping -c1 -W2 $SUBNET.1 >/dev/null 2>&1 && echo "vm-jail: reached the bridge"
echo "$MARKER"
while read -r line; do echo "vm-jail: got \$line"; done
sleep 600
EOF
	rig_vm_run "$0"
fi

BR=bt-jlr0
rig_daemon_init jailtest "$2"
printf 'bridge = %s\nbridge_address = %s.1/24\nvmm_ids = 1700000000:16\n' "$BR" "$SUBNET" >"$RUN/berthd.conf"
rig_daemon_start
CONSOLE=$STATE/servers/web/console.log

expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img"
expect_status 0 berth create web --kind vm --image kit --cpus 1 --memory 256M --disk 128M
expect_status 0 berth start web
pid=$(pid_of web)
check_jailed web 1700000000
wait_for "$CONSOLE" "$MARKER" 1 180
grep -q "vm-jail: vda $((DISK / 512)) sectors" "$CONSOLE" || fail "the guest's disk: $(tr -d '\r' <"$CONSOLE" | tail -20)"
grep -q "vm-jail: reached the bridge" "$CONSOLE" || fail "the guest did not reach the bridge: $(tr -d '\r' <"$CONSOLE" | tail -20)"
echo "ok: a jailed VMM (pid $pid, uid 1700000000) boots Linux, which sees its $DISK-byte disk and pings the bridge through its tap"

mkfifo "$RUN/in"
"$BUILD/berth" --socket "$SOCK" console web <"$RUN/in" >"$RUN/console.out" 2>"$RUN/console.err" &
CLIENT=$!
exec 3>"$RUN/in"
wait_for "$RUN/console.err" "Connected to web's console" 1 10
printf 'ping-%s\n' $$ >&3
wait_for "$RUN/console.out" "vm-jail: got ping-$$" 1 30
echo "ok: berth console reaches the jailed guest"

sleep 1 # acpid is up before the script starts; give the button driver a moment too
expect_status 0 berth stop --timeout 60 web
gone "$pid" 10 || fail "web's VMM ($pid) survived its stop"
grep -q "reboot: Power down" "$CONSOLE" || fail "the guest did not power down: $(tr -d '\r' <"$CONSOLE" | tail -20)"
gone "$CLIENT" 10 || fail "berth console still runs after the VM stopped"
exec 3>&-
echo "ok: a clean stop powered the jailed guest off"

expect_status 0 berth start web
pid=$(pid_of web)
wait_for "$CONSOLE" "$MARKER" 2 180
kill -9 "$DAEMON"
wait "$DAEMON" 2>/dev/null || true
DAEMON=
kill -0 "$pid" || fail "web's VMM died with berthd"
rig_daemon_start
expect_status 0 berth show web --format json
jq_ok ".state == \"running\" and .pid == $pid"
check_jailed web 1700000000
expect_status 0 berth stop --force web
gone "$pid" 10 || fail "web's VMM ($pid) survived stop --force"
expect_status 0 berth delete web
[ -z "$(rig_daemon_vmms)" ] || fail "a VMM outlived the delete"
echo "ok: the jailed VMM outlived a SIGKILL of berthd, was adopted (pid $pid) and stopped"
