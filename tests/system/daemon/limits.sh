#!/usr/bin/env bash
# limits.sh - a plan's I/O limits (docs/berthd.md, "I/O limits of a plan"): a container
# created with a plan of disk_iops, disk_bps and net_bps shows them in the API; started,
# its cgroup's blkio throttle files (v1; io.max on v2) name its disk's loop device with
# those rates, and both ends of its veth have a tbf qdisc of net_bps; a direct read in the
# container runs at its disk_bps. A VM of the same plan (the tiny echoing guest, on this
# host's KVM) gets them on berth-vmm's command line (their effect on a guest:
# tests/system/vmm/linux_io_limit.sh). A plan without limits gives none, and a plan line
# with a bad limit stops berthd with the file and line.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"

need_root
[ -x "$BUILD/berth-ct" ] || skip "build/berth-ct is not built"
command -v nft >/dev/null || skip "needs nft"
command -v tc >/dev/null || skip "needs tc (iproute2)"
command -v nsenter >/dev/null || skip "needs nsenter"
[ -x /usr/sbin/dnsmasq ] || skip "needs dnsmasq (apt-get install dnsmasq-base)"

test_bridge bt-lim 10.188.78.1/29 no '^bt[vcp]0abc4e0'
printf 'plan = capped 1 64M 256M disk_iops=300 disk_bps=4M net_bps=1M\nplan = free 1 64M 256M\n' \
	>>"$SCRATCH/berthd.conf"
start_berthd --host-memory 2G --host-cpus 8
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"

api GET /1.0/plans >/dev/null
jq -e '.[] | select(.name == "capped") | .limits == {"disk_iops": 300, "disk_bps": 4194304, "net_bps": 1048576}' \
	<<<"$REPLY" >/dev/null || fail "plans: $REPLY"

run_ct() { # run_ct NAME PLAN: create and start; prints its init's pid
	expect_api 202 POST /1.0/servers "{\"name\":\"$1\",\"kind\":\"ct\",\"image\":\"bb\",\"plan\":\"$2\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 PUT "/1.0/servers/$1/state" '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	api GET "/1.0/servers/$1" >/dev/null
	[ "$(jq -r .state <<<"$REPLY")" = running ] || fail "$1 not running: $REPLY"
	jq .pid <<<"$REPLY"
}
pid=$(run_ct lim capped)
api GET /1.0/servers/lim >/dev/null
jq -e '.limits == {"disk_iops": 300, "disk_bps": 4194304, "net_bps": 1048576}' <<<"$REPLY" >/dev/null ||
	fail "the server's limits: $REPLY"

# the disk: the loop device its rootfs is mounted from, throttled in its cgroup
dev=$(stat -c '%d' "$STATE/servers/lim/rootfs")
majmin="$((dev >> 8 & 0xfff)):$(((dev & 0xff) | (dev >> 12 & 0xfff00)))"
case "$majmin" in 7:*) ;; *) fail "lim's rootfs is not on a loop device: $majmin" ;; esac
if [ -d /sys/fs/cgroup/blkio ]; then
	cg=/sys/fs/cgroup/blkio$(awk -F: '$2 ~ /(^|,)blkio(,|$)/ { print $3 }' "/proc/$pid/cgroup")
	for f in read_iops_device:300 write_iops_device:300 read_bps_device:4194304 write_bps_device:4194304; do
		grep -qx "$majmin ${f#*:}" "$cg/blkio.throttle.${f%%:*}" ||
			fail "$cg/blkio.throttle.${f%%:*}: '$(cat "$cg/blkio.throttle.${f%%:*}")', want '$majmin ${f#*:}'"
	done
	echo "ok: $cg/blkio.throttle.*: $majmin at 300 IOPS and 4194304 bytes/s each way"
else
	cg=/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
	grep -q "^$majmin rbps=4194304 wbps=4194304 riops=300 wiops=300" "$cg/io.max" ||
		fail "$cg/io.max: $(cat "$cg/io.max")"
	echo "ok: $cg/io.max: $(grep "^$majmin" "$cg/io.max")"
fi

# a direct read in the container's cgroup runs at disk_bps: 8 MiB at 4 MiB/s, at most 10 %
# above it (a loaded host may make it slower, never faster; nsenter
# alone would leave dd in this test's cgroup: it joins the container's first)
# in_cg CMD...: run CMD in the container's mount namespace and blkio cgroup, as its root
# (its user namespace too: the host's root owns no id on its idmapped disk)
userns=()
[ "$(readlink "/proc/$pid/ns/user")" = "$(readlink /proc/self/ns/user)" ] || userns=(-U)
in_cg() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" nsenter -t "$pid" "${userns[@]}" -m "$@"
}
out=$(in_cg /bin/busybox dd if=/dev/zero of=/big bs=1M count=8 2>&1) || fail "cannot write in the container: $out"
sync
echo 3 >/proc/sys/vm/drop_caches
t0=$(date +%s%N)
out=$(in_cg /bin/busybox dd if=/big of=/dev/null bs=64k iflag=direct 2>&1) || fail "cannot read in the container: $out"
t1=$(date +%s%N)
mibs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", 8 / ((b - a) / 1e9) }')
awk -v m="$mibs" 'BEGIN { exit !(m >= 2.8 && m <= 4.4) }' ||
	fail "an 8 MiB direct read in the container ran at $mibs MiB/s, not about 4"
