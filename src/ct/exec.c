/* exec.c - join a running container and execve in it. The parent moves into the
 * container's pid (and time) namespace for its children only, forks, puts the child in
 * the cgroup, and learns of a failed execve through a close-on-exec pipe. */
#include "ct/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/cgroup.h"
#include "ct/config.h"
#include "ct/caps.h"
#include "ct/console.h"
#include "ct/container.h"
#include "ct/namespaces.h"
#include "ct/process.h"
#include "ct/state.h"

/* Build the process: from --process, or the config's with the command-line args. */
static int exec_process(const struct exec_opts *o, const struct ct_config *c, struct ct_process *p,
			struct berth_error *err)
{
	size_t n = 0, k = 0, i;
	char **env;

	if (o->process_file) {
		if ((o->env && o->env[0]) || o->cwd || o->user)
			return berr(err, 0,
				    "exec: --env, --cwd and --user go with a command, "
				    "not with --process");
		return config_load_process(o->process_file, p, err);
	}
	if (!o->args || !o->args[0])
		return berr(err, 0, "exec: a command or --process is needed");
	*p = c->process;
	p->args = o->args;
	p->terminal = o->tty;
	if (o->cwd)
		p->cwd = (char *)o->cwd;
	if (o->user) {
		char *end;
		unsigned long uid = strtoul(o->user, &end, 10), gid = 0;

		if (*end == ':')
			gid = strtoul(end + 1, &end, 10);
		if (*end || uid >= UINT32_MAX || gid >= UINT32_MAX)
			return berr(err, 0, "exec --user `%s`: expected UID[:GID]", o->user);
		p->user.uid = (uid_t)uid;
		p->user.gid = (gid_t)gid;
	}
	while (p->env && p->env[n])
		n++;
	while (o->env && o->env[k])
		k++;
	if (!k)
		return 0;
	/* the additions are borrowed; only the vector is new (freed with the process) */
	env = calloc(n + k + 1, sizeof(char *));
	if (!env)
		return berr(err, ENOMEM, "exec --env");
	for (i = 0; i < n; i++)
		env[i] = p->env[i];
	for (i = 0; i < k; i++)
		env[n + i] = o->env[i];
	p->env = env;
	return 0;
}

/* The forked child: join, wait for the cgroup, exec. Errors go up the pipe. */
__attribute__((noreturn)) static void exec_child(const struct exec_opts *o, pid_t target,
						 const struct ct_process *p,
						 const struct ct_seccomp *s, int go, int report,
						 int console)
{
	struct berth_error err = { 0, "" }; /* no release (EOF on go): the parent knows why */
	char path[PATH_MAX], b;

	if (ns_join_process(target, false, &err) == 0 && read(go, &b, 1) == 1 &&
	    (console < 0 || console_setup(console, &err) == 0) &&
	    process_find(p, path, sizeof(path), &err) == 0)
		process_exec(p, path, s, o->preserve_fds, &err);
	if (write(report, err.msg, strlen(err.msg)) < 0)
		_exit(126);
	_exit(127);
}

static int spawn(const struct exec_opts *o, const struct ct_state *st, const struct ct_config *c,
		 const struct ct_process *p, pid_t *pid, struct berth_error *err)
{
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	_cleanup_close_ int console = -1;
	struct ns_saved saved = { -1, -1 };
	int go[2], report[2];
	char msg[sizeof(err->msg)];
	ssize_t n;

	if (cgroup_open(st->cgroup_path, &cg, err) < 0)
		return -1;
	if (p->terminal) {
		if (!o->console_socket)
			return berr(err, 0, "exec --tty needs --console-socket");
		console = console_connect(o->console_socket, err);
		if (console < 0)
			return -1;
	}
	saved.pid_fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	saved.time_fd = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	if (ns_join_process(st->pid, true, err) < 0) {
		ns_parent_restore(&saved);
		return -1;
	}
	if (pipe2(go, O_CLOEXEC) < 0)
		return berr(err, errno, "pipe");
	if (pipe2(report, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return berr(err, errno, "pipe");
	}
	*pid = fork();
	if (*pid == 0) {
		/* the parent's ends: a release that never comes must read as EOF here */
		close(go[1]);
		close(report[0]);
		exec_child(o, st->pid, p, c->seccomp, go[0], report[1], console);
	}
	ns_parent_restore(&saved);
	close(go[0]);
	close(report[1]);
	if (*pid < 0 || cgroup_enter_exec(cg, st->pid, *pid, err) < 0) {
		close(go[1]);
		close(report[0]);
		if (*pid < 0)
			return berr(err, errno, "fork");
		waitpid(*pid, NULL, 0);
		return -1;
	}
	n = write(go[1], "g", 1);
	close(go[1]);
	if (n == 1)
		n = read(report[0], msg, sizeof(msg) - 1);
	else
		n = snprintf(msg, sizeof(msg), "exec: the child died before it was released");
	close(report[0]);
	if (n > 0) {
		msg[n] = '\0';
		waitpid(*pid, NULL, 0);
		return berr(err, 0, "%s", msg);
	}
	return 0;
}

int exec_run(const struct exec_opts *o, int *status, struct berth_error *err)
{
	_cleanup_state_ struct ct_state *st = NULL;
	_cleanup_config_ struct ct_config *c = NULL;
	struct ct_process p;
	const char *s;
	pid_t pid;
	int ws, rc;

	if (state_load(o->root, o->id, &st, err) < 0)
		return -1;
	s = state_status(o->root, st);
	if (strcmp(s, "running") && strcmp(s, "created"))
		return berr(err, 0, "cannot exec in container `%s`: it is %s", o->id, s);
	if (state_load_config(o->root, st, &c, err) < 0)
		return -1;
	if (exec_process(o, c, &p, err) < 0)
		return -1;
	rc = caps_check_host(&p, err);
	if (rc == 0)
		rc = spawn(o, st, c, &p, &pid, err);
	if (o->process_file)
		config_free_process(&p);
	else if (o->env && o->env[0])
		free(p.env); /* the vector only: its strings are borrowed */
	if (rc < 0)
		return -1;
	if (o->pid_file && container_write_pid_file(o->pid_file, pid, err) < 0)
		return -1;
	*status = 0;
	if (o->detach)
		return 0;
	signal(SIGINT, SIG_IGN);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return berr(err, errno, "wait for exec'd process");
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}
