#!/usr/bin/env bash
# net_user_vm.sh - berthd without root gives its VMs user-mode networking, inside the test
# rig: berthd runs as nobody with the built-in settings (no `bridge`), its state and socket
# under /run owned by nobody; GET /1.0/host says network mode "user"; a kit-vm VM's VMM
# runs as nobody with --net user; its guest gets 10.0.2.15 by DHCP from libslirp (no
# berth.ip= on its command line) and fetches a file from the rig's 127.0.0.1 through
# 10.0.2.2; deleted, nothing is left.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"

PORT=8199

if [ "${1:-}" != --inside ]; then
	rig_vm_prepare setpriv busybox
	cat >"$SCRATCH/guest.sh" <<EOF
# (timeout: busybox 1.35 wget -T crashes)
i=0
until timeout 5 wget -q -O /tmp/got http://10.0.2.2:$PORT/marker 2>/dev/null || [ \$i -ge 20 ]; do i=\$((i + 1)); sleep 1; done
echo "net-user: got \$(cat /tmp/got 2>/dev/null)"
echo "net-user: waiting"
sleep 600
EOF
	rig_vm_run "$0"
fi

# Inside the rig (throwaway: /dev/kvm may be opened to all). Everything berthd touches is
# nobody's, under /run (no Unix sockets on the rig's 9p).
if [ "${BERTH_RIG:-}" = 1 ]; then
	chmod 666 /dev/kvm
	groups=(--clear-groups)
else
	# on a host whose own KVM runs Linux: nobody with /dev/kvm's group, never root's
	[ "$(stat -c %g /dev/kvm)" != 0 ] || skip "/dev/kvm belongs to group root: nobody could not open it"
	groups=(--groups "$(stat -c %g /dev/kvm)")
fi
NOBODY=65534
rig_daemon_init usertest "$2"
HTTPD=
rig_cleanup_extra() { [ -z "$HTTPD" ] || kill "$HTTPD" 2>/dev/null || true; }

# What the guest fetches, served on the rig's loopback (10.0.2.2 in the guest).
mkdir -p "$RUN/www"
echo "net-user-marker-$$" >"$RUN/www/marker"
busybox httpd -f -p "127.0.0.1:$PORT" -h "$RUN/www" &
HTTPD=$!
# The image, where nobody may read it; an empty settings file: the built-in defaults.
cp -r "$2/img" "$RUN/img"
chown -R "$NOBODY:$NOBODY" "$RUN"

BERTHD_WRAP=(setpriv --reuid="$NOBODY" --regid="$NOBODY" "${groups[@]}")
rig_daemon_start
[ "$(stat -c %u "/proc/$DAEMON")" = "$NOBODY" ] || fail "berthd does not run as nobody"
grep -q "not root: VMs get user-mode networking" "$LOG" || fail "berthd's log does not say so: $(cat "$LOG")"

expect_status 0 berth host --format json
jq_ok '.network == {"mode": "user"}'
echo "ok: berthd runs as nobody with the built-in settings; GET /1.0/host says network mode user"

IMG=$RUN/img
expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img"
expect_status 0 berth create u1 --kind vm --image kit --cpus 1 --memory 256M --start
expect_status 0 berth show u1 --format json
jq_ok '.state == "running" and .address == null and .pid > 0'
pid=$(jq .pid <<<"$OUT")
[ "$(stat -c %u "/proc/$pid")" = "$NOBODY" ] || fail "u1's VMM does not run as nobody"
tr '\0' '\n' <"/proc/$pid/cmdline" >"$RUN/vmm.cmdline"
grep -qx -- "--net" "$RUN/vmm.cmdline" && grep -qx "user" "$RUN/vmm.cmdline" ||
	fail "u1's VMM has no --net user: $(tr '\n' ' ' <"$RUN/vmm.cmdline")"
! grep -q "berth.ip=" "$RUN/vmm.cmdline" || fail "u1 was given an address: $(tr '\n' ' ' <"$RUN/vmm.cmdline")"

CONSOLE=$STATE/servers/u1/console.log
wait_for "$CONSOLE" "net-user: waiting" 1 150
grep -q "berth-kit: eth0 10.0.2.15/24" "$CONSOLE" ||
	fail "the guest did not get 10.0.2.15 by DHCP: $(tr -d '\r' <"$CONSOLE" | tail -20)"
grep -q "net-user: got net-user-marker-$$" "$CONSOLE" ||
	fail "the guest did not reach the rig's 127.0.0.1 through 10.0.2.2: $(tr -d '\r' <"$CONSOLE" | tail -20)"
echo "ok: the VM's VMM runs as nobody with --net user; the guest got 10.0.2.15 from libslirp's DHCP and reached 10.0.2.2"

expect_status 0 berth delete --force u1
[ -z "$(pgrep -f -- "--api-sock $STATE/servers/" || true)" ] || fail "a VMM outlived the delete"
[ ! -e "$STATE/servers/u1" ] || fail "u1's files remain"
echo "ok: deleted, nothing left"
