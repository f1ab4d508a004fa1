/* cgroup_none.c - the cgroup of a container that has none: a rootless berth-ct (in
 * rootless podman's user namespace) that may not write the host's cgroups goes on without
 * one, as crun does, and says so. Its processes stay in the caller's cgroup; there is
 * nothing to enter, freeze, limit or remove. Named by the empty path. */
#include "common/cgroup.h"

#include <errno.h>

static int none_ok(struct cgroup *cg, struct berth_error *err)
{
	(void)cg;
	(void)err;
	return 0;
}

static int none_clone_fd(struct cgroup *cg)
{
	(void)cg;
	return -1;
}

static int none_enter(struct cgroup *cg, pid_t pid, struct berth_error *err)
{
	(void)pid;
	return none_ok(cg, err);
}

static int none_freeze(struct cgroup *cg, bool frozen, struct berth_error *err)
{
	(void)cg;
	return berr(err, ENOTSUP, "cannot %s: the container has no cgroup (rootless)",
		    frozen ? "freeze" : "thaw");
}

static bool none_frozen(struct cgroup *cg)
{
	(void)cg;
	return false;
}

/* a directory that is not there: reading its cgroup.procs fails with ENOENT */
static const char *none_procs_dir(struct cgroup *cg)
{
	(void)cg;
	return CGROUP_MOUNT "/nonexistent";
}

static const char *none_dir(struct cgroup *cg, const char *controller)
{
	(void)cg;
	(void)controller;
	return NULL;
}

static size_t none_mounts(struct cgroup *cg, const char **subdirs, const char **dirs, size_t max)
{
	(void)cg;
	(void)subdirs;
	(void)dirs;
	(void)max;
	return 0;
}

static int none_limit(struct cgroup *cg, int64_t a, int64_t b, struct berth_error *err)
{
	(void)cg;
	(void)a;
	(void)b;
	return berr(err, ENOTSUP, "cannot set a limit: the container has no cgroup (rootless)");
}

static int none_memory_max(struct cgroup *cg, int64_t bytes, struct berth_error *err)
{
	return none_limit(cg, bytes, 0, err);
}

const struct cgroup_ops cgroup_none_ops = {
	.name = "none",
	.create = none_ok,
	.clone_fd = none_clone_fd,
	.enter = none_enter,
	.freeze = none_freeze,
	.frozen = none_frozen,
	.procs_dir = none_procs_dir,
	.dir = none_dir,
	.destroy = none_ok,
	.mounts = none_mounts,
	.cpu_max = none_limit,
	.memory_max = none_memory_max,
};
