#!/usr/bin/env bash
# vm_dedicated_cpus.sh - a plan's dedicated_cpus (docs/berthd.md, "Dedicated CPUs"), with
# tiny guests on this host's KVM: a 1-CPU VM of such a plan holds host CPU 0 alone, its
# VMM's cgroup has cpuset.cpus 0 and the VMM may run there only; a second holds CPU 1; a
# third is refused while no CPU is free, saying so; a shared VM that ran on both CPUs loses
# CPU 0 when d1 starts, and a shared VM cannot start while every CPU is held; each
# dedicated CPU takes
# cpu_overcommit vCPUs out of what shared servers may reserve (GET /1.0/host), so a shared
# server of the rest fits and one more vCPU does not; a resize may not change a dedicated
# count; a container cannot have the plan; deleting a VM frees its CPU for the next.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_kvm
[ -f "$GUESTS/tiny-echo.bzImage" ] || skip "build the tiny guests first (make guests)"
CORES=$(nproc --all)
[ "$CORES" -ge 2 ] || skip "needs 2 CPUs, this host has $CORES"
[ "$(getconf _NPROCESSORS_ONLN)" = "$CORES" ] || skip "needs every CPU online"
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	grep -qw cpuset /sys/fs/cgroup/cgroup.controllers || skip "no cgroup2 cpuset controller here"
	V=v2
else
	grep -qE "^[0-9]+:([^:]*,)?cpuset(,[^:]*)?:" /proc/self/cgroup || skip "no cgroup v1 cpuset hierarchy"
	V=v1
fi

# cpuset_dir PID: the directory of PID's cgroup holding cpuset.
cpuset_dir() {
	if [ $V = v2 ]; then
		echo "/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")"
	else
		echo "/sys/fs/cgroup/cpuset$(awk -F: '$2 ~ /(^|,)cpuset(,|$)/ {print $3}' "/proc/$1/cgroup")"
	fi
}

# 8 vCPUs to sell, each dedicated CPU counting 2 of them
printf 'cpu_overcommit = 2\nplan = own 1 64M 256M dedicated_cpus\nplan = shared 1 64M 256M\n' \
	>>"$SCRATCH/berthd.conf"
start_berthd --host-cpus 8 --host-memory 2G
expect_api 202 POST /1.0/images "{\"name\":\"echo\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-echo.bzImage\"}"
wait_op "$(jq -r .operation <<<"$REPLY")"
api GET /1.0/plans >/dev/null
jq -e 'map({(.name): .dedicated_cpus}) | add | .own == true and .shared == false' <<<"$REPLY" >/dev/null ||
	fail "plans: $REPLY"

create() { # create NAME PLAN [KIND IMAGE]: POST it, wait for it
	expect_api 202 POST /1.0/servers "{\"name\":\"$1\",\"kind\":\"${3:-vm}\",\"image\":\"${4:-echo}\",\"plan\":\"$2\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
}
start() { # start NAME: start it; prints its VMM's pid
	expect_api 202 PUT "/1.0/servers/$1/state" '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	api GET "/1.0/servers/$1" >/dev/null
	jq .pid <<<"$REPLY"
}
# host_cpus: capacity, reserved, free and dedicated of GET /1.0/host's cpus
host_cpus() { api GET /1.0/host >/dev/null && jq -c '.cpus | [.capacity, .reserved, .free, .dedicated]' <<<"$REPLY"; }
# runs_on NAME PID CPUS: NAME's VMM's cpuset is CPUS, it may run there only
runs_on() {
	local dir
	dir=$(cpuset_dir "$2")
	[[ $dir =~ /berth-vm-[0-9a-f]{8}/$1$ ]] || fail "$1's VMM $2 is not in a cpuset of its own: $dir"
	[ "$(cat "$dir/cpuset.cpus")" = "$3" ] || fail "$1's cpuset.cpus: $(cat "$dir/cpuset.cpus")"
	[ "$(awk '$1 == "Cpus_allowed_list:" {print $2}' "/proc/$2/status")" = "$3" ] ||
		fail "$1's VMM may run on $(awk '$1 == "Cpus_allowed_list:" {print $2}' "/proc/$2/status")"
}
# check_cpu NAME PID CPU: NAME holds CPU alone, its VMM's cpuset is CPU, it may run there only
check_cpu() {
	api GET "/1.0/servers/$1" >/dev/null
	jq -e ".dedicated_cpus == [$3]" <<<"$REPLY" >/dev/null || fail "$1's dedicated CPUs: $REPLY"
	runs_on "$@"
}

