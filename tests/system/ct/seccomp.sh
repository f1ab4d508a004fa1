#!/usr/bin/env bash
# seccomp.sh - linux.seccomp: each action a blocked syscall can get (errno with a
# chosen value, kill, trap, log, allow-list default), argument conditions, arches, flags.
# timeout: 120
. "$(dirname "$0")/lib/ct.bash"

profile() { # profile BUNDLE JSON: set linux.seccomp
	ct_cfg "$1" --argjson s "$2" '.linux.seccomp = $s'
}

main() {
	local b out rc
	b=$(ct_bundle errno sh -c 'mkdir /tmp/d 2>&1; echo after')
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"flags": ["SECCOMP_FILTER_FLAG_LOG"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
	out=$(ct run --bundle "$b" errno 2>&1)
	echo "$out" | grep -q 'Permission denied' || fail "errno action (EACCES expected): $out"
	echo "$out" | grep -q after || fail "process died: $out"
	ok "SCMP_ACT_ERRNO with errnoRet"

	b=$(ct_bundle kill sh -c 'echo before; exec mkdir /tmp/d; echo after')
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	rc=0; out=$(ct run --bundle "$b" kill 2>&1) || rc=$?
	[ "$rc" = 159 ] || fail "kill action: exit $rc (want 128+SIGSYS): $out"
	! echo "$out" | grep -q after || fail "survived kill action"
	ok "SCMP_ACT_KILL_PROCESS"

	b=$(ct_bundle trap mkdir /tmp/d)
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRAP"}]}'
	rc=0; ct run --bundle "$b" trap 2>/dev/null || rc=$?
	[ "$rc" = 159 ] || fail "trap action: exit $rc"
	ok "SCMP_ACT_TRAP"

	b=$(ct_bundle killthread sh -c 'exec mkdir /tmp/d')
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}'
	rc=0; ct run --bundle "$b" killthread 2>/dev/null || rc=$?
	[ "$rc" = 159 ] || fail "kill (thread) action: exit $rc"
	b=$(ct_bundle trace sh -c 'mkdir /tmp/d 2>&1; echo after')
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRACE", "errnoRet": 5}]}'
	out=$(ct run --bundle "$b" trace 2>&1)
	echo "$out" | grep -qi 'not implemented\|function not' || fail "trace action without a tracer: $out"
	ok "SCMP_ACT_KILL and SCMP_ACT_TRACE (no tracer: ENOSYS)"

	# personality(0xffffffff) only queries; any other argument is refused
	b=$(ct_bundle args sh -c 'setarch linux32 true 2>&1 && echo linux32-ok; echo after')
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
			"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}'
	out=$(ct run --bundle "$b" args 2>&1)
	! echo "$out" | grep -q linux32-ok || fail "argument condition not applied: $out"
	echo "$out" | grep -q after || fail "args: $out"
	ok "argument conditions"

	# allow-list: everything returns EPERM except what busybox echo needs
	b=$(ct_bundle allowlist sh -c 'echo hi')
	profile "$b" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
		"syscalls": [{"names": ["execve", "write", "exit_group", "exit", "brk", "arch_prctl",
			"set_tid_address", "getpid", "getuid", "geteuid", "getppid", "rt_sigaction",
			"rt_sigprocmask", "rt_sigreturn", "prctl", "capset", "capget", "setgroups",
			"setresuid", "setresgid", "chdir", "getcwd", "uname", "fcntl", "ioctl",
			"mmap", "munmap", "mprotect", "close", "read", "stat", "newfstatat", "fstat",
			"getrandom", "readlink", "wait4", "getgid", "getegid"],
			"action": "SCMP_ACT_ALLOW"}, {"names": ["sethostname"], "action": "SCMP_ACT_LOG"}]}'
	out=$(ct run --bundle "$b" allowlist 2>&1) || fail "allow-list profile: $out"
	[ "$out" = hi ] || fail "allow-list output: $out"
	ok "default action with an allow list, SCMP_ACT_LOG"

	b=$(ct_bundle bad true)
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]}'
	ct_refuses "$b" bad 'linux.seccomp.syscalls\[0\].action' "unknown action"
	profile "$b" '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}'
	ct_refuses "$b" bad 'architectures\[0\]' "unknown arch"
	ok "bad profiles named"
}
ct_run_both
