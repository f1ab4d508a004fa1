/* driver_vm.c - a VM server: one berth-vmm process, detached from berthd, driven through
 * its control socket (docs/api-sock.md).
 *
 * Files in s->dir: disk.img (the server's own copy of the image's disk), api.sock,
 * console.log (the serial console, capped by console_log_max), vmm.log (the VMM's stdout
 * and stderr, capped by console_log_max too: berth-vmm's --log, since a guest can make the
 * VMM talk). The VMM also serves the console on STATE_DIR/console/NAME.sock, which
 * `berth console` attaches to. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/images/copy.h"
#include "daemon/servers/driver.h"
#include "daemon/net/net.h"
#include "daemon/servers/jail.h"
#include "daemon/servers/proc.h"
#include "daemon/servers/server_console.h"
#include "daemon/servers/server_files.h"
#include "daemon/servers/spawn.h"
#include "daemon/servers/vm_cgroup.h"
#include "daemon/servers/vm_command.h"
#include "daemon/servers/vmm_api.h"

#define VM_START_MS	    30000 /* until the control socket answers (RAM is touched first) */
#define VM_API_MS	    2000  /* one request on the control socket */
#define VM_API_SLOW_MS	    5000  /* the last chance of a VMM that did not answer in VM_API_MS */
#define VM_KILL_MS	    5000  /* for the VMM to exit after stop or SIGKILL */
#define VM_MEMLOCK_SLACK    (16ULL << 20) /* RLIMIT_MEMLOCK of a jailed VMM: its RAM and this */
#define JAIL_CONSOLE_FD_ARG "3"		  /* JAIL_CONSOLE_FD, as berth-vmm's argument */
_Static_assert(JAIL_CONSOLE_FD == 3, "JAIL_CONSOLE_FD_ARG is JAIL_CONSOLE_FD");

static int make_dir(const struct server *s, struct berth_error *err)
{
	if (mkdir(s->dir, 0700) < 0 && errno != EEXIST)
		return berr(err, errno, "create `%s`", s->dir);
	return 0;
}

/* A server whose image has no disk still gets the disk it reserved: blank and sparse. */
static int blank_disk(const char *path, uint64_t size, struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return berr(err, errno, "create `%s`", path);
	if (ftruncate(fd, (off_t)size) < 0)
		return berr(err, errno, "make `%s` %" PRIu64 " bytes", path, size);
	return 0;
}

static int vm_provision(const struct server *s, const struct driver_env *e, progress_fn progress,
			void *ctx, struct berth_error *err)
{
	char src[PATH_MAX], dst[PATH_MAX];

	(void)e;
	if (make_dir(s, err) < 0 || image_file(src, s, "disk.img", err) < 0 ||
	    server_file(dst, s, "disk.img", err) < 0)
		return -1;
	if (access(src, F_OK) == 0)
		return copy_file(src, dst, s->disk, progress, ctx, err);
	if (errno != ENOENT)
		return berr(err, errno, "image disk `%s`", src);
	if (s->disk > 0 && blank_disk(dst, s->disk, err) < 0)
		return -1;
	if (progress)
		progress(ctx, 100);
	return 0;
}

/* Make s's network (net.h) and its berth-vmm command line into a. */
static int vm_prepare(const struct server *s, const struct driver_env *e, struct vm_args *a,
		      struct berth_error *err)
{
	char net[NET_VM_ARG_MAX] = "", extra[NET_CMDLINE_MAX] = "";

	if (e->net && net_vm_attach(e->net, s, net, extra, err))
		return -1;
	return vm_command(s, e, net, extra, a, err);
}

/* The uid the VMM of s runs as, for the checks on its socket (any when it is not jailed). */
static uid_t vm_uid(const struct server *s)
{
	return s->jail_uid ? (uid_t)s->jail_uid : VMM_API_ANY_UID;
}

/* What s's VMM may use in its jail: its server's directory (disk, logs, control socket; made
 * its own), its kernel and initrd read-only, its tap (given to its uid), and its console
 * socket, which it may not make in the shared console directory: made here and passed. */
static int vm_jail(const struct server *s, const struct driver_env *e, struct vm_args *a,
		   struct jail *j, struct berth_error *err)
{
	char tap[IFNAMSIZ];
	size_t n;

	if (jail_init(j, s->jail_uid, e->state_dir, e->vmm_path, s->name, err) < 0 ||
	    jail_own(j, s->dir, true, err) < 0 || jail_own(j, a->log, false, err) < 0 ||
	    jail_bind(j, s->dir, true, true, err) < 0)
		return -1;
	if (s->boot != BOOT_FIRMWARE &&
	    (jail_readable(a->kernel, err) < 0 || jail_bind(j, a->kernel, false, false, err) < 0 ||
	     (access(a->initrd, F_OK) == 0 && (jail_readable(a->initrd, err) < 0 ||
					       jail_bind(j, a->initrd, false, false, err) < 0))))
		return -1;
	if (!strncmp(a->net, "tap=", 4)) {
		n = strcspn(a->net + 4, ",");
		if (n >= sizeof(tap))
			return berr(err, EINVAL, "VM %s: tap name too long", s->name);
		memcpy(tap, a->net + 4, n);
		tap[n] = '\0';
		if (jail_tap(j, tap, err) < 0)
			return -1;
	}
	if (a->argc + 2 >= VM_ARGS_MAX)
		return berr(err, E2BIG, "VM %s: too many berth-vmm arguments", s->name);
	if (jail_console(j, a->console_sock, err) < 0)
		return -1;
	a->argv[a->argc++] = "--console-sock-fd";
	a->argv[a->argc++] = JAIL_CONSOLE_FD_ARG;
	a->argv[a->argc] = NULL;
	j->memlock = s->memory + VM_MEMLOCK_SLACK;
	return 0;
}

