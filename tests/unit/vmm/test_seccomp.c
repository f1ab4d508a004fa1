/* Unit tests for src/vmm/seccomp/: each filter runs in a forked child, where an allowed
 * call works and one outside the list kills the child with SIGSYS after a log line naming
 * the call; the programs the build compiled are what the rules compile to now. (A running
 * VMM's "Seccomp: 2" is checked by tests/system/vmm/seccomp.sh.) */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/seccomp/programs.h"
#include "vmm/seccomp/seccomp.h"

enum probe {
	PROBE_ALLOWED,	   /* getpid, a write, KVM_RUN on a bad fd: all listed */
	PROBE_SOCKET,	   /* socket(AF_INET): slirp's only */
	PROBE_EXECVE,	   /* no thread may run a program */
	PROBE_IOCTL,	   /* KVM_CREATE_VM: the main thread's, never a vCPU's */
	PROBE_UNIX_SOCKET, /* socket(AF_UNIX): not even for slirp */
	PROBE_TGKILL,	   /* a signal to another process: the pid the filter holds is ours */
};

/* Run probe under kind's filter in a child; returns its wait status, its stderr in log. */
static int run_probe(enum vmm_thread kind, enum probe probe, char *log, size_t cap)
{
	/* libslirp's list is compiled only for a VM with --net user */
	struct vm_config cfg = { .console = CONSOLE_NONE,
				 .seccomp = true,
				 .nnics = kind == VMM_THREAD_SLIRP,
				 .nics = { { .kind = NET_USER } } };
	int errpipe[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(pipe(errpipe), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct berth_error err = { 0 };
		struct rlimit nocore = { 0, 0 };
		pid_t parent = getppid(); /* not a call the filters allow */
		int fail = 0;

		setrlimit(RLIMIT_CORE, &nocore); /* a SIGSYS death would otherwise dump core */
		dup2(errpipe[1], STDERR_FILENO);
		if (vmm_seccomp_prepare(&cfg, &err) || vmm_seccomp_enter(kind, &err)) {
			fprintf(stderr, "setup: %s\n", err.msg);
			_exit(3);
		}
		switch (probe) {
		case PROBE_ALLOWED:
			fail |= getpid() <= 0;
			fail |= write(errpipe[1], "ok\n", 3) != 3;
			fail |= !(ioctl(-1, KVM_RUN, 0) < 0 && errno == EBADF);
			fail |= syscall(SYS_tgkill, getpid(), gettid(), 0) != 0;
			break;
		case PROBE_SOCKET:
			socket(AF_INET, SOCK_STREAM, 0);
			break;
		case PROBE_EXECVE:
			execl("/bin/true", "true", (char *)NULL);
			break;
		case PROBE_IOCTL:
			ioctl(-1, KVM_CREATE_VM, 0);
			break;
		case PROBE_UNIX_SOCKET:
			socket(AF_UNIX, SOCK_STREAM, 0);
			break;
		case PROBE_TGKILL:
			syscall(SYS_tgkill, parent, parent, 0);
			break;
		}
		/* Straight to the kernel: the sanitizers' _exit() makes calls of their own. */
		syscall(SYS_exit_group, fail ? 4 : 0);
	}
	close(errpipe[1]);
	while ((size_t)got < cap - 1 && (n = read(errpipe[0], log + got, cap - 1 - got)) > 0)
		got += n;
	log[got] = '\0';
	close(errpipe[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_killed(int status, const char *log, const char *thread, const char *call)
{
	char want[128];

	if (!WIFSIGNALED(status))
		print_message("child's stderr: %s\n", log);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	snprintf(want, sizeof(want),
		 "berth-vmm: seccomp: the %s thread made a system call "
		 "outside its allow-list: %s (",
		 thread, call);
	assert_contains(log, want);
}

static void allowed_calls_work(void **state)
{
	char log[512];
	int st;

	(void)state;
	for (int k = 0; k < VMM_THREAD_KINDS; k++) {
		if (k == VMM_THREAD_SLIRP)
			continue; /* no KVM ioctl there: checked by slirp_sockets below */
		st = run_probe(k, PROBE_ALLOWED, log, sizeof(log));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			print_message("child's stderr: %s\n", log);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
		assert_contains(log, "ok\n");
	}
}

static void vcpu_thread_cannot_open_sockets(void **state)
{
	char log[512];

	(void)state;
	assert_killed(run_probe(VMM_THREAD_VCPU, PROBE_SOCKET, log, sizeof(log)), log, "vCPU",
		      "socket");
}

static void no_thread_can_execve(void **state)
{
	char log[512];

	(void)state;
	assert_killed(run_probe(VMM_THREAD_MAIN, PROBE_EXECVE, log, sizeof(log)), log,
		      "main (event loop)", "execve");
	assert_killed(run_probe(VMM_THREAD_SLIRP, PROBE_EXECVE, log, sizeof(log)), log, "slirp",
		      "execve");
}

static void vcpu_ioctls_are_filtered_by_number(void **state)
{
	char log[512];

	(void)state;
	assert_killed(run_probe(VMM_THREAD_VCPU, PROBE_IOCTL, log, sizeof(log)), log, "vCPU",
		      "ioctl");
}

static void slirp_sockets(void **state)
{
	char log[512];
	int st;

	(void)state;
	st = run_probe(VMM_THREAD_SLIRP, PROBE_SOCKET, log, sizeof(log));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_killed(run_probe(VMM_THREAD_SLIRP, PROBE_UNIX_SOCKET, log, sizeof(log)), log,
		      "slirp", "socket");
}

static void signals_only_to_itself(void **state)
{
	char log[512];

	(void)state;
	assert_killed(run_probe(VMM_THREAD_MAIN, PROBE_TGKILL, log, sizeof(log)), log,
		      "main (event loop)", "tgkill");
}

/* The build's programs (build/gen/vmm/seccomp_programs.c) are the rules as they compile now,
 * each with the one pid comparison where install.c writes the VMM's pid. */
static void built_programs_are_the_rules(void **state)
{
	struct berth_error err;
	struct sock_fprog p;

	(void)state;
	for (int k = 0; k < VMM_THREAD_KINDS; k++)
		for (unsigned f = 0; f < SECCOMP_FEATURES; f++) {
			const struct seccomp_program *built = &seccomp_programs[k][f];

			if (!seccomp_features_valid(f)) {
				assert_null(built->insns);
				continue;
			}
			assert_int_equal(seccomp_rules_compile(k, f, &p, &err), 0);
			assert_non_null(built->insns);
			assert_int_equal(built->len, p.len);
			assert_memory_equal(built->insns, p.filter, p.len * sizeof(*p.filter));
			assert_true(built->pid_at < p.len);
			assert_int_equal(built->insns[built->pid_at].k, SECCOMP_PID_SENTINEL);
			free(p.filter);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allowed_calls_work),
		cmocka_unit_test(vcpu_thread_cannot_open_sockets),
		cmocka_unit_test(no_thread_can_execve),
		cmocka_unit_test(vcpu_ioctls_are_filtered_by_number),
		cmocka_unit_test(slirp_sockets),
		cmocka_unit_test(signals_only_to_itself),
		cmocka_unit_test(built_programs_are_the_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
