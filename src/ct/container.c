/* container.c - create, start, kill, delete, pause and run: the runtime (parent)
 * side of the container lifecycle. The container side of create is init.c. */
#include "ct/container.h"

#include <errno.h>
#include <linux/sched.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/caps.h"
#include "ct/cgroup.h"
#include "ct/config.h"
#include "ct/console.h"
#include "ct/hooks.h"
#include "ct/init.h"
#include "ct/log.h"
#include "ct/namespaces.h"
#include "ct/rootfs.h"
#include "ct/state.h"
#include "ct/sysctl.h"
#include "ct/sync.h"

/* What the parent holds while a container is being created. */
struct creation {
	const struct container_opts *o;
	struct ct_config *c;
	struct cgroup *cg;
	struct ct_state st;
	pid_t pid;
	bool in_cgroup; /* cloned straight into its (v2) cgroup */
	int sync_fd;
};

int container_write_pid_file(const char *path, pid_t pid, struct berth_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		return berr(err, ENOMEM, "pid file");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return berr(err, errno, "write pid file `%s`", tmp);
	if (rename(tmp, path) < 0)
		return berr(err, errno, "rename pid file to `%s`", path);
	return 0;
}

static int write_oom_score_adj(pid_t pid, int64_t v, struct berth_error *err)
{
	char path[64], buf[16];
	_cleanup_close_ int fd = -1;
	int n = snprintf(buf, sizeof(buf), "%d", (int)v);

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return berr(err, errno, "process.oomScoreAdj: write %s", path);
	return 0;
}

/* Parent side of set-up, after clone: ids, cgroup, hooks, GO, then wait for READY.
 * Joining a v1 cgroup waits out an RCU grace period (cgroup_threadgroup_rwsem), so
 * the child builds its root filesystem meanwhile: MAPPED lets it start, GO lets it
 * finish once it is in its cgroup. */
static int parent_setup(struct creation *cr, struct berth_error *err)
{
	const struct ct_config *c = cr->c;
	const struct ct_namespace *user = config_namespace(c, CLONE_NEWUSER);
	_cleanup_free_ char *json = NULL, *reply = NULL;
	enum sync_type type;

	if (user && !user->path && ns_write_idmaps(cr->pid, c, err) < 0)
		return -1;
	/* limits are complete before the child can be in the cgroup: v1 device rules are
	 * written one by one, and the child makes device nodes while we join it */
	if ((c->has_resources && cgroup_apply(cr->cg, c, err) < 0) ||
	    cgroup_delegate(cr->cg, c, err) < 0)
		return berr_wrap(err, "cgroup %s `%s`", cr->cg->ops->name, cr->cg->path);
	if (sync_send(cr->sync_fd, SYNC_MAPPED, NULL, 0, err) < 0)
		return -1;
	if (!cr->in_cgroup && cr->cg->ops->enter(cr->cg, cr->pid, err) < 0)
		return berr_wrap(err, "cgroup %s `%s`", cr->cg->ops->name, cr->cg->path);
	if (c->process.oom_score_adj != CT_UNSET &&
	    write_oom_score_adj(cr->pid, c->process.oom_score_adj, err) < 0)
		return -1;
	cr->st.pid = cr->pid;
	cr->st.start_time = state_proc_start_time(cr->pid);
	json = state_json(&cr->st, "creating", false);
	if (!json)
		return berr(err, ENOMEM, "state");
	if (hooks_run(c, CT_HOOK_PRESTART, json, err) < 0 ||
	    hooks_run(c, CT_HOOK_CREATE_RUNTIME, json, err) < 0)
		return -1;
	/* a child that failed stays until we read its report (sync_fail) */
	if (sync_send(cr->sync_fd, SYNC_GO, json, strlen(json), err) < 0 ||
	    sync_recv(cr->sync_fd, &type, &reply, err) < 0)
		return -1;
	if (type == SYNC_ERROR)
		return berr(err, 0, "%s", reply);
	if (type != SYNC_READY)
		return berr(err, 0, "unexpected message %d from the container", type);
	if (state_save(cr->o->root, &cr->st, err) < 0)
		return -1;
	if (cr->o->pid_file && container_write_pid_file(cr->o->pid_file, cr->pid, err) < 0)
		return -1;
	return 0;
}

/* clone() the container process, straight into its cgroup with clone3 where the
 * cgroup version allows (v2), which skips the slow migration; 0 in the child. */
