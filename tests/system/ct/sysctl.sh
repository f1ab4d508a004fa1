#!/usr/bin/env bash
# sysctl.sh - linux.sysctl is applied only where the container's own namespaces cover the
# key (runc's rule): a global key such as kernel.printk_ratelimit is refused at create,
# with nothing made and the host's value unchanged; net.* needs a network namespace of the
# container's own, kernel.shm* an IPC namespace.
# timeout: 60
. "$(dirname "$0")/lib/ct.bash"

# nothing of a refused container is left: no state, no cgroup
nothing_left() {
	[ -z "$(ct list -q)" ] || fail "$1: a container was left: $(ct list -q)"
	[ ! -e "$(ct_cgroup_dir "$1" pids)" ] || fail "$1: its cgroup was left"
}

main() {
	local b before out fwd
	before=$(cat /proc/sys/kernel/printk_ratelimit)
	b=$(ct_bundle printk true)
	ct_cfg "$b" --arg v "$((before + 1))" '.linux.sysctl = {"kernel.printk_ratelimit": $v}'
	ct_refuses "$b" printk 'kernel.printk_ratelimit. is not in a separate kernel namespace' \
		"a global sysctl"
	[ "$(cat /proc/sys/kernel/printk_ratelimit)" = "$before" ] ||
		fail "the host's kernel.printk_ratelimit changed: $before -> $(cat /proc/sys/kernel/printk_ratelimit)"
	nothing_left printk
	ok "kernel.printk_ratelimit refused at create, the host's value unchanged ($before)"

	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	b=$(ct_bundle nonet true)
	ct_cfg "$b" '.linux.namespaces |= map(select(.type != "network")) |
		.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	ct_refuses "$b" nonet "needs the container's own network namespace" "net.* without a network namespace"
	b=$(ct_bundle hostnet true)
	ct_cfg "$b" --arg p "$$" '.linux.namespaces |= map(if .type == "network" then .path = "/proc/\($p)/ns/net" else . end) |
		.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	ct_refuses "$b" hostnet "needs the container's own network namespace" "net.* in the host's network namespace joined by path"
	nothing_left hostnet
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ] || fail "the host's ip_forward changed"
	ok "net.* refused without a network namespace of the container's own"

	b=$(ct_bundle fwd sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni')
	ct_cfg "$b" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
	out=$(ct run --bundle "$b" fwd) || fail "net.ipv4.ip_forward in a network namespace: $out"
	[ "$out" = "$(printf '1\n1234')" ] || fail "sysctls inside: $out"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ] || fail "the host's ip_forward changed"
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ] || fail "the host's kernel.shmmni changed"
	ok "net.ipv4.ip_forward and kernel.shmmni set in the container's own namespaces"
}
ct_run_both
