/* driver_ct.c - a container server: an OCI bundle run by berth-ct, whose state lives under
 * STATE_DIR/run (berth-ct --root) and outlives berthd.
 *
 * Files in s->dir: disk.ext4 (the server's own disk, a copy of the image's tree in it;
 * ct_rootfs.c), rootfs/ (where that disk is mounted while it runs), bundle/config.json,
 * ct.log (berth-ct's and the console keeper's messages), console.log (what the container
 * prints on its terminal, capped: server_console.h). The container's terminal is a pty whose
 * master a berth-console keeper holds; `berth console` attaches to it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "daemon/servers/bundle.h"
#include "daemon/servers/ct_rootfs.h"
#include "daemon/servers/driver.h"
#include "daemon/net/net.h"
#include "daemon/servers/proc.h"
#include "daemon/servers/server_console.h"
#include "daemon/servers/server_files.h"
#include "daemon/servers/spawn.h"

#define CT_CMD_MS    30000 /* one berth-ct command */
#define CT_KILL_MS   5000  /* for init to exit after SIGKILL */
#define CT_STATE_MAX 8192

/* A container with a range reaches its rootfs as "others" of every directory above s->dir:
 * refuse, naming the directory, when one of them does not let others search it (a state
 * directory under a 0700 home or mktemp -d), instead of berth-ct failing at pivot_root. */
static int reachable_by_range(const struct server *s, struct berth_error *err)
{
	char up[PATH_MAX], *slash;
	struct stat st;

	if (!s->idmap)
		return 0;
	snprintf(up, sizeof(up), "%s", s->dir);
	while ((slash = strrchr(up, '/')) != NULL) {
		slash[slash == up] = '\0'; /* "/x" -> "/" */
		if (stat(up, &st) < 0)
			return berr(err, errno, "container %s: `%s`", s->name, up);
		if (!(st.st_mode & S_IXOTH))
			return berr(
			    err, EACCES,
			    "container %s: `%s` (mode %04o) does not let other users pass, "
			    "so the container's own ids cannot reach its files: give it "
			    "o+x, or berthd a state directory that all users may pass through",
			    s->name, up, (unsigned)(st.st_mode & 07777));
		if (slash == up)
			break;
	}
	return 0;
}

/* s->dir (mode 0700, root's) is for root alone; a container with a range must pass through
 * it to its rootfs/ before it pivots there: its group becomes the range's root group, with
 * search permission alone (0710), so no other host user may, and the container's root,
 * not its owner, cannot change it. */
static int dir_for_range(const struct server *s, struct berth_error *err)
{
	if (!s->idmap)
		return 0;
	if (reachable_by_range(s, err) < 0)
		return -1;
	if (chown(s->dir, 0, s->idmap) < 0 || chmod(s->dir, 0710) < 0)
		return berr(err, errno, "cannot give `%s` to group %u", s->dir, s->idmap);
	return 0;
}

static int ct_provision(const struct server *s, const struct driver_env *e, progress_fn progress,
			void *ctx, struct berth_error *err)
{
	if (mkdir(s->dir, 0700) < 0 && errno != EEXIST)
		return berr(err, errno, "create `%s`", s->dir);
	if (dir_for_range(s, err) < 0 ||
	    ct_rootfs_provision(s, e->idmap_shift, progress, ctx, err) < 0)
		return berr_wrap(err, "provision container %s", s->name);
	return 0;
}

/* Run `berth-ct --root STATE_DIR/run CMD [OPTION] NAME [ARG]`; stdout into out when given.
 * A failure carries what berth-ct said (from ct.log). `create` gets --log instead: its
 * stdout and stderr become the container's. */
static int ct_run(const struct server *s, const struct driver_env *e, const char *cmd,
		  const char *option, const char *arg, char *out, size_t out_size,
		  struct berth_error *err)
{
	char root[PATH_MAX], log[PATH_MAX], bundle[PATH_MAX], tail[400];
	bool create = strcmp(cmd, "create") == 0;
	char *argv[12];
	int argc = 0, status, n;
	long log_from;