static pid_t clone_container(struct creation *cr)
{
	_cleanup_close_ int cgfd = cr->cg->ops->clone_fd(cr->cg);
	uint64_t flags = (uint64_t)ns_clone_flags(cr->c);
	struct clone_args args = { .flags = flags | CLONE_INTO_CGROUP,
				   .exit_signal = SIGCHLD,
				   .cgroup = (uint64_t)cgfd };
	pid_t pid;

	if (cgfd >= 0) {
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			cr->in_cgroup = true;
			return pid;
		}
	}
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* Clone the container process and drive its set-up; on failure nothing is left. */
static int spawn(struct creation *cr, struct berth_error *err)
{
	_cleanup_free_ char *fifo = state_path(cr->o->root, cr->o->id, "exec.fifo");
	_cleanup_close_ int fifo_fd = -1, console_fd = -1;
	struct berth_error ignored;
	struct ns_saved saved;
	int sv[2], rc;

	if (!fifo)
		return berr(err, ENOMEM, "exec.fifo");
	if (mkfifo(fifo, 0600) < 0)
		return berr(err, errno, "mkfifo `%s`", fifo);
	fifo_fd = open(fifo, O_RDWR | O_CLOEXEC);
	if (fifo_fd < 0)
		return berr(err, errno, "open `%s`", fifo);
	if (cr->c->process.terminal) {
		if (!cr->o->console_socket)
			return berr(err, 0, "process.terminal needs --console-socket");
		console_fd = console_connect(cr->o->console_socket, err);
		if (console_fd < 0)
			return -1;
	}
	if (cr->cg->ops->create(cr->cg, err) < 0) {
		cgroup_kill_and_destroy(cr->cg, &ignored);
		return berr_wrap(err, "cgroup %s `%s`", cr->cg->ops->name, cr->cg->path);
	}
	if (sync_pair(sv, err) < 0) {
		cgroup_kill_and_destroy(cr->cg, &ignored);
		return -1;
	}
	if (ns_parent_enter(cr->c, &saved, err) < 0) {
		ns_parent_restore(&saved);
		close(sv[0]);
		close(sv[1]);
		cgroup_kill_and_destroy(cr->cg, &ignored);
		return -1;
	}
	cr->pid = clone_container(cr);
	if (cr->pid == 0) {
		struct init_args a = { cr->c,	   cr->o->bundle,      cr->cg, sv[1], fifo_fd,
				       console_fd, cr->o->preserve_fds };

		close(sv[0]);
		init_main(&a);
	}
	rc = cr->pid < 0 ? berr(err, errno, "clone the container process") : 0;
	ns_parent_restore(&saved);
	close(sv[1]);
	cr->sync_fd = sv[0];
	if (rc == 0 && parent_setup(cr, err) < 0) {
		kill(cr->pid, SIGKILL);
		waitpid(cr->pid, NULL, 0);
		rc = -1;
	}
	if (rc < 0)
		cgroup_kill_and_destroy(cr->cg, &ignored);
	close(sv[0]);
	return rc;
}

/* Read and parse BUNDLE/config.json; *raw keeps the bytes parsed. */
static int load_bundle_config(const char *bundle, struct ct_config **c, char **raw, size_t *len,
			      struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/config.json", bundle) < 0) {
		path = NULL;
		return berr(err, ENOMEM, "config.json");
	}
	if (config_read_file(path, raw, len, err) < 0)
		return -1;
	return config_parse(*raw, *len, bundle, c, err);
}

/* Everything from the state directory on; on failure the directory is removed. */
static int create_in_state_dir(struct creation *cr, const char *raw, size_t len,
			       struct berth_error *err)
{
	const struct container_opts *o = cr->o;
	_cleanup_free_ char *owner = NULL;
	char created[64];

	if (state_create_dir(o->root, o->id, err) < 0)
		return -1;
	owner = state_owner(o->root, o->id);
	state_now(created, sizeof(created));
	cr->st.created = created;
	cr->st.owner = owner;
	if (!owner) {
		state_remove_dir(o->root, o->id);
		return berr(err, ENOMEM, "state of `%s`", o->id);
	}
	/* start, delete and exec read this copy: the bundle may change or go after create */
	if (state_save_config(o->root, o->id, raw, len, err) < 0 || spawn(cr, err) < 0) {
		state_remove_dir(o->root, o->id);
		return -1;
	}
	return 0;
}