/* Start s's VMM detached in cg: in its jail when it has one. */
static int vm_spawn(const struct server *s, const struct driver_env *e, struct vm_args *a,
		    const struct spawn_cgroup *cg, long *pid, struct berth_error *err)
{
	struct jail j;
	int rc;

	if (!s->jail_uid)
		return spawn_detached_into(a->argv, -1, cg, a->log, pid, err);
	rc = vm_jail(s, e, a, &j, err);
	if (rc == 0)
		rc = spawn_jailed(a->argv, cg, a->log, &j, pid, err);
	jail_done(&j);
	return rc;
}

static int vm_start(const struct server *s, const struct driver_env *e, long *pid,
		    struct berth_error *err)
{
	_cleanup_close_ int pidfd = -1;
	char tail[400];
	struct vm_args a;
	struct vm_cgroup_fds cg;
	long log_from, deadline = proc_now_ms() + VM_START_MS;
	int rc;

	if (vm_prepare(s, e, &a, err) < 0 || vm_cgroup_prepare(s, e, &cg, err) < 0)
		return -1;
	log_from = log_size(a.log);
	rc = vm_spawn(s, e, &a, &(struct spawn_cgroup){ cg.fd, cg.n }, pid, err);
	vm_cgroup_fds_close(&cg);
	if (rc < 0)
		return berr_wrap(err, "start VM %s", s->name);
	pidfd = proc_open(*pid);
	if (pidfd < 0)
		goto died; /* it is gone already */
	while (proc_now_ms() < deadline) {
		if (vmm_api_pid_uid(a.sock, vm_uid(s), VM_API_MS) == *pid)
			return 0;
		if (proc_wait(pidfd, 100))
			goto died;
	}
	proc_signal(pidfd, SIGKILL);
	proc_wait(pidfd, VM_KILL_MS);
	log_tail(a.log, log_from, tail, sizeof(tail));
	return berr(err, 0, "VM %s: berth-vmm did not answer on `%s` within %d s; killed it%s%s",
		    s->name, a.sock, VM_START_MS / 1000, *tail ? ": " : "", tail);
died:
	log_tail(a.log, log_from, tail, sizeof(tail));
	return berr(err, 0, "VM %s: berth-vmm exited at start: %s", s->name,
		    *tail ? tail : "(nothing in vmm.log)");
}

/* Does process pid run as uid (VMM_API_ANY_UID: any)? Its real uid, which only root can
 * change: a jailed VMM can rewrite its command line, never its uid. */
static bool vm_uid_is(long pid, uid_t uid)
{
	char path[64], line[128];
	unsigned long real = 0;
	bool found = false;
	FILE *f;

	if (uid == VMM_API_ANY_UID)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "Uid: %lu", &real) == 1;
	if (f)
		fclose(f);
	return found && real == uid;
}

/* Is process pid a VMM of this server (its command line has --api-sock sock, and it runs as
 * the server's jail uid when it has one)? For a VMM whose socket does not answer. */
static bool vm_cmdline_is(long pid, const char *sock, uid_t uid)
{
	char path[64], cmdline[8192], *arg, *end;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!vm_uid_is(pid, uid))
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, cmdline, sizeof(cmdline) - 1)) <= 0)
		return false;
	cmdline[n] = '\0';
	end = cmdline + n;
	for (arg = cmdline; arg < end; arg += strlen(arg) + 1)
		if (strcmp(arg, "--api-sock") == 0 && arg + strlen(arg) + 1 < end)
			return strcmp(arg + strlen(arg) + 1, sock) == 0;
	return false;
}

/* The VMM of this server (--api-sock sock) found among all processes, or 0: one whose pid
 * berthd never recorded and whose socket does not answer yet (killed while the VMM was
 * still touching its RAM). */
static long vm_find(const char *sock, uid_t uid)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	long pid = 0, p;
	char *end;

	while (proc && !pid && (e = readdir(proc))) {
		p = strtol(e->d_name, &end, 10);
		if (p > 0 && !*end && vm_cmdline_is(p, sock, uid))
			pid = p;
	}
	if (proc)
		closedir(proc);
	return pid;
}

