#!/usr/bin/env bash
# vm_jail.sh - every VMM a root berthd starts is jailed (docs/berthd-drivers.md, "The jail"),
# with tiny guests on this host's KVM and a bridge of the test's own (so each VMM opens its
# tap): two VMs run as two different uids of vmm_ids, gid the same, no capabilities (the
# bounding set empty too), no_new_privs, seccomp filters, pid 1 of their own PID namespace,
# their own mount, IPC and UTS namespaces (not their own network: the tap is the host's);
# their root holds their server's directory, /dev/kvm of their own and no host /etc; the
# console still works; a VM keeps its uid across restarts; after a SIGKILL of berthd the
# next one adopts the VMM and stops it. Linux guests with disk and network: vm_jail_rig.sh.
# timeout: 180
. "$(dirname "$0")/lib/daemon.bash"
. "$(dirname "$0")/lib/jail.bash"
need_root
need_kvm
need_berth_cli
[ -f "$GUESTS/tiny-echo.bzImage" ] || skip "build the tiny guests first (make guests)"
command -v nsenter >/dev/null || skip "needs nsenter (util-linux)"

test_bridge bt-jl 10.188.81.1/24 no '^btv0abc51'
printf 'vmm_ids = 1600000000:2\n' >>"$SCRATCH/berthd.conf"
start_berthd --host-cpus 4 --host-memory 2G
expect_api 202 POST /1.0/images "{\"name\":\"echo\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-echo.bzImage\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_status 0 berth create v1 --kind vm --image echo --cpus 1 --memory 64M --start
expect_status 0 berth create v2 --kind vm --image echo --cpus 1 --memory 64M --start
expect_status 0 berth create v3 --kind vm --image echo --cpus 1 --memory 64M
expect_status 1 berth start v3
expect_output "all 2 uids of vmm_ids (from 1600000000) are other servers'"
expect_status 0 berth delete v3

check_jailed v1 1600000000
check_jailed v2 1600000001
echo "ok: two VMMs jailed as 1600000000 and 1600000001: no capabilities, no_new_privs, seccomp, own namespaces, no host /etc; a third VM is refused a uid"

# the console, through the socket berthd made and passed
mkfifo "$SCRATCH/in"
"$BERTH" --socket "$SOCK" console v1 <"$SCRATCH/in" >"$SCRATCH/out" 2>"$SCRATCH/err" &
CLIENT=$!
exec 3>"$SCRATCH/in"
wait_until 5 grep -q "Connected to v1's console" "$SCRATCH/err" || fail "no banner: $(cat "$SCRATCH/err")"
printf 'jail-echo-%s\n' $$ >&3
wait_until 10 grep -q "jail-echo-$$" "$SCRATCH/out" || fail "no echo from the guest: $(cat -v "$SCRATCH/out")"
exec 3>&-
kill "$CLIENT" 2>/dev/null || true
wait "$CLIENT" 2>/dev/null || true
echo "ok: the console reaches a jailed guest"

# a restart keeps the uid; a SIGKILL of berthd leaves the VMM to be adopted and stopped
expect_status 0 berth restart --force v2
check_jailed v2 1600000001
pid=$(pid_of v1)
kill_berthd KILL
kill -0 "$pid" || fail "v1's VMM died with berthd"
start_berthd
[ "$(berth show v1 --format json | jq -r '.state + " " + (.pid | tostring)')" = "running $pid" ] ||
	fail "v1 was not adopted: $(berth show v1 --format json)"
expect_status 0 berth stop --timeout 1 v1
gone "$pid" 10 || fail "v1's VMM ($pid) survived its stop"
expect_status 0 berth delete --force v1
expect_status 0 berth delete --force v2
[ -z "$(pgrep -f -- "--api-sock $STATE/servers/" || true)" ] || fail "a VMM outlived the deletes"
echo "ok: restarted with its uid; adopted after a SIGKILL of berthd and stopped; deleted"
