/* namespaces.c - the container's namespaces: which to create at clone, which to join
 * by path, the parent-side pid/time tricks, and user namespace id maps. */
#include "ct/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/names.h"

/* The order to join namespaces in: user first, so the rest are joined as its root. */
static const int join_order[] = { CLONE_NEWUSER,   CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET,
				  CLONE_NEWCGROUP, CLONE_NEWNS,	 CLONE_NEWPID, CLONE_NEWTIME };

static int new_flags(const struct ct_config *c)
{
	int flags = 0;
	size_t i;

	for (i = 0; i < c->n_namespaces; i++)
		if (!c->namespaces[i].path)
			flags |= c->namespaces[i].type;
	return flags;
}

bool ns_joined(const struct ct_config *c, int type)
{
	const struct ct_namespace *ns = config_namespace(c, type);

	return ns && ns->path;
}

int ns_clone_flags(const struct ct_config *c)
{
	/* cgroup: unshared by the child once it is in its cgroup; time: by the parent. */
	int flags = new_flags(c) & ~(CLONE_NEWCGROUP | CLONE_NEWTIME);

	return ns_joined(c, CLONE_NEWUSER) ? flags & CLONE_NEWPID : flags;
}

int ns_late_flags(const struct ct_config *c)
{
	int flags = new_flags(c) & ~(CLONE_NEWTIME | CLONE_NEWPID);

	return ns_joined(c, CLONE_NEWUSER) ? flags : flags & CLONE_NEWCGROUP;
}

int ns_check(const struct ct_config *c, struct berth_error *err)
{
	if (ns_joined(c, CLONE_NEWUSER) && (new_flags(c) & CLONE_NEWPID))
		return berr(err, 0,
			    "config.json: linux.namespaces: a new pid namespace "
			    "inside a user namespace joined by path is not supported");
	return 0;
}

static int open_ns(const char *path, struct berth_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		berr(err, errno, "open namespace `%s`", path);
	return fd;
}

static int join(const char *path, int type, struct berth_error *err)
{
	_cleanup_close_ int fd = open_ns(path, err);

	if (fd < 0)
		return -1;
	if (setns(fd, type) < 0)
		return berr(err, errno, "join %s namespace `%s`", names_namespace_name(type), path);
	return 0;
}

int ns_parent_enter(const struct ct_config *c, struct ns_saved *saved, struct berth_error *err)
{
	const struct ct_namespace *pid = config_namespace(c, CLONE_NEWPID);
	const struct ct_namespace *time = config_namespace(c, CLONE_NEWTIME);
	_cleanup_close_ int off = -1;
	char buf[128];
	int n;

	saved->pid_fd = saved->time_fd = -1;
	if (pid && pid->path) {
		saved->pid_fd = open_ns("/proc/self/ns/pid", err);
		if (saved->pid_fd < 0 || join(pid->path, CLONE_NEWPID, err) < 0)
			return -1;
	}
	if (!time)
		return 0;
	saved->time_fd = open_ns("/proc/self/ns/time", err);
	if (saved->time_fd < 0)
		return -1;
	if (time->path)
		return join(time->path, CLONE_NEWTIME, err);
	if (unshare(CLONE_NEWTIME) < 0)
		return berr(err, errno, "unshare time namespace");
	n = snprintf(buf, sizeof(buf), "monotonic %" PRId64 " %u\nboottime %" PRId64 " %u\n",
		     c->time_offsets[0].secs, c->time_offsets[0].nanosecs, c->time_offsets[1].secs,
		     c->time_offsets[1].nanosecs);
	off = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (off < 0 || write(off, buf, (size_t)n) != n)
		return berr(err, errno, "write /proc/self/timens_offsets");
	return 0;
}

void ns_parent_restore(struct ns_saved *saved)
{
	if (saved->pid_fd >= 0) {
		setns(saved->pid_fd, CLONE_NEWPID);
		close(saved->pid_fd);
	}
	if (saved->time_fd >= 0) {
		setns(saved->time_fd, CLONE_NEWTIME);
		close(saved->time_fd);
	}
	saved->pid_fd = saved->time_fd = -1;
}

static int write_map(pid_t pid, const char *file, const struct ct_idmap *m, size_t n,
		     struct berth_error *err)
{
	char path[64], buf[340 * 36];
	size_t len = 0, i;
	_cleanup_close_ int fd = -1;

	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
					m[i].container_id, m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		return berr(err, errno, "write %s of the container", file);
	return 0;
}

int ns_write_idmaps(pid_t pid, const struct ct_config *c, struct berth_error *err)
{
	if (write_map(pid, "uid_map", c->uid_mappings, c->n_uid_mappings, err) < 0)
		return -1;
	return write_map(pid, "gid_map", c->gid_mappings, c->n_gid_mappings, err);
}

int ns_join_paths(const struct ct_config *c, struct berth_error *err)
{
	size_t i, k;

	for (k = 0; k < sizeof(join_order) / sizeof(join_order[0]); k++) {
		int type = join_order[k];

		if (type == CLONE_NEWPID || type == CLONE_NEWTIME)
			continue;
		for (i = 0; i < c->n_namespaces; i++)
			if (c->namespaces[i].type == type && c->namespaces[i].path &&
			    join(c->namespaces[i].path, type, err) < 0)
				return -1;
	}
	return 0;
}

int ns_join_process(pid_t pid, bool for_children, struct berth_error *err)
{
	enum { N = sizeof(join_order) / sizeof(join_order[0]) };
	int fds[N];
	size_t k;
	int rc = 0;

	/* Open them all first: joining the mount namespace changes what /proc is. */
	for (k = 0; k < N; k++) {
		char mine[64], theirs[64];
		struct stat a, b;
		const char *file = names_namespace_file(join_order[k]);
		bool child_kind = join_order[k] == CLONE_NEWPID || join_order[k] == CLONE_NEWTIME;

		fds[k] = -1;
		if (child_kind != for_children)
			continue;
		snprintf(mine, sizeof(mine), "/proc/self/ns/%s", file);
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, file);
		if (stat(theirs, &b) < 0 || (stat(mine, &a) == 0 && a.st_ino == b.st_ino))
			continue;
		fds[k] = open_ns(theirs, err);
		if (fds[k] < 0)
			rc = -1;
	}
	for (k = 0; k < N; k++) {
		if (fds[k] < 0)
			continue;
		if (rc == 0 && setns(fds[k], join_order[k]) < 0)
			rc = berr(err, errno, "join %s namespace of pid %d",
				  names_namespace_name(join_order[k]), (int)pid);
		close(fds[k]);
	}
	return rc;
}
