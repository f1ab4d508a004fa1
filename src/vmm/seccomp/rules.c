/* rules.c - berth-vmm's system-call allow-lists, one per kind of thread, as libseccomp rules
 * (rules.h), compiled at build time.
 *
 * A thread inherits the filter of the thread that created it and filters stack (the
 * strictest answer wins): the vCPU threads, created by the main thread at every boot (a
 * guest reset rebuilds the KVM VM and its vCPUs), run under the main list and their own. So
 * the main list also holds what a vCPU does; the vCPU list is the narrower one. libslirp's
 * thread starts before the main thread's filter and installs its own.
 *
 * A forbidden call traps (SCMP_ACT_TRAP): install.c's SIGSYS handler names it, then lets
 * the kernel kill the process. */
#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>

#include "common/cleanup.h"

/* Every thread: memory, locks, signals, time, ending, and I/O on fds it already holds. */
static const int common_calls[] = {
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(close),
	SCMP_SYS(lseek),
	SCMP_SYS(fstat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(futex),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(sched_yield),
	SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(getrandom),
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(madvise),
	SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq),
};

/* Device work, which runs on the main thread and, when a guest's register write starts a
 * device, on a vCPU thread: disk I/O (io_uring), the console socket, loop sources. */
static const int device_calls[] = {
	SCMP_SYS(io_uring_enter), SCMP_SYS(epoll_ctl), SCMP_SYS(sendto),    SCMP_SYS(sendmsg),
	SCMP_SYS(recvfrom),	  SCMP_SYS(recvmsg),   SCMP_SYS(fdatasync), SCMP_SYS(fsync),
};

/* The main thread's event loop, API and console sockets, and thread starts at each boot. */
static const int main_calls[] = {
	SCMP_SYS(epoll_wait),	   SCMP_SYS(epoll_pwait), SCMP_SYS(accept),
	SCMP_SYS(accept4),	   SCMP_SYS(shutdown),	  SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_gettime), SCMP_SYS(eventfd2),	  SCMP_SYS(poll),
	SCMP_SYS(ppoll),	   SCMP_SYS(fcntl),	  SCMP_SYS(getsockopt),
	SCMP_SYS(memfd_create), /* screendump's PNG, handed to the API client */
};

/* libslirp's sockets to the host; with --net user also on the main and vCPU threads, which
 * hand the guest's frames to libslirp (a TCP SYN becomes a connect() on that thread). */
static const int slirp_calls[] = {
	SCMP_SYS(connect),     SCMP_SYS(bind),	      SCMP_SYS(listen),	    SCMP_SYS(accept),
	SCMP_SYS(accept4),     SCMP_SYS(shutdown),    SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(fcntl),	    SCMP_SYS(poll),
	SCMP_SYS(ppoll),       SCMP_SYS(sendto),      SCMP_SYS(sendmsg),    SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg),     SCMP_SYS(epoll_ctl),
};

/* ioctls a vCPU thread makes: running, its registers on a failure, and device exits
 * (a UART's interrupt line, virtio's doorbells and MSI-X routes, tap offloads, and the
 * tap queues a virtio-net reset detaches). */
static const unsigned long vcpu_ioctls[] = {
	KVM_RUN,       KVM_GET_REGS,	    KVM_GET_SREGS, KVM_IRQ_LINE,
	KVM_IOEVENTFD, KVM_SET_GSI_ROUTING, TUNSETOFFLOAD, TUNSETQUEUE,
};

/* What each boot on the main thread adds (vm_boot(), cpu_init(); the PIT with firmware), the
 * pause's clock, the size of a disk that grew, and the terminal put back at exit. No
 * KVM_GET_SUPPORTED_CPUID or other set-up-only ones. */
static const unsigned long main_ioctls[] = {
	KVM_CREATE_VM,
	KVM_SET_TSS_ADDR,
	KVM_SET_IDENTITY_MAP_ADDR,
	KVM_CREATE_IRQCHIP,
	KVM_CREATE_PIT2,
	KVM_REINJECT_CONTROL,
	KVM_IRQFD,
	KVM_SET_USER_MEMORY_REGION,
	KVM_GET_DIRTY_LOG, /* the display's framebuffer, for VNC */
	KVM_CREATE_VCPU,
	KVM_SET_CPUID2,
	KVM_SET_MSRS,
	KVM_SET_FPU,
	KVM_SET_REGS,
	KVM_SET_SREGS,
	KVM_GET_LAPIC,
	KVM_SET_LAPIC,
	KVM_GET_CLOCK,
	KVM_SET_CLOCK,
	TCGETS,
	TCSETS,
	TCSETSW,
	TCSETSF,
	BLKGETSIZE64, /* disk-resize of a disk that is a block device */
};

static const unsigned long slirp_ioctls[] = { FIONBIO, FIONREAD };

static int allow_all(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0) < 0)
			return -1;
	return 0;
}

static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *cmds, size_t n)
{
	/* The kernel takes the command as an unsigned int: compare the low 32 bits only. */
	for (size_t i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, cmds[i])) < 0)
			return -1;
	return 0;
}

