#!/usr/bin/env bash
# kill_during_create_vm.sh - berthd SIGKILLed during `berth create --start` of a kit-vm VM,
# inside the test rig, with a bridge of its own: at the disk's copy, as its VMM is spawned
# (its tap made), a moment later, once its VMM exists but is frozen before it answers (its
# pid not yet recorded), once its control socket is up, and once it runs. After each restart of berthd the VM is whole (row
# 'stopped' or 'running' with its disk) or absent; no berth-vmm runs but a running VM's,
# with the recorded pid; no tap of the pool is left without a running VM, and a running VM
# has its tap; the ledger holds exactly the rows. Deleted at the end, nothing is left.
# timeout: 1000
. "$(dirname "$0")/lib/rig_daemon.bash"

SUBNET=10.188.79
POOL_TAP=btv0abc4f # the taps of $SUBNET.0/24 (btv + the address in hex)

if [ "${1:-}" != --inside ]; then
	[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"
	rig_vm_prepare sqlite3
	printf 'echo "kill-vm: up"\nsleep 600\n' >"$SCRATCH/guest.sh"
	rig_vm_run "$0"
fi

# Inside the rig, with a bridge and subnet of this test's own.
BR=bt-kdv0
rig_daemon_init killvm "$2"
printf 'bridge = %s\nbridge_address = %s.1/24\nnat = no\n' "$BR" "$SUBNET" >"$RUN/berthd.conf"
kill_berthd() {
	kill -9 "$DAEMON"
	wait "$DAEMON" 2>/dev/null || true
	DAEMON=
}

# check_settled: what the database says is what exists.
check_settled() {
	local n pid row addr tap
	check_rows_and_dirs
	for n in $(db "SELECT name FROM servers"); do
		[ -f "$STATE/servers/$n/disk.img" ] || fail "$n: a row without its disk"
	done
	[ "$(db "SELECT count(*) FROM servers")" = "$(ls "$STATE/servers" | wc -l)" ] ||
		fail "rows without a directory: $(db "SELECT name FROM servers")"
	for pid in $(rig_daemon_vmms); do
		n=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n "s|^$STATE/servers/\([^/]*\)/api.sock$|\1|p")
		row=$(db "SELECT state || ' ' || coalesce(pid, 0) FROM servers WHERE name = '$n'")
		[ "$row" = "running $pid" ] || fail "berth-vmm $pid of $n runs, but its row says '${row:-absent}'"
	done
	for tap in $(ip -o link show | awk -F': ' '{print $2}' | grep "^$POOL_TAP" || true); do
		addr=$(printf '%s.%d' "$SUBNET" "0x${tap:9:2}")
		[ "$(db "SELECT state FROM servers WHERE address = '$addr'")" = running ] ||
			fail "tap $tap ($addr) of no running VM"
	done
	for n in $(db "SELECT name FROM servers WHERE state = 'running'"); do
		addr=$(db "SELECT address FROM servers WHERE name = '$n'")
		tap=$(printf '%s%02x' "$POOL_TAP" "${addr##*.}")
		ip link show "$tap" >/dev/null 2>&1 || fail "$n runs without its tap $tap"
	done
	OUT=$(berth host --format json) || fail "berth host: $OUT"
	jq -e ".servers == $(db "SELECT count(*) FROM servers") and
		.memory.reserved - .memory.vmm_overhead == $(db "SELECT total(memory) FROM servers" | cut -d. -f1) and
		.cpus.reserved == $(db "SELECT total(cpus) FROM servers" | cut -d. -f1)" <<<"$OUT" >/dev/null ||
		fail "the ledger does not match the rows: $OUT; rows: $(db "SELECT name, cpus, memory FROM servers")"
}

rig_daemon_start
expect_status 0 berth image import kit --kind vm --kernel "$IMG/kernel" --initrd "$IMG/initrd" --disk "$IMG/disk.img"

# rank NAME: how far NAME's create --start is, by the files berthd makes (tests of files
# only, so that the wait can be tight): 0 not begun, 1 its disk being copied (NAME.tmp),
# 2 created, 3 its VMM being spawned (vmm.log: the tap is made), 4 its VMM up (api.sock),
# 5 running.
rank() {
	local dir=$STATE/servers/$1
	if [ -e "$dir/api.sock" ]; then
		[ "$(db "SELECT state FROM servers WHERE name = '$1'" 2>/dev/null)" = running ] && echo 5 || echo 4
	elif [ -e "$dir/vmm.log" ]; then echo 3
	elif [ -e "$dir" ]; then echo 2
	elif [ -e "$dir.tmp" ]; then echo 1
	else echo 0
	fi
}

# wait_point NAME RANK: until NAME's create --start is at RANK or later (bounded).
wait_point() {
	local i
	for ((i = 0; i < 12000; i++)); do
		[ "$(rank "$1")" -ge "$2" ] && return 0
		sleep 0.005
	done
	fail "$1 never reached step $2: $(tail -5 "$LOG")"
}

# frozen_vmm NAME: as soon as NAME's VMM exists, SIGSTOP it, as a VMM still touching a
# large RAM would be: it does not answer on its control socket, and berthd has not
# recorded its pid. Then berthd is killed.
frozen_vmm() {
	local i pid=
	for ((i = 0; i < 6000 && !pid; i++)); do
		pid=$(pgrep -f -- "--api-sock $STATE/servers/$1/api.sock" || true)
		[ -n "$pid" ] || sleep 0.005
	done
	[ -n "$pid" ] || fail "$1's VMM never started: $(tail -5 "$LOG")"
	kill -STOP "$pid"
	echo "froze $1's VMM (pid $pid; its socket $([ -e "$STATE/servers/$1/api.sock" ] && echo was || echo "was not yet") there)"
}

# RANK DELAY: berthd is killed DELAY seconds after the create --start reaches RANK, or
# (RANK "frozen") once its VMM is frozen.
points=("1 0" "3 0" "3 0.3" "frozen 0" "4 0" "5 0")
cut=0
for i in "${!points[@]}"; do
	read -r point delay <<<"${points[$i]}"
	n=kv$((i + 1))
	berth create "$n" --kind vm --image kit --cpus 1 --memory 512M --start >"$RUN/cli.out" 2>&1 &
	cli=$!
	if [ "$point" = frozen ]; then
		frozen_vmm "$n"
	else
		wait_point "$n" "$point"
	fi
	seen=$(rank "$n")
	sleep "$delay"
	kill_berthd
	wait "$cli" 2>/dev/null || true
	rig_daemon_start
	check_settled
	state=$(db "SELECT coalesce(state, 'absent') FROM (SELECT 1) LEFT JOIN servers ON name = '$n'")
	echo "killed $delay s after $n's step $point (seen at step $seen of 5): $state"
	[ "$point" != frozen ] || [ "$state" = stopped ] || fail "$n is $state, though its VMM never answered"
	[ "$state" = running ] || cut=$((cut + 1))
	# one VM at a time: the rig's two vCPUs boot Linux slowly enough
	if [ "$state" != absent ]; then
		expect_status 0 berth delete --force "$n"
		check_settled
	fi
done
[ "$cut" -ge 2 ] || fail "fewer than two creates were cut short: the test proved little"
[ -z "$(rig_daemon_vmms)" ] || fail "VMMs left after the deletes: $(rig_daemon_vmms)"
left=$(ip -o link show | awk -F': ' '{print $2}' | grep "^$POOL_TAP" || true)
[ -z "$left" ] || fail "taps left after the deletes: $left"
echo "ok: after every kill of berthd during create --start, the VM is whole or absent, no VMM or tap is astray"