	n = snprintf(root, sizeof(root), "%s/run", e->state_dir);
	if (n < 0 || n >= (int)sizeof(root))
		return berr(err, ENAMETOOLONG, "`%s/run`", e->state_dir);
	if (server_file(log, s, "ct.log", err) < 0 || server_file(bundle, s, "bundle", err) < 0)
		return -1;
	if (access(s->dir, F_OK) < 0) /* its files are gone, its container may still run */
		snprintf(log, sizeof(log), "/dev/null");
	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return berr(err, errno, "create `%s`", root);
	argv[argc++] = (char *)e->ct_path;
	argv[argc++] = "--root";
	argv[argc++] = root;
	if (create) {
		argv[argc++] = "--log";
		argv[argc++] = log;
	}
	argv[argc++] = (char *)cmd;
	if (create) {
		argv[argc++] = "--bundle";
		argv[argc++] = bundle;
	}
	if (option)
		argv[argc++] = (char *)option;
	argv[argc++] = (char *)s->name;
	if (arg)
		argv[argc++] = (char *)arg;
	argv[argc] = NULL;
	log_from = log_size(log);
	if (spawn_run(argv, create ? "/dev/null" : log, out, out_size, CT_CMD_MS, &status, err) < 0)
		return berr_wrap(err, "container %s", s->name);
	if (status == 0)
		return 0;
	log_tail(log, log_from, tail, sizeof(tail));
	return berr(err, 0, "container %s: berth-ct %s failed: %s", s->name, cmd,
		    *tail ? tail : "(nothing in ct.log)");
}

/* berth-ct's view of the container: 1 with *status ("created", "running", "paused",
 * "stopped") and *pid, 0 when berth-ct has no such container. */
static int ct_state(const struct server *s, const struct driver_env *e, char *status,
		    size_t status_size, long *pid)
{
	char out[CT_STATE_MAX], dir[PATH_MAX];
	struct berth_error err;
	json_t *st, *v;
	int found = 0;

	/* berth-ct keeps a container's state in ROOT/ID: without it, there is nothing to ask
	 * (and no "does not exist" to write into ct.log at every start) */
	snprintf(dir, sizeof(dir), "%s/run/%s", e->state_dir, s->name);
	if (access(dir, F_OK) < 0 || ct_run(s, e, "state", NULL, NULL, out, sizeof(out), &err) < 0)
		return 0;
	st = json_loads(out, 0, NULL);
	v = json_object_get(st, "status");
	if (json_is_string(v) && json_is_integer(json_object_get(st, "pid"))) {
		snprintf(status, status_size, "%s", json_string_value(v));
		*pid = (long)json_integer_value(json_object_get(st, "pid"));
		found = 1;
	}
	json_decref(st);
	return found;
}

/* Is the container up with the init s->pid? (A paused one is up.) */
static bool ct_is_up(const char *status, long pid, const struct server *s)
{
	return (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0) && pid == s->pid;
}

/* Give the created container its network (net.h), in its namespace before its init runs. */
static int ct_net(const struct server *s, const struct driver_env *e, struct berth_error *err)
{
	char status[32];
	long pid;

	if (!e->net)
		return 0;
	if (!ct_state(s, e, status, sizeof(status), &pid))
		return berr(err, 0, "container %s: berth-ct does not know it after create",
			    s->name);
	return net_ct_attach(e->net, s, (pid_t)pid, err);
}

/* berth-ct create with the container's terminal going to a new console keeper. */
static int ct_create(const struct server *s, const struct driver_env *e, struct berth_error *err)
{
	char rt[PATH_MAX], option[PATH_MAX + 32];
	_cleanup_close_ int keeper_fd = -1;
	long keeper;
	int rc;

	if (console_keeper_start(s, e, rt, &keeper, err) < 0)
		return -1;
	keeper_fd = proc_open(keeper);
	snprintf(option, sizeof(option), "--console-socket=%s", rt);
	rc = ct_run(s, e, "create", option, NULL, NULL, 0, err);
	unlink(rt); /* the keeper has the terminal, or waits for nothing */
	if (rc < 0 && keeper_fd >= 0)
		proc_signal(keeper_fd, SIGKILL);
	return rc;
}

static int ct_start(const struct server *s, const struct driver_env *e, long *pid,
		    struct berth_error *err)
{
	struct berth_error ignored;
	char status[32];
	long old;