int container_create(const struct container_opts *o, pid_t *pid, struct berth_error *err)
{
	_cleanup_config_ struct ct_config *c = NULL;
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	_cleanup_free_ char *cgpath = NULL, *raw = NULL;
	char bundle[PATH_MAX];
	struct creation cr = { .o = o };
	size_t len = 0;

	if (state_check_id(o->id, err) < 0)
		return -1;
	if (!realpath(o->bundle ? o->bundle : ".", bundle))
		return berr(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
	if (load_bundle_config(bundle, &c, &raw, &len, err) < 0 || ns_check(c, err) < 0 ||
	    sysctl_check(c, err) < 0 || rootfs_check(c, err) < 0 ||
	    caps_check_host(&c->process, err) < 0)
		return -1;
	cgpath = cgroup_resolve_path(c->cgroups_path, o->id);
	if (!cgpath || cgroup_open(cgpath, &cg, err) < 0)
		return berr(err, ENOMEM, "cgroup path");
	cr.c = c;
	cr.cg = cg;
	cr.st = (struct ct_state){ .id = (char *)o->id,
				   .bundle = bundle,
				   .rootfs = c->root_path,
				   .cgroup_path = cgpath,
				   .annotations = c->annotations };
	if (create_in_state_dir(&cr, raw, len, err) < 0)
		return -1;
	*pid = cr.pid;
	return 0;
}

/* Load a container's state and its status. */
static int load(const char *root, const char *id, struct ct_state **st, const char **status,
		struct berth_error *err)
{
	if (state_load(root, id, st, err) < 0)
		return -1;
	*status = state_status(root, *st);
	return 0;
}

/* Wait until the container process has called execve or died: our reader of exec.fifo
 * hangs up once the process's end (close-on-exec, the last writer) is closed. What it
 * left in the fifo says why it died: its error, or our "0" when it never read it. */
static int wait_exec(int fd, const char *id, struct berth_error *err)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };
	char buf[1024];
	ssize_t n;
	int rc;

	do
		rc = poll(&pfd, 1, -1);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return berr(err, errno, "start container `%s`: wait for its execve", id);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!strcmp(buf, "0"))
		return berr(err, 0, "start container `%s`: its process exited before start", id);
	return berr(err, 0, "start container `%s`: %s", id, buf);
}

int container_start(const char *root, const char *id, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_free_ char *fifo = NULL, *json = NULL;
	_cleanup_config_ struct ct_config *c = NULL;
	_cleanup_close_ int rfd = -1, wfd = -1;
	const char *status;

	if (load(root, id, &st, &status, err) < 0)
		return -1;
	if (strcmp(status, "created"))
		return berr(err, 0, "cannot start container `%s`: it is %s", id, status);
	if (state_load_config(root, st, &c, err) < 0)
		return -1;
	fifo = state_path(root, id, "exec.fifo");
	if (!fifo)
		return berr(err, ENOMEM, "exec.fifo");
	/* the reader first, so that it sees our writer come and (with the process's) go */
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd >= 0)
		wfd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (wfd < 0)
		return berr(err, errno, "start container `%s`: open exec.fifo", id);
	if (write(wfd, "0", 1) != 1)
		return berr(err, errno, "start container `%s`", id);
	close(wfd);
	wfd = -1;
	unlink(fifo);
	/* as runc: a signal sent once start returns reaches the program, not berth-ct's
	 * set-up (a pid namespace's init drops signals it has no handler for), and
	 * poststart hooks run after its execve */
	if (wait_exec(rfd, id, err) < 0)
		return -1;
	json = state_json(st, "running", false);
	if (!json)
		return berr(err, ENOMEM, "state of `%s`", id);
	hooks_run(c, CT_HOOK_POSTSTART, json, err);
	return 0;
}

int container_kill(const char *root, const char *id, int sig, bool all, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_close_ int pidfd = -1;
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, i;

	if (state_load(root, id, &st, err) < 0)
		return -1;
	pidfd = state_pidfd(st);
	if (pidfd < 0)
		return berr(err, 0, "container `%s` is not running", id);
	if (all && cgroup_open(st->cgroup_path, &cg, err) == 0 &&
	    cgroup_read_pids(cg->ops->procs_dir(cg), &pids, &n, err) == 0)
		for (i = 0; i < n; i++)
			kill(pids[i], sig);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		return berr(err, errno, "signal %d to container `%s`", sig, id);
	return 0;
}