#define ALLOW_ALL(ctx, a)    allow_all(ctx, a, sizeof(a) / sizeof(a[0]))
#define ALLOW_IOCTLS(ctx, a) allow_ioctls(ctx, a, sizeof(a) / sizeof(a[0]))

/* Memory never becomes executable; signals go only to this process; a new filter may only
 * be added (no TSYNC), which is how each vCPU thread narrows what it inherits. */
static int add_common(scmp_filter_ctx ctx)
{
	if (ALLOW_ALL(ctx, common_calls) ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
			     SCMP_A0(SCMP_CMP_EQ, SECCOMP_PID_SENTINEL, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
			     SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 2,
			     SCMP_A0(SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER, 0),
			     SCMP_A1(SCMP_CMP_EQ, 0, 0)) < 0)
		return -1;
	return 0;
}

/* Sockets to the host's Internet (v4 and v6) only, and /etc/resolv.conf, which libslirp
 * reads again when it changes, to forward the guest's DNS queries. */
static int add_slirp(scmp_filter_ctx ctx)
{
	if (ALLOW_ALL(ctx, slirp_calls) || ALLOW_IOCTLS(ctx, slirp_ioctls) ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			     SCMP_A0(SCMP_CMP_EQ, AF_INET, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			     SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)) <
		0)
		return -1;
	return 0;
}

/* A capped log's rotation (caplog: the console's, --log's) reopens its file from whichever
 * thread writes; --log then moves fds 1 and 2 onto the new file (dup2). */
static int add_caplog(scmp_filter_ctx ctx, unsigned features)
{
	if ((features & SECCOMP_F_LOGFD) &&
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(dup2), 0) < 0)
		return -1;
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rename), 0) < 0 ||
	    seccomp_rule_add(
		ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		SCMP_A2(SCMP_CMP_EQ, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0)) < 0)
		return -1;
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, enum vmm_thread kind, unsigned f)
{
	if (add_common(ctx))
		return -1;
	if (kind == VMM_THREAD_SLIRP) /* glib's warnings reach --log's stream from there too */
		return add_slirp(ctx) || ((f & SECCOMP_F_LOGFD) && add_caplog(ctx, f)) ? -1 : 0;
	if (ALLOW_ALL(ctx, device_calls) || ALLOW_IOCTLS(ctx, vcpu_ioctls) ||
	    ((f & SECCOMP_F_SLIRP) && add_slirp(ctx)) ||
	    ((f & SECCOMP_F_CAPLOG) && add_caplog(ctx, f)))
		return -1;
	if (kind == VMM_THREAD_VCPU)
		return 0;
	/* glibc tries clone3 first and falls back to clone, whose flags a filter can see:
	 * threads only, never a new process. */
	if (ALLOW_ALL(ctx, main_calls) || ALLOW_IOCTLS(ctx, main_ioctls) ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0 ||
	    /* glibc's own signals (SIGCANCEL, SIGSETXID), set up at the first thread start */
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
			     SCMP_A0(SCMP_CMP_EQ, 32, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
			     SCMP_A0(SCMP_CMP_EQ, 33, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) < 0)
		return -1;
	/* At exit the sockets' files are removed (unix_listen_remove()). */
	if ((f & SECCOMP_F_SOCKETS) &&
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlink), 0) < 0)
		return -1;
	return 0;
}

/* libseccomp writes the program to an fd: through a memfd into memory of our own. */
static int export_program(scmp_filter_ctx ctx, struct sock_fprog *prog, struct berth_error *err)
{
	_cleanup_close_ int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
	struct stat st;
	void *buf;
	int r;

	if (fd < 0)
		return berr(err, errno, "seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return berr(err, -r, "seccomp: cannot compile the filter");
	if (fstat(fd, &st) < 0)
		return berr(err, errno, "seccomp: fstat");
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return berr(err, 0, "seccomp: the compiled filter has an odd size (%lld bytes)",
			    (long long)st.st_size);
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return berr(err, ENOMEM, "seccomp: filter");
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return berr(err, errno, "seccomp: cannot read the compiled filter back");
	}
	prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	prog->filter = buf;
	return 0;
}

int seccomp_features_valid(unsigned features)
{
	return features < SECCOMP_FEATURES &&
	       (!(features & SECCOMP_F_LOGFD) || (features & SECCOMP_F_CAPLOG));
}

int seccomp_rules_compile(enum vmm_thread kind, unsigned features, struct sock_fprog *prog,
			  struct berth_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int r;

	if (!ctx)
		return berr(err, ENOMEM, "seccomp: seccomp_init");
	/* Another architecture's numbers (int 0x80, x32) have no name to log: kill at once. */
	/* A binary tree of syscall numbers rather than a list: every KVM_RUN passes two filters. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0 ||
	    add_rules(ctx, kind, features) < 0)
		r = berr(err, 0, "seccomp: cannot build the %s thread's filter",
			 vmm_thread_name(kind));
	else
		r = export_program(ctx, prog, err);
	seccomp_release(ctx);
	return r;
}
