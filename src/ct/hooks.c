/* hooks.c - fork, feed the state JSON on stdin, wait with a timeout (via a pidfd). */
#include "ct/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/log.h"

static const char *const kind_names[CT_HOOK_KINDS] = { "prestart",	  "createRuntime",
						       "createContainer", "startContainer",
						       "poststart",	  "poststop" };

static void hook_child(const struct ct_hook *h, int in)
{
	char *argv0[] = { h->path, NULL };

	if (dup2(in, 0) < 0)
		_exit(127);
	execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : argv0 + 1);
	_exit(127);
}

/* Write the state; a hook that does not read it must not block or kill us. */
static void feed(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len) {
		n = write(fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static int run_one(const struct ct_hook *h, const char *kind, const char *state_json,
		   struct berth_error *err)
{
	_cleanup_close_ int pidfd = -1;
	int pipefd[2], status;
	struct pollfd pfd;
	pid_t pid;
	int rc;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berr(err, errno, "pipe for %s hook", kind);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return berr(err, errno, "fork %s hook `%s`", kind, h->path);
	}
	if (pid == 0)
		hook_child(h, pipefd[0]);
	close(pipefd[0]);
	signal(SIGPIPE, SIG_IGN);
	feed(pipefd[1], state_json);
	close(pipefd[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	do
		rc = pidfd < 0 ? 1 : poll(&pfd, 1, h->timeout ? h->timeout * 1000 : -1);
	while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return berr(err, 0, "%s hook `%s` timed out after %d s", kind, h->path, h->timeout);
	}
	if (waitpid(pid, &status, 0) < 0)
		return berr(err, errno, "wait for %s hook `%s`", kind, h->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return berr(err, 0, "%s hook `%s` killed by signal %d", kind, h->path,
			    WTERMSIG(status));
	return berr(err, 0, "%s hook `%s` exited with status %d", kind, h->path,
		    WEXITSTATUS(status));
}

/* The spec: a poststart or poststop hook that fails is a warning, and the rest run. */
static bool fatal(enum ct_hook_kind kind)
{
	return kind != CT_HOOK_POSTSTART && kind != CT_HOOK_POSTSTOP;
}

int hooks_run(const struct ct_config *c, enum ct_hook_kind kind, const char *state_json,
	      struct berth_error *err)
{
	size_t i;

	for (i = 0; i < c->n_hooks[kind]; i++) {
		if (run_one(&c->hooks[kind][i], kind_names[kind], state_json, err) == 0)
			continue;
		if (fatal(kind))
			return -1;
		log_msg("warning", err->msg);
	}
	return 0;
}