	if (ct_state(s, e, status, sizeof(status), &old)) {
		if (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0)
			return berr(err, EEXIST, "container %s is already running (pid %ld)",
				    s->name, old);
		if (ct_run(s, e, "delete", NULL, NULL, NULL, 0, err) < 0) /* a stopped leftover */
			return -1;
	}
	/* its disk, then this start's resources and paths (the init is read from the disk) */
	if (reachable_by_range(s, err) < 0)
		return -1;
	if (ct_rootfs_mount(s, e->idmap_shift, err) < 0 || bundle_write(s, err) < 0) {
		berr_wrap(err, "start container %s", s->name);
		goto unmount;
	}
	if (ct_create(s, e, err) < 0)
		goto unmount;
	if (ct_net(s, e, err) < 0 || ct_run(s, e, "start", NULL, NULL, NULL, 0, err) < 0)
		goto undo;
	if (!ct_state(s, e, status, sizeof(status), pid) || strcmp(status, "running") != 0) {
		berr(err, 0, "container %s stopped as soon as it started; see `%s/ct.log`", s->name,
		     s->dir);
		goto undo;
	}
	return 0;
undo:
	ct_run(s, e, "delete", "--force", NULL, NULL, 0, &ignored);
unmount:
	ct_rootfs_unmount(s, &ignored);
	return -1;
}

static bool ct_alive(const struct server *s, const struct driver_env *e)
{
	char status[32];
	long pid;

	return s->pid > 0 && ct_state(s, e, status, sizeof(status), &pid) &&
	       ct_is_up(status, pid, s);
}

static int ct_stop(const struct server *s, const struct driver_env *e, bool force, int timeout_s,
		   struct berth_error *err)
{
	_cleanup_close_ int pidfd = proc_open(s->pid);
	char status[32], rootfs[PATH_MAX];
	long pid;

	if (server_file(rootfs, s, "rootfs", err) < 0)
		return -1;
	/* the pidfd is taken before the check, so it is certainly the container's init */
	if (pidfd >= 0 && ct_state(s, e, status, sizeof(status), &pid) &&
	    ct_is_up(status, pid, s)) {
		/* the init's own shutdown signal (busybox: SIGTERM, a reboot that ends the
		 * container) */
		if (!force &&
		    ct_run(s, e, "kill", NULL, bundle_stop_signal(rootfs), NULL, 0, err) == 0 &&
		    proc_wait(pidfd, timeout_s * 1000))
			goto stopped;
		if (proc_signal(pidfd, SIGKILL) < 0 && errno != ESRCH)
			return berr(err, errno, "kill container %s (pid %ld)", s->name, s->pid);
		if (!proc_wait(pidfd, CT_KILL_MS))
			return berr(err, 0,
				    "container %s: init (pid %ld) still there %d s after SIGKILL",
				    s->name, s->pid, CT_KILL_MS / 1000);
	}
stopped:
	/* also a container whose init berthd never recorded: delete --force kills it */
	if (ct_state(s, e, status, sizeof(status), &pid))
		return ct_run(s, e, "delete", "--force", NULL, NULL, 0, err);
	return 0;
}

static void ct_cleanup(const struct server *s, const struct driver_env *e)
{
	struct berth_error err;
	char status[32];
	long pid;

	/* a running one is not a leftover: its disk stays mounted, its veth stays, and
	 * berth-ct's plain delete refuses it */
	if (ct_state(s, e, status, sizeof(status), &pid)) {
		if (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0)
			return;
		ct_run(s, e, "delete", NULL, NULL, NULL, 0, &err);
	}
	/* its veth goes with its network namespace; one made before a failed start may not */
	if (e->net)
		net_detach(e->net, s);
	if (ct_rootfs_unmount(s, &err) < 0)
		fprintf(stderr, "berthd: container %s: %s\n", s->name, err.msg);
	console_cleanup(s, e);
}

/* Mounted or not, the disk grows: ct_disk_grow() tells which by its loop device. */
static int ct_resize(const struct server *s, const struct driver_env *e, bool running,
		     struct berth_error *err)
{
	(void)e;
	(void)running;
	return ct_rootfs_grow(s, err);
}

const struct driver_ops driver_ct = {
	.kind = "ct",
	.provision = ct_provision,
	.start = ct_start,
	.stop = ct_stop,
	.alive = ct_alive,
	.cleanup = ct_cleanup,
	.resize = ct_resize,
};