[ "$(host_cpus)" = '[8,0,8,0]' ] || fail "host cpus at start: $(host_cpus)"
create s1 shared
ps1=$(start s1)
allowed=$(awk '$1 == "Cpus_allowed_list:" {print $2}' "/proc/$ps1/status")
[ "$allowed" = "0-$((CORES - 1))" ] || fail "s1 may run on $allowed only, before any CPU is dedicated"
create d1 own
p1=$(start d1)
check_cpu d1 "$p1" 0
rest=1
[ "$CORES" = 2 ] || rest=1-$((CORES - 1))
runs_on s1 "$ps1" "$rest"
echo "ok [$V]: d1's start took CPU 0 from the running shared VM s1"
expect_api 202 DELETE "/1.0/servers/s1?force=1"
wait_op "$(jq -r .operation <<<"$REPLY")"
[ "$(host_cpus)" = '[8,2,6,1]' ] || fail "host cpus with d1: $(host_cpus)"
create d2 own
p2=$(start d2)
check_cpu d2 "$p2" 1
[ "$(host_cpus)" = '[8,4,4,2]' ] || fail "host cpus with d1, d2: $(host_cpus)"
echo "ok [$V]: d1 holds CPU 0 and d2 CPU 1 alone (ledger, cpuset.cpus, Cpus_allowed_list); each takes 2 vCPUs of 8"

expect_api 409 POST /1.0/servers '{"name":"d3","kind":"vm","image":"echo","plan":"own"}'
grep -q "not enough CPUs to dedicate: asked 1, free 0 of this host's $CORES" <<<"$REPLY" || fail "d3's refusal: $REPLY"
refusal=$(jq -r .error <<<"$REPLY")
api GET /1.0/servers/d3 >/dev/null
[ "$STATUS" = 404 ] || fail "a refused d3 left a row: $REPLY"
echo "ok: a third dedicated VM is refused: $refusal"
expect_api 409 POST /1.0/servers '{"name":"s5","kind":"vm","image":"echo","cpus":5,"memory":"64M"}'
grep -q "not enough CPUs: asked 5, free 4 of 8" <<<"$REPLY" || fail "s5's refusal: $REPLY"
expect_api 202 POST /1.0/servers '{"name":"s4","kind":"vm","image":"echo","cpus":4,"memory":"64M"}'
wait_op "$(jq -r .operation <<<"$REPLY")"
[ "$(host_cpus)" = '[8,8,0,2]' ] || fail "host cpus with s4: $(host_cpus)"
echo "ok: shared servers may reserve what the dedicated CPUs leave: 4 vCPUs fit, 5 do not"
if [ "$CORES" = 2 ]; then
	# --host-cpus beyond the cores sold s4 vCPUs no CPU is left for
	expect_api 202 PUT /1.0/servers/s4/state '{"action":"start"}'
	api GET "$(jq -r .operation <<<"$REPLY")/wait?timeout=60" >/dev/null
	grep -q "servers of their own hold every CPU of this host (0,1): none is left for a VM of shared CPUs" <<<"$REPLY" ||
		fail "s4's start: $REPLY"
	echo "ok: a shared VM does not start while every CPU is held"
fi

expect_api 202 PUT /1.0/servers/d2/state '{"action":"stop","timeout":1}'
wait_op "$(jq -r .operation <<<"$REPLY")"
expect_api 400 PATCH /1.0/servers/d2 '{"cpus":2}'
grep -q "holds 1 dedicated CPUs, which its resize cannot change" <<<"$REPLY" || fail "d2's resize: $REPLY"
expect_api 400 POST /1.0/servers '{"name":"c1","kind":"ct","image":"echo","plan":"own"}'
grep -q "dedicated CPUs, which are for VMs" <<<"$REPLY" || fail "a container of plan own: $REPLY"
echo "ok: a dedicated count cannot be resized; a container cannot have dedicated CPUs"

for s in d1 s4; do
	expect_api 202 DELETE "/1.0/servers/$s?force=1"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
create d3 own
p3=$(start d3)
check_cpu d3 "$p3" 0
echo "ok: d1 deleted, its CPU 0 goes to d3"
for s in d2 d3; do
	expect_api 202 DELETE "/1.0/servers/$s?force=1"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
[ "$(host_cpus)" = '[8,0,8,0]' ] || fail "host cpus at the end: $(host_cpus)"
kill_berthd TERM
