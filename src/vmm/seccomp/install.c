/* install.c - berth-vmm's system-call filters put on its threads (seccomp.h).
 *
 * The programs were compiled at build time (programs.h, from rules.c's lists); a start
 * only picks the ones its configuration needs and writes its pid into them, so a thread
 * installs its filter with two system calls and no allocation.
 *
 * A forbidden call raises SIGSYS (SCMP_ACT_TRAP): the handler writes the call's name, from
 * the build's table, then makes the same call again with SIGSYS blocked, which makes the
 * kernel kill the process with SIGSYS, as SCMP_ACT_KILL_PROCESS would. */
#include "vmm/seccomp/seccomp.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "vmm/seccomp/programs.h"

static struct sock_fprog programs[VMM_THREAD_KINDS];
static bool prepared;
static __thread int current_kind = -1;

static unsigned features_of(const struct vm_config *cfg)
{
	unsigned f = 0;

	for (unsigned i = 0; i < cfg->nnics; i++)
		if (cfg->nics[i].kind == NET_USER)
			f |= SECCOMP_F_SLIRP;
	if (cfg->console == CONSOLE_FILE || cfg->log_path)
		f |= SECCOMP_F_CAPLOG;
	if (cfg->log_path)
		f |= SECCOMP_F_LOGFD;
	if (cfg->api_sock || cfg->console_sock || cfg->vnc)
		f |= SECCOMP_F_SOCKETS;
	return f;
}

static size_t append(char *buf, size_t len, size_t cap, const char *s)
{
	while (*s && len < cap)
		buf[len++] = *s++;
	return len;
}

static size_t append_num(char *buf, size_t len, size_t cap, unsigned long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(digits));
	while (n && len < cap)
		buf[len++] = digits[--n];
	return len;
}

/* Only async-signal-safe work: no stdio, no allocation. */
static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	const greg_t *g = ((ucontext_t *)ucv)->uc_mcontext.gregs;
	int nr = si->si_syscall;
	char line[192];
	size_t n = 0;
	ssize_t w;

	(void)sig;
	n = append(line, n, sizeof(line), "berth-vmm: seccomp: the ");
	n = append(line, n, sizeof(line),
		   current_kind >= 0 ? vmm_thread_name(current_kind) : "new (inherited filter)");
	n = append(line, n, sizeof(line), " thread made a system call outside its allow-list: ");
	n = append(line, n, sizeof(line),
		   nr >= 0 && nr < SECCOMP_SYSCALL_NAMES && seccomp_syscall_names[nr]
		       ? seccomp_syscall_names[nr]
		       : "unknown");
	n = append(line, n, sizeof(line), " (");
	n = append_num(line, n, sizeof(line), (unsigned long)nr);
	n = append(line, n, sizeof(line), "); killing the VMM (--no-seccomp turns filters off)\n");
	w = write(STDERR_FILENO, line, n);
	(void)w;
	/* SIGSYS is blocked in here, so the kernel now kills with it instead of calling us. */
	syscall(nr, g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8], g[REG_R9]);
	_exit(128 + SIGSYS);
}

int vmm_seccomp_prepare(const struct vm_config *cfg, struct berth_error *err)
{
	unsigned f = features_of(cfg);
	struct sigaction sa;

	for (int k = 0; k < VMM_THREAD_KINDS; k++) {
		struct seccomp_program *p = &seccomp_programs[k][f];

		if (!p->insns)
			return berr(err, EINVAL, "seccomp: no filter for the %s thread",
				    vmm_thread_name(k));
		p->insns[p->pid_at].k = (__u32)getpid();
		programs[k] = (struct sock_fprog){ .len = p->len, .filter = p->insns };
	}
	/* jansson seeds its hash tables from /dev/urandom at the first object (the API's
	 * events), which no filter allows: seed them now. */
	json_object_seed(0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return berr(err, errno, "seccomp: cannot handle SIGSYS");
	prepared = true;
	return 0;
}

int vmm_seccomp_enter(enum vmm_thread kind, struct berth_error *err)
{
	sigset_t sys;

	if (!prepared)
		return 0;
	/* A thread started with every signal blocked must still hear SIGSYS, or the kernel
	 * kills it without the handler's line. */
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr(err, errno, "seccomp: no_new_privs");
	current_kind = (int)kind;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &programs[kind]) < 0)
		return berr(err, errno, "seccomp: cannot install the %s thread's filter",
			    vmm_thread_name(kind));
	return 0;
}
