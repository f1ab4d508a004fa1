#!/usr/bin/env bash
# blkio_weight.sh - linux.resources.blockIO.weight where the host can apply it and where it
# cannot. A weight needs BFQ (blkio.bfq.weight on v1, io.bfq.weight on v2) or v2's I/O cost
# controller (io.weight); without them berth-ct refuses it by name instead of ignoring it.
# This host's layouts run first (ct_run_both), each expecting what a probe cgroup shows; the
# rig, whose kernel has BFQ as a module, then proves every path on v1 and v2, without and with
# BFQ loaded.
# timeout: 1500
. "$(dirname "$0")/../lib.sh" # rig_try
. "$(dirname "$0")/lib/ct.bash"
set +o pipefail # as ct.bash wants

# The weight file a new cgroup gets on this layout (berth-ct's own order), or "none".
weight_file() {
	local probe f files="blkio.bfq.weight blkio.weight"
	if [ "$CT_LAYOUT" = v2 ]; then
		echo +io >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
		probe=/sys/fs/cgroup/berth-weight-probe.$$ files="io.bfq.weight io.weight"
	else
		probe=/sys/fs/cgroup/blkio/berth-weight-probe.$$
	fi
	mkdir "$probe" 2>/dev/null || { echo none; return; }
	for f in $files none; do [ "$f" = none ] || [ -e "$probe/$f" ] && break; done
	rmdir "$probe"
	echo "$f"
}

main() {
	local b f out want
	f=$(weight_file)
	[ -z "${TEST_WANT_WEIGHT:-}" ] || [ "$f" = "$TEST_WANT_WEIGHT" ] ||
		fail "expected $TEST_WANT_WEIGHT here, a probe cgroup has ${f}"
	b=$(ct_bundle w sleep 100)
	ct_cfg "$b" '.linux.resources.blockIO = {weight: 500}'
	if [ "$f" != none ]; then
		ct create --bundle "$b" w </dev/null >/dev/null || fail "weight refused though the host has $f"
		want=500
		[ "$f" != io.weight ] || want=$((1 + (500 - 10) * 9999 / 990))
		out=$(cat "$(ct_cgroup_dir w blkio)/$f")
		echo "$out" | grep -qw "$want" || fail "$f holds '$out', not $want"
		ct delete --force w
		ok "blockIO weight 500 written to $f"
	else
		out=$(ct create --bundle "$b" w 2>&1 </dev/null) && fail "weight accepted where no cgroup file takes it"
		echo "$out" | grep -q 'linux.resources.blockIO.weight' || fail "refusal does not name the field: $out"
		echo "$out" | grep -q 'BFQ' || fail "refusal does not say why: $out"
		! ct list -q | grep -qx w || fail "a refused container was left behind"
		[ ! -e "$(ct_cgroup_dir w blkio)" ] || fail "a refused container's cgroup was left behind"
		ok "blockIO weight refused by name where the host cannot apply it"
	fi
}

if [ -n "${TEST_WEIGHT_RIG:-}" ]; then
	main
	exit 0
fi
ct_run_both
[ -z "${CT_IN_V2:-}" ] || exit 0

reason=$(BERTH_RIG_FORCE=1 "$CT_REPO/tests/rig/available") || skip "the rig's paths: $reason"
cd "$CT_REPO"
# FIFOs and sockets do not work on the rig's shared /tmp (9p): work in its /run (tmpfs). v1
# and v2 get a rig each: a controller that v1 held returns to v2 only once all its cgroups are
# gone, which cached pages can delay.
in_rig() {
	rig_try run --timeout 240 -- sh -c "set -e; mkdir -p /run/ct-tmp
		export TMPDIR=/run/ct-tmp TEST_WEIGHT_RIG=1 t=tests/system/ct/blkio_weight.sh; $1" 2>&1
}
v1=$(in_rig 'unshare -m --propagation private sh -c "
	set -e
	mount -t tmpfs cgroup /sys/fs/cgroup
	for c in cpu,cpuacct memory pids devices blkio freezer cpuset; do
		mkdir /sys/fs/cgroup/\$c && mount -t cgroup -o \$c cgroup /sys/fs/cgroup/\$c
	done
	TEST_WANT_WEIGHT=none \$t
	modprobe bfq
	TEST_WANT_WEIGHT=blkio.bfq.weight \$t"') || { echo "$v1"; fail "v1 in the rig"; }
v2=$(in_rig '$t; modprobe bfq; TEST_WANT_WEIGHT=io.bfq.weight $t') || { echo "$v2"; fail "v2 in the rig"; }
out="$v1
$v2"
echo "$out"
for f in blkio.bfq.weight io.bfq.weight; do
	echo "$out" | grep -q "written to $f\$" || fail "the rig never wrote $f"
done