/* SIGKILL the container's process and wait (bounded) until it has exited. */
static int kill_and_wait(const struct ct_state *st, struct cgroup *cg, struct berth_error *err)
{
	_cleanup_close_ int pidfd = state_pidfd(st);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	struct berth_error ignored;

	if (pidfd < 0)
		return 0;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (cg->ops->frozen(cg))
		cg->ops->freeze(cg, false, &ignored);
	if (poll(&pfd, 1, 10000) <= 0)
		return berr(err, 0, "container `%s` did not die on SIGKILL", st->id);
	return 0;
}

int container_delete(const char *root, const char *id, bool force, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	_cleanup_config_ struct ct_config *c = NULL;
	_cleanup_free_ char *json = NULL;
	const char *status;

	if (load(root, id, &st, &status, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		/* a create that died before state.json leaves a bare directory (runc removes
		 * it too); --force does not complain about a container that is not there */
		state_remove_dir(root, id);
		return force ? 0 : -1;
	}
	if (!force && strcmp(status, "stopped") && strcmp(status, "created"))
		return berr(err, 0,
			    "cannot delete container `%s` that is not stopped: %s (use --force)",
			    id, status);
	if (cgroup_open(st->cgroup_path, &cg, err) < 0 || kill_and_wait(st, cg, err) < 0)
		return -1;
	if (cgroup_kill_and_destroy(cg, err) < 0)
		return -1;
	/* the container is gone: poststop hooks that cannot run are only a warning */
	json = state_json(st, "stopped", false);
	if (!json)
		berr(err, ENOMEM, "poststop hooks of `%s`", id);
	if (!json || state_load_config(root, st, &c, err) < 0)
		log_msg("warning", err->msg);
	else
		hooks_run(c, CT_HOOK_POSTSTOP, json, err);
	state_remove_dir(root, id);
	return 0;
}

int container_pause(const char *root, const char *id, bool pause, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	const char *status;

	if (load(root, id, &st, &status, err) < 0)
		return -1;
	if (strcmp(status, pause ? "running" : "paused"))
		return berr(err, 0, "cannot %s container `%s`: it is %s",
			    pause ? "pause" : "resume", id, status);
	if (cgroup_open(st->cgroup_path, &cg, err) < 0)
		return -1;
	return cg->ops->freeze(cg, pause, err);
}

int container_ps(const char *root, const char *id, bool json, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, i;

	if (state_load(root, id, &st, err) < 0 || cgroup_open(st->cgroup_path, &cg, err) < 0 ||
	    cgroup_read_pids(cg->ops->procs_dir(cg), &pids, &n, err) < 0)
		return -1;
	if (json) {
		printf("[");
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	printf("PID\tCMD\n");
	for (i = 0; i < n; i++) {
		char path[64], cmd[256] = "";
		_cleanup_fclose_ FILE *f = NULL;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
		f = fopen(path, "re");
		if (f && fgets(cmd, sizeof(cmd), f))
			cmd[strcspn(cmd, "\n")] = '\0';
		printf("%d\t%s\n", (int)pids[i], cmd);
	}
	return 0;
}

static pid_t run_pid;

static void forward_signal(int sig)
{
	if (run_pid > 0)
		kill(run_pid, sig);
}

int container_run(const struct container_opts *o, bool detach, int *status, struct berth_error *err)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_handler = forward_signal };
	struct berth_error ignored;
	size_t i;
	pid_t pid;
	int ws;

	if (container_create(o, &pid, err) < 0)
		return -1;
	if (container_start(o->root, o->id, err) < 0) {
		container_delete(o->root, o->id, true, &ignored);
		return -1;
	}
	*status = 0;
	if (detach)
		return 0;
	run_pid = pid;
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaction(forwarded[i], &sa, NULL);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return berr(err, errno, "wait for container `%s`", o->id);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return container_delete(o->root, o->id, true, err);
}

int container_state(const char *root, const char *id, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_free_ char *json = NULL;
	const char *status;

	if (load(root, id, &st, &status, err) < 0)
		return -1;
	json = state_json(st, status, true);
	if (!json)
		return berr(err, ENOMEM, "state");
	printf("%s\n", json);
	return 0;
}