echo "ok: a direct read in the container: $mibs MiB/s against disk_bps=4M"

# the network: a tbf of 1 MiB/s (8388608 bit/s) on both ends of the veth
veth=$(ip -o link show master "$BR" | awk -F': ' '$2 ~ /^btc/ { sub(/@.*/, "", $2); print $2 }')
[ -n "$veth" ] || fail "no veth of lim on $BR"
tc qdisc show dev "$veth" | grep -q "^qdisc tbf .* root .*rate 8388Kbit" ||
	fail "host end $veth: $(tc qdisc show dev "$veth")"
nsenter -t "$pid" -n tc qdisc show dev eth0 | grep -q "^qdisc tbf .* root .*rate 8388Kbit" ||
	fail "the container's eth0: $(nsenter -t "$pid" -n tc qdisc show dev eth0)"
echo "ok: tbf on $veth and on the container's eth0: $(tc qdisc show dev "$veth")"

# a VM of the plan: its VMM's --disk and --net carry the limits
if [ -w /dev/kvm ] && [ -f "$GUESTS/tiny-echo.bzImage" ]; then
	expect_api 202 POST /1.0/images "{\"name\":\"echo\",\"kind\":\"vm\",\"kernel\":\"$GUESTS/tiny-echo.bzImage\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	vpid=$(expect_api 202 POST /1.0/servers '{"name":"vlim","kind":"vm","image":"echo","plan":"capped"}'
		wait_op "$(jq -r .operation <<<"$REPLY")"
		expect_api 202 PUT /1.0/servers/vlim/state '{"action":"start"}'
		wait_op "$(jq -r .operation <<<"$REPLY")"
		api GET /1.0/servers/vlim >/dev/null
		jq .pid <<<"$REPLY")
	# (berth-vmm cuts a --disk value at its path's end in place: that comma reads as a NUL)
	cmd=$(tr '\0' ' ' <"/proc/$vpid/cmdline")
	grep -qE -- "--disk $STATE/servers/vlim/disk.img[ ,]iops=300,bps=4194304 " <<<"$cmd" ||
		fail "the VMM's --disk lacks the limits: $cmd"
	grep -qE -- "--net tap=[^ ]*,bps=1048576 " <<<"$cmd" || fail "the VMM's --net lacks the limit: $cmd"
	echo "ok: the VM's berth-vmm: $(grep -oE -- '--(disk [^ ]* [^ ]*|net [^ ]*)' <<<"$cmd" | tr '\n' ' ')"
	expect_api 202 DELETE "/1.0/servers/vlim?force=1"
	wait_op "$(jq -r .operation <<<"$REPLY")"
else
	echo "(no /dev/kvm or no tiny guests: the VM part is left out)"
fi

# a plan without limits: no throttle, no qdisc of ours
pid2=$(run_ct free free)
api GET /1.0/servers/free >/dev/null
jq -e '.limits == {"disk_iops": 0, "disk_bps": 0, "net_bps": 0}' <<<"$REPLY" >/dev/null ||
	fail "free's limits: $REPLY"
! nsenter -t "$pid2" -n tc qdisc show dev eth0 | grep -q tbf || fail "free has a tbf"
if [ -d /sys/fs/cgroup/blkio ]; then
	cg=/sys/fs/cgroup/blkio$(awk -F: '$2 ~ /(^|,)blkio(,|$)/ { print $3 }' "/proc/$pid2/cgroup")
	[ ! -s "$cg/blkio.throttle.read_iops_device" ] || fail "free is throttled: $(cat "$cg/blkio.throttle.read_iops_device")"
fi
echo "ok: a plan without limits gives none"
for s in lim free; do
	expect_api 202 DELETE "/1.0/servers/$s?force=1"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
kill_berthd TERM

# a bad limit stops berthd at start, naming the file and line
printf 'plan = bad 1 64M 256M disk_iops=0\n' >"$SCRATCH/bad.conf"
out=$("$BERTHD" --state-dir "$STATE" --socket "$SOCK" --config "$SCRATCH/bad.conf" 2>&1) &&
	fail "berthd started with disk_iops=0"
grep -q "bad.conf:1: plan: plan bad: disk_iops=0: a limit must be above 0" <<<"$out" ||
	fail "unclear refusal: $out"
echo "ok: refused: $out"
