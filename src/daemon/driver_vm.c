/* driver_vm.c - a VM server: one berth-vmm process, detached from berthd, driven through
 * its control socket (docs/api-sock.md).
 *
 * Files in s->dir: disk.img (the server's own copy of the image's disk), api.sock,
 * console.log (the serial console), vmm.log (the VMM's stdout and stderr). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/copy.h"
#include "daemon/driver.h"
#include "daemon/proc.h"
#include "daemon/server_files.h"
#include "daemon/spawn.h"
#include "daemon/vmm_api.h"

#define VM_START_MS 30000 /* until the control socket answers (RAM is touched first) */
#define VM_API_MS 2000	  /* one request on the control socket */
#define VM_KILL_MS 5000	  /* for the VMM to exit after stop or SIGKILL */
#define VM_ARGS_MAX 24

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

static int vm_provision(const struct server *s, const struct driver_env *e, progress_fn progress, void *ctx,
			struct berth_error *err)
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

/* Does this berth-vmm have --prealloc (RAM touched and locked before the guest runs)? */
static bool vmm_has_prealloc(const char *vmm, const char *log)
{
	char *const argv[] = {(char *)vmm, "--help", NULL};
	struct berth_error err;
	char help[8192];
	int status;

	return spawn_run(argv, log, help, sizeof(help), VM_API_MS, &status, &err) == 0 &&
	       strstr(help, "--prealloc") != NULL;
}

struct vm_args {
	char *argv[VM_ARGS_MAX];
	int argc;
	char kernel[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX], sock[PATH_MAX], log[PATH_MAX];
	char console[PATH_MAX + 8], cpus[16], mem[32];
};

static void add(struct vm_args *a, const char *arg)
{
	a->argv[a->argc++] = (char *)arg;
}

/* The berth-vmm command line of server s. */
static int vm_command(const struct server *s, const struct driver_env *e, struct vm_args *a,
		      struct berth_error *err)
{
	char console[PATH_MAX];

	if (image_file(a->kernel, s, "kernel", err) < 0 || image_file(a->initrd, s, "initrd", err) < 0 ||
	    server_file(a->disk, s, "disk.img", err) < 0 || server_file(a->sock, s, "api.sock", err) < 0 ||
	    server_file(a->log, s, "vmm.log", err) < 0 || server_file(console, s, "console.log", err) < 0)
		return -1;
	snprintf(a->console, sizeof(a->console), "file=%s", console);
	snprintf(a->cpus, sizeof(a->cpus), "%u", s->cpus);
	snprintf(a->mem, sizeof(a->mem), "%" PRIu64, s->memory);
	a->argc = 0;
	add(a, e->vmm_path);
	add(a, "--kernel");
	add(a, a->kernel);
	if (access(a->initrd, F_OK) == 0) {
		add(a, "--initrd");
		add(a, a->initrd);
	}
	if (access(a->disk, F_OK) == 0) {
		add(a, "--disk");
		add(a, a->disk);
	}
	add(a, "--cpus");
	add(a, a->cpus);
	add(a, "--mem");
	add(a, a->mem);
	add(a, "--console");
	add(a, a->console);
	add(a, "--api-sock");
	add(a, a->sock);
	if (vmm_has_prealloc(e->vmm_path, a->log))
		add(a, "--prealloc");
	a->argv[a->argc] = NULL;
	return 0;
}

static int vm_start(const struct server *s, const struct driver_env *e, long *pid, struct berth_error *err)
{
	_cleanup_close_ int pidfd = -1;
	char tail[400];
	struct vm_args a;
	long log_from, deadline = proc_now_ms() + VM_START_MS;

	if (vm_command(s, e, &a, err) < 0)
		return -1;
	log_from = log_size(a.log);
	if (spawn_detached(a.argv, a.log, pid, err) < 0)
		return berr_wrap(err, "start VM %s", s->name);
	pidfd = proc_open(*pid);
	if (pidfd < 0)
		goto died; /* it is gone already */
	while (proc_now_ms() < deadline) {
		if (vmm_api_pid(a.sock, VM_API_MS) == *pid)
			return 0;
		if (proc_wait(pidfd, 100))
			goto died;
	}
	proc_signal(pidfd, SIGKILL);
	proc_wait(pidfd, VM_KILL_MS);
	log_tail(a.log, log_from, tail, sizeof(tail));
	return berr(err, 0, "VM %s: berth-vmm did not answer on `%s` within %d s; killed it%s%s", s->name,
		    a.sock, VM_START_MS / 1000, *tail ? ": " : "", tail);
died:
	log_tail(a.log, log_from, tail, sizeof(tail));
	return berr(err, 0, "VM %s: berth-vmm exited at start: %s", s->name,
		    *tail ? tail : "(nothing in vmm.log)");
}

/* A pidfd for the server's VMM if it is running and is this server's (its socket reports
 * that pid), else -1. */
static int vm_open(const struct server *s)
{
	char sock[PATH_MAX];
	struct berth_error err;
	int pidfd = proc_open(s->pid);

	if (pidfd < 0)
		return -1;
	/* checked after the pidfd is taken, so the pidfd is certainly the VMM's */
	if (server_file(sock, s, "api.sock", &err) < 0 || vmm_api_pid(sock, VM_API_MS) != s->pid) {
		close(pidfd);
		return -1;
	}
	return pidfd;
}

static bool vm_alive(const struct server *s, const struct driver_env *e)
{
	int pidfd = vm_open(s);

	(void)e;
	if (pidfd < 0)
		return false;
	close(pidfd);
	return true;
}

static int vm_stop(const struct server *s, const struct driver_env *e, bool force, int timeout_s,
		   struct berth_error *err)
{
	_cleanup_close_ int pidfd = vm_open(s);
	struct berth_error ignored;
	json_t *reply = NULL;
	char sock[PATH_MAX];

	(void)e;
	if (pidfd < 0)
		return 0; /* not running: stopped already */
	if (server_file(sock, s, "api.sock", err) < 0)
		return -1;
	/* the power button: a guest with ACPI shuts down and the VMM exits 0 */
	if (!force && vmm_api_call(sock, "shutdown", VM_API_MS, &reply, &ignored) == 0) {
		json_decref(reply);
		if (proc_wait(pidfd, timeout_s * 1000))
			return 0;
	}
	if (vmm_api_call(sock, "stop", VM_API_MS, &reply, &ignored) == 0) {
		json_decref(reply);
		if (proc_wait(pidfd, VM_KILL_MS))
			return 0;
	}
	if (proc_signal(pidfd, SIGKILL) < 0 && errno != ESRCH)
		return berr(err, errno, "kill the VMM of %s (pid %ld)", s->name, s->pid);
	if (!proc_wait(pidfd, VM_KILL_MS))
		return berr(err, 0, "VM %s: its VMM (pid %ld) did not exit within %d s of SIGKILL", s->name,
			    s->pid, VM_KILL_MS / 1000);
	return 0;
}

static void vm_cleanup(const struct server *s, const struct driver_env *e)
{
	char sock[PATH_MAX];
	struct berth_error err;

	(void)e;
	/* a VMM killed by SIGKILL leaves its socket; one that answers is not ours to remove */
	if (server_file(sock, s, "api.sock", &err) == 0 && vmm_api_pid(sock, VM_API_MS) == 0)
		unlink(sock);
}

const struct driver_ops driver_vm = {
    .kind = "vm",
    .provision = vm_provision,
    .start = vm_start,
    .stop = vm_stop,
    .alive = vm_alive,
    .cleanup = vm_cleanup,
};