static bool vm_alive(const struct server *s, const struct driver_env *e)
{
	_cleanup_close_ int pidfd = proc_open(s->pid);
	struct berth_error err;
	char sock[PATH_MAX];

	(void)e;
	/* the socket is asked after the pidfd is taken, so an answer is about that process */
	if (pidfd < 0 || server_file(sock, s, "api.sock", &err) < 0)
		return false;
	if (vmm_api_pid_uid(sock, vm_uid(s), VM_API_MS) == s->pid)
		return true;
	/* a VMM busy in its event loop answers late: one longer try while it is certainly ours */
	return vm_cmdline_is(s->pid, sock, vm_uid(s)) &&
	       vmm_api_pid_uid(sock, vm_uid(s), VM_API_SLOW_MS) == s->pid;
}

/* Ask the VMM behind pidfd to go: the power button (unless force), then stop. True once it
 * has exited. */
static bool vm_ask_to_stop(const char *sock, uid_t uid, int pidfd, bool force, int timeout_s)
{
	struct berth_error ignored;
	json_t *reply = NULL;

	/* a guest with ACPI shuts down and the VMM exits 0 */
	if (!force && vmm_api_call_uid(sock, "shutdown", uid, VM_API_MS, &reply, &ignored) == 0) {
		json_decref(reply);
		if (proc_wait(pidfd, timeout_s * 1000))
			return true;
	}
	if (vmm_api_call_uid(sock, "stop", uid, VM_API_MS, &reply, &ignored) == 0) {
		json_decref(reply);
		if (proc_wait(pidfd, VM_KILL_MS))
			return true;
	}
	return false;
}

static int vm_stop(const struct server *s, const struct driver_env *e, bool force, int timeout_s,
		   struct berth_error *err)
{
	_cleanup_close_ int pidfd = -1;
	char sock[PATH_MAX];
	long pid;

	(void)e;
	if (server_file(sock, s, "api.sock", err) < 0)
		return -1;
	/* whatever answers on the server's own socket is its VMM, also one whose pid berthd
	 * never recorded (killed between the spawn and the database write) */
	pid = vmm_api_pid_uid(sock, vm_uid(s), VM_API_MS);
	if (pid > 0 && (pidfd = proc_open(pid)) >= 0 &&
	    vmm_api_pid_uid(sock, vm_uid(s), VM_API_MS) == pid) {
		if (vm_ask_to_stop(sock, vm_uid(s), pidfd, force, timeout_s))
			return 0;
	} else {
		/* no answer: a hung VMM is still killed, a recycled pid never, and one that has
		 * no socket yet is found by its command line */
		if (pidfd >= 0)
			close(pidfd);
		pid = vm_cmdline_is(s->pid, sock, vm_uid(s)) ? s->pid : vm_find(sock, vm_uid(s));
		pidfd = proc_open(pid);
		if (pidfd < 0 || !vm_cmdline_is(pid, sock, vm_uid(s)))
			return 0; /* nothing of it runs */
	}
	if (proc_signal(pidfd, SIGKILL) < 0 && errno != ESRCH)
		return berr(err, errno, "kill the VMM of %s (pid %ld)", s->name, pid);
	if (!proc_wait(pidfd, VM_KILL_MS))
		return berr(err, 0, "VM %s: its VMM (pid %ld) did not exit within %d s of SIGKILL",
			    s->name, pid, VM_KILL_MS / 1000);
	return 0;
}

static void vm_cleanup(const struct server *s, const struct driver_env *e)
{
	char sock[PATH_MAX];
	struct berth_error err;

	/* a VMM killed by SIGKILL leaves its socket; one that answers is not ours to remove */
	if (server_file(sock, s, "api.sock", &err) == 0 && vmm_api_pid(sock, VM_API_MS) == 0) {
		unlink(sock);
		if (e->net)
			net_detach(e->net, s); /* its tap, now that no VMM holds it */
		vm_cgroup_remove(s, e);
	}
	console_cleanup(s, e);
}

/* The disk image grows to the reservation; the guest grows its own file system. A running
 * VM's VMM is told to read the size again (disk-resize: disk.img is its disk 0), so the
 * guest sees it at once; told or not, the larger file is what the VM gets at its next start. */
static int vm_resize(const struct server *s, const struct driver_env *e, bool running,
		     struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX], sock[PATH_MAX];
	json_t *reply = NULL;
	struct stat st;

	(void)e;
	if (server_file(path, s, "disk.img", err) < 0)
		return -1;
	/* never through a link: a jailed VMM may write in the disk's directory */
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : berr(err, errno, "server %s: open %s", s->name, path);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < s->disk &&
	    ftruncate(fd, (off_t)s->disk))
		return berr(err, errno, "server %s: cannot grow %s", s->name, path);
	if (!running)
		return 0;
	if (server_file(sock, s, "api.sock", err) < 0 ||
	    vmm_api_call_uid(sock, "disk-resize", vm_uid(s), VM_API_MS, &reply, err) < 0)
		return berr_wrap(
		    err,
		    "its disk file grew to %llu bytes, but the running VM was not told "
		    "(it sees the new size at its next start)",
		    (unsigned long long)s->disk);
	json_decref(reply);
	return 0;
}

const struct driver_ops driver_vm = {
	.kind = "vm",
	.provision = vm_provision,
	.start = vm_start,
	.stop = vm_stop,
	.alive = vm_alive,
	.cleanup = vm_cleanup,
	.resize = vm_resize,
};
