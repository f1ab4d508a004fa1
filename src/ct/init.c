/* init.c - the container side of create: it waits for the parent to map ids and join
 * the cgroup, builds the root filesystem, reports READY, blocks on exec.fifo until
 * `start`, then becomes process.args; its end of exec.fifo closes at that execve. */
#include "ct/init.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/console.h"
#include "ct/devices.h"
#include "ct/hooks.h"
#include "ct/mounts.h"
#include "ct/namespaces.h"
#include "ct/process.h"
#include "ct/rootfs.h"
#include "ct/rootless.h"
#include "ct/sync.h"

/* Whatever berth-ct ignored or blocked must not leak into the container. */
static void reset_signals(void)
{
	sigset_t all;
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static int set_names(const struct ct_config *c, struct berth_error *err)
{
	if (c->hostname && c->hostname[0] && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return berr(err, errno, "hostname: sethostname `%s`", c->hostname);
	if (c->domainname && c->domainname[0] &&
	    setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return berr(err, errno, "domainname: setdomainname `%s`", c->domainname);
	return 0;
}

/* Wait for one message of the expected type from the parent. */
static int expect(int fd, enum sync_type want, char **payload, struct berth_error *err)
{
	enum sync_type type;

	if (sync_recv(fd, &type, payload, err) < 0)
		return -1;
	if (type != want)
		return berr(err, 0, "unexpected message %d from berth-ct", type);
	return 0;
}

/* Everything up to READY; errors go back to the parent. The root is populated while
 * the parent moves us into the cgroup, and finished (hooks, pivot_root) after GO. */
static int setup(const struct init_args *a, char **state_json, char *path, size_t len,
		 struct berth_error *err)
{
	const struct ct_config *c = a->c;
	_cleanup_free_ char *none = NULL;
	_cleanup_close_ int rootfd = -1;
	int late = ns_late_flags(c);

	if (expect(a->sync_fd, SYNC_MAPPED, &none, err) < 0)
		return -1;
	if (ns_join_paths(c, err) < 0)
		return -1;
	if (config_namespace(c, CLONE_NEWUSER) &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return berr(err, errno, "become root in the user namespace (is 0 mapped?)");
	if ((late & ~CLONE_NEWCGROUP) && unshare(late & ~CLONE_NEWCGROUP) < 0)
		return berr(err, errno, "unshare namespaces");
	if (set_names(c, err) < 0)
		return -1;
	/* in a mount namespace joined by path too, as runc does: the root is built and
	 * pivoted to there (root.path and mount sources are that namespace's paths) */
	rootfd = rootfs_prepare(c, err);
	if (rootfd < 0 || mounts_apply(c, rootfd, a->bundle, a->cg, err) < 0 ||
	    /* mknod needs the host's root: in a user namespace (ours or rootless podman's,
	       which the container shares), the host's nodes are bound instead */
	    devices_create(c, rootfd, config_namespace(c, CLONE_NEWUSER) || rootless(), err) < 0)
		return -1;
	if (expect(a->sync_fd, SYNC_GO, state_json, err) < 0)
		return -1;
	/* a cgroup namespace is rooted where we are now: in the container's cgroup */
	if ((late & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return berr(err, errno, "unshare cgroup namespace");
	if (hooks_run(c, CT_HOOK_CREATE_CONTAINER, *state_json, err) < 0)
		return -1;
	if (rootfs_pivot(c, err) < 0 || rootfs_finish(c, err) < 0)
		return -1;
	if (a->console_fd >= 0 && console_setup(a->console_fd, err) < 0)
		return -1;
	return process_find(&c->process, path, len, err);
}

void init_main(const struct init_args *a)
{
	_cleanup_free_ char *state_json = NULL;
	struct berth_error err;
	char path[PATH_MAX], b;
	ssize_t n;

	reset_signals();
	if (setup(a, &state_json, path, sizeof(path), &err) < 0)
		sync_fail(a->sync_fd, &err);
	if (a->console_fd >= 0)
		close(a->console_fd);
	if (sync_send(a->sync_fd, SYNC_READY, NULL, 0, &err) < 0)
		_exit(1);
	close(a->sync_fd);
	do
		n = read(a->fifo_fd, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);
	/* fifo_fd stays open (close-on-exec): `start` waits until execve closes it, and
	 * reads why when we fail instead */
	if (hooks_run(a->c, CT_HOOK_START_CONTAINER, state_json, &err) == 0)
		process_exec(&a->c->process, path, a->c->seccomp, a->preserve_fds, &err);
	fprintf(stderr, "berth-ct: %s\n", err.msg);
	n = write(a->fifo_fd, err.msg, strlen(err.msg));
	_exit(127);
}
