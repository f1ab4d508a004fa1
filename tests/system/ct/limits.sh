#!/usr/bin/env bash
# limits.sh - linux.resources through cgroups: memory (an allocation past the limit is
# OOM-killed: SIGKILL and the cgroup's oom_kill count), memory/swap, pids (fork past the
# limit fails), cpu and cpuset values, device rules, and linux.resources.unified
# (memory.min on v2, refused on v1); memory.swappiness, disableOOMKiller and kernel
# written on v1 (kernel only where the kernel applies it), refused by name where not.
# On the v2 run a controller the host keeps in v1 is reported and skipped.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b out d kills alloc kmem f
	if [ "$CT_LAYOUT" = v2 ]; then
		# v1 memory knobs with no v2 file are refused by name, whatever controllers exist
		for f in swappiness:10 disableOOMKiller:true kernel:67108864; do
			b=$(ct_bundle "memv2-${f%%:*}" true)
			ct_cfg "$b" --arg k "${f%%:*}" --argjson v "${f#*:}" '.linux.resources.memory = {($k): $v}'
			ct_refuses "$b" "memv2-${f%%:*}" "linux.resources.memory.${f%%:*}: cgroup v2 " \
				"memory.${f%%:*} on cgroup v2"
			[ ! -e "$CT_ROOT/memv2-${f%%:*}" ] || fail "refused memory.${f%%:*} left state"
		done
		ok "memory.swappiness, disableOOMKiller and kernel refused by name on v2"
	fi
	if ct_has_controller memory; then
		# 64 MiB of memory in a 32 MiB container, swap off: the kernel must OOM-kill the
		# shell that holds it (SIGKILL: status 137 to its parent) and count the kill. Its
		# oom_score_adj of 1000 makes it the victim for sure (v1 has been seen to take the
		# container's init, the parent that reports the status, instead).
		alloc='echo 1000 >/proc/self/oom_score_adj; x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
		b=$(ct_bundle mem sh -c "echo start; sh -c '$alloc'; echo alloc-exit \$?")
		ct_cfg "$b" '.linux.resources.memory = {limit: 33554432, swap: 33554432, reservation: 16777216}'
		ct create --bundle "$b" mem >"$CT_TMP/mem.out" 2>&1
		ct start mem
		ct_wait_status mem stopped
		out=$(cat "$CT_TMP/mem.out")
		echo "$out" | grep -q start || fail "memory container did not start: $out"
		! echo "$out" | grep -q survived || fail "allocation past the memory limit survived"
		echo "$out" | grep -qx 'alloc-exit 137' || fail "the allocation was not SIGKILLed: $out"
		if [ "$CT_LAYOUT" = v2 ]; then
			kills=$(awk '$1 == "oom_kill" {print $2}' "$(ct_cgroup_dir mem)/memory.events")
		else
			kills=$(awk '$1 == "oom_kill" {print $2}' "$(ct_cgroup_dir mem memory)/memory.oom_control")
		fi
		[ "${kills:-0}" -ge 1 ] || fail "no OOM kill counted in the container's cgroup (${kills:-none})"
		ct delete mem
		ok "memory limit enforced (OOM kill: status 137, oom_kill $kills)"
		b=$(ct_bundle memcfg sleep 100)
		ct_cfg "$b" '.linux.resources.memory = {limit: 33554432, reservation: 16777216, swap: 67108864}'
		ct create --bundle "$b" memcfg
		if [ "$CT_LAYOUT" = v2 ]; then
			d=$(ct_cgroup_dir memcfg)
			[ "$(cat "$d/memory.max")" = 33554432 ] || fail memory.max
			[ "$(cat "$d/memory.low")" = 16777216 ] || fail memory.low
			# OCI swap is memory + swap; v2 counts swap alone
			[ "$(cat "$d/memory.swap.max")" = 33554432 ] || fail memory.swap.max
		else
			d=$(ct_cgroup_dir memcfg memory)
			[ "$(cat "$d/memory.limit_in_bytes")" = 33554432 ] || fail limit
			[ "$(cat "$d/memory.soft_limit_in_bytes")" = 16777216 ] || fail soft
			[ "$(cat "$d/memory.memsw.limit_in_bytes")" = 67108864 ] || fail memory.memsw.limit_in_bytes
		fi
		ct delete --force memcfg
		ok "memory limit, reservation and swap written"
		if [ "$CT_LAYOUT" = hybrid ]; then
			b=$(ct_bundle memv1 sleep 100)
			ct_cfg "$b" '.linux.resources.memory = {limit: 33554432, swappiness: 10, disableOOMKiller: true}'
			ct create --bundle "$b" memv1
			d=$(ct_cgroup_dir memv1 memory)
			[ "$(cat "$d/memory.swappiness")" = 10 ] || fail "memory.swappiness is $(cat "$d/memory.swappiness")"
			grep -qx 'oom_kill_disable 1' "$d/memory.oom_control" || fail "OOM killer not disabled: $(cat "$d/memory.oom_control")"
			ct delete --force memv1
			ok "memory.swappiness and disableOOMKiller written"
			# kernels since 6.1 keep memory.kmem.limit_in_bytes but ignore it: probe
			d=/sys/fs/cgroup/memory/berth-ct-kmem-probe.$$
			mkdir "$d"
			echo 67108864 >"$d/memory.kmem.limit_in_bytes" 2>/dev/null || true
			kmem=$(cat "$d/memory.kmem.limit_in_bytes" 2>/dev/null || echo none)
			rmdir "$d"
			ct_cfg "$b" '.linux.resources.memory.kernel = 67108864'
			if [ "$kmem" = 67108864 ]; then
				ct create --bundle "$b" memv1
				[ "$(cat "$(ct_cgroup_dir memv1 memory)/memory.kmem.limit_in_bytes")" = 67108864 ] ||
					fail memory.kmem.limit_in_bytes
				ct delete --force memv1
				ok "memory.kernel written"
			else
				out=$(ct create --bundle "$b" memv1 2>&1) && fail "memory.kernel accepted though the host ignores it"
				echo "$out" | grep -q 'linux.resources.memory.kernel' || fail "refusal does not name memory.kernel: $out"
				[ ! -e "$CT_ROOT/memv1" ] && [ ! -e "$(ct_cgroup_dir memv1 memory)" ] ||
					fail "refused memory.kernel left state or a cgroup"
				ok "memory.kernel refused by name: the host does not apply it ($out)"
			fi
		fi
		if [ "$CT_LAYOUT" = v2 ]; then
			b=$(ct_bundle memmin sleep 100)
			ct_cfg "$b" '.linux.resources.memory = {limit: 33554432, reservation: 16777216} |
				.linux.resources.unified = {"memory.min": "16777216"}'
			ct create --bundle "$b" memmin
			[ "$(cat "$(ct_cgroup_dir memmin)/memory.min")" = 16777216 ] || fail memory.min
			[ "$(cat "$(ct_cgroup_dir memmin)/memory.low")" = 16777216 ] || fail memory.low
			ct delete --force memmin
			ok "memory.min set from linux.resources.unified"
		fi
	else
		echo "note [$CT_LAYOUT]: memory controller not available here (held by cgroup v1)"
	fi

	if ct_has_controller pids; then
		b=$(ct_bundle pids sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done 2>&1; echo forks-done')
		ct_cfg "$b" '.linux.resources.pids = {limit: 5}'
		out=$(ct run --bundle "$b" pids 2>&1) || true
		echo "$out" | grep -qi "resource temporarily unavailable\|can't fork" || fail "pids limit not enforced: $out"
		ok "pids limit enforced"
	else
		echo "note [$CT_LAYOUT]: pids controller not available here (held by cgroup v1)"
	fi

	if ct_has_controller cpu; then
		b=$(ct_bundle cpu sleep 100)
		ct_cfg "$b" '.linux.resources.cpu = {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"}'
		ct create --bundle "$b" cpu
		if [ "$CT_LAYOUT" = v2 ]; then
			d=$(ct_cgroup_dir cpu)
			# runc's shares -> weight: 1 + (shares - 2) * 9999 / 262142, 20 for 512
			[ "$(cat "$d/cpu.weight")" = $((1 + (512 - 2) * 9999 / 262142)) ] || fail cpu.weight
			[ "$(cat "$d/cpu.max")" = "50000 100000" ] || fail cpu.max
			[ "$(cat "$d/cpuset.cpus")" = 0 ] || fail cpuset.cpus
			[ "$(cat "$d/cpuset.mems")" = 0 ] || fail cpuset.mems
		else
			d=$(ct_cgroup_dir cpu cpu)
			[ "$(cat "$d/cpu.shares")" = 512 ] || fail cpu.shares
			[ "$(cat "$d/cpu.cfs_quota_us")" = 50000 ] || fail cpu.cfs_quota_us
			[ "$(cat "$d/cpu.cfs_period_us")" = 100000 ] || fail cpu.cfs_period_us
			[ "$(cat "$(ct_cgroup_dir cpu cpuset)/cpuset.cpus")" = 0 ] || fail cpuset.cpus
			[ "$(cat "$(ct_cgroup_dir cpu cpuset)/cpuset.mems")" = 0 ] || fail cpuset.mems
		fi
		ct delete --force cpu
		ok "cpu weight, quota/period and cpuset written"
	else
		echo "note [$CT_LAYOUT]: cpu controller not available here (held by cgroup v1)"
	fi

	b=$(ct_bundle dev sh -c 'echo x > /dev/null && echo null-ok; head -c 1 /dev/full >/dev/null && echo full-ok; mknod /tmp/m c 1 1 2>&1 || echo mknod-denied')
	ct_cfg "$b" '.linux.resources.devices = [{allow: false, access: "rwm"}, {allow: false, type: "c", major: 1, minor: 7, access: "r"}]'
	out=$(ct run --bundle "$b" dev 2>&1) || true
	! echo "$out" | grep -q full-ok || fail "device rule did not deny /dev/full: $out"
	echo "$out" | grep -q mknod-denied || fail "mknod of an unlisted device allowed: $out"
	echo "$out" | grep -q null-ok || fail "default device /dev/null denied: $out"
	ok "device cgroup rules (v1 files, v2 eBPF)"

	b=$(ct_bundle unified true)
	if [ "$CT_LAYOUT" = v2 ]; then
		ct_cfg "$b" '.linux.resources.unified = {"pids.nosuchfile": "7"}'
		ct_refuses "$b" unified 'unified: pids.nosuchfile = "7"' "a missing unified file"
		ok "unified write error names the file and value"
	else
		ct_cfg "$b" '.linux.resources.unified = {"memory.min": "1"}'
		ct_refuses "$b" unified 'linux.resources.unified: needs cgroup v2' "unified on v1"
		ok "linux.resources.unified refused on cgroup v1"
	fi

	b=$(ct_bundle badres true)
	ct_cfg "$b" '.linux.resources.cpu = {shares: 1}'
	ct_refuses "$b" badres 'linux.resources.cpu.shares' "cpu.shares 1"
	ok "invalid resource named"
}
ct_run_both
