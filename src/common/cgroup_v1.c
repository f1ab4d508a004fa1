/* cgroup_v1.c - cgroup v1: one directory per mounted hierarchy under /sys/fs/cgroup
 * (memory, cpu, pids, ...), each named by the same path. Used on v1 and hybrid hosts. */
#include "common/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

#define V1_MAX 16

struct v1 {
	size_t n;
	char name[V1_MAX][64];		/* hierarchy directory name: "memory", "cpu,cpuacct" */
	char dir[V1_MAX][PATH_MAX / 4]; /* the cgroup's directory in it */
};

/* This process's cgroup in the hierarchy named name ("cpu,cpuacct", or "systemd" for a named
 * one), malloc'd; "/" when /proc/self/cgroup does not list it. */
static char *v1_self(const char *name)
{
	char first[64], named[80];
	char *p;

	snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, ","), name);
	p = cgroup_self_path(first);
	if (!p) {
		snprintf(named, sizeof(named), "name=%s", first);
		p = cgroup_self_path(named);
	}
	return p ? p : strdup("/");
}

/* The cgroup's directory in hierarchy directory hier (named v->name[v->n]) into
 * v->dir[v->n]; false when too long. */
static bool v1_place(struct cgroup *cg, struct v1 *v, const char *hier)
{
	_cleanup_free_ char *self = cg->below_self ? v1_self(v->name[v->n]) : NULL;
	const char *prefix = self && strcmp(self, "/") ? self : "";

	if (cg->below_self && !self)
		return false;
	return snprintf(v->dir[v->n], sizeof(v->dir[0]), "%s%s%s", hier, prefix, cg->path) <
	       (int)sizeof(v->dir[0]);
}

/* Find the mounted v1 hierarchies once per handle. */
static struct v1 *v1_get(struct cgroup *cg, struct berth_error *err)
{
	_cleanup_free_ struct v1 *v = NULL;
	DIR *d;
	struct dirent *e;

	if (cg->priv)
		return cg->priv;
	v = calloc(1, sizeof(*v));
	if (!v) {
		berr(err, ENOMEM, "cgroup v1");
		return NULL;
	}
	d = opendir(CGROUP_MOUNT);
	if (!d) {
		berr(err, errno, "open `%s`", CGROUP_MOUNT);
		return NULL;
	}
	while ((e = readdir(d)) && v->n < V1_MAX) {
		char path[PATH_MAX / 4];
		struct statfs sf;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || strlen(e->d_name) >= 64)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CGROUP_MOUNT, e->d_name);
		if (statfs(path, &sf) < 0 || sf.f_type != CGROUP_SUPER_MAGIC)
			continue;
		strcpy(v->name[v->n], e->d_name);
		if (v1_place(cg, v, path))
			v->n++;
	}
	closedir(d);
	if (!v->n) {
		berr(err, 0, "no cgroup v1 hierarchy mounted under %s", CGROUP_MOUNT);
		return NULL;
	}
	cg->priv = steal_ptr(&v);
	return cg->priv;
}

/* The cgroup's directory in the hierarchy holding controller, or NULL. */
static const char *v1_dir(struct cgroup *cg, const char *controller)
{
	struct berth_error err;
	struct v1 *v = v1_get(cg, &err);
	size_t i, len;

	if (!controller)
		return cg->ops->procs_dir(cg);
	len = strlen(controller);
	for (i = 0; v && i < v->n; i++) {
		const char *p = v->name[i];

		while (p) {
			if (!strncmp(p, controller, len) && (p[len] == ',' || !p[len]))
				return v->dir[i];
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
	}
	return NULL;
}

/* cpuset refuses tasks until cpus and mems are set: copy them down from the parent. */
static int v1_cpuset_inherit(const char *dir, struct berth_error *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[PATH_MAX / 4], buf[256];
	size_t i;

	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	for (i = 0; i < 2; i++) {
		if (cgroup_read(dir, files[i], buf, sizeof(buf)) == 0 && buf[0])
			continue;
		if (strcmp(parent, CGROUP_MOUNT "/cpuset") && v1_cpuset_inherit(parent, err) < 0)
			return -1;
		if (cgroup_read(parent, files[i], buf, sizeof(buf)) < 0)
			return berr(err, errno, "read `%s/%s`", parent, files[i]);
		if (cgroup_write(dir, files[i], buf, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_create(struct cgroup *cg, struct berth_error *err)
{
	struct v1 *v = v1_get(cg, err);
	size_t i;

	if (!v)
		return -1;
	for (i = 0; i < v->n; i++)
		if (cgroup_mkdir_p(v->dir[i], err) < 0)
			return -1;
	if (v1_dir(cg, "cpuset"))
		return v1_cpuset_inherit(v1_dir(cg, "cpuset"), err);
	return 0;
}

/* A process cannot be cloned into several v1 hierarchies at once. */
static int v1_clone_fd(struct cgroup *cg)
{
	(void)cg;
	return -1;
}

static int v1_enter(struct cgroup *cg, pid_t pid, struct berth_error *err)
{
	struct v1 *v = v1_get(cg, err);
	char buf[16];
	size_t i;

	if (!v)
		return -1;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (i = 0; i < v->n; i++)
		if (cgroup_write(v->dir[i], "cgroup.procs", buf, err) < 0)
			return -1;
	return 0;
}

static bool v1_frozen(struct cgroup *cg)
{
	char buf[32];

	if (!v1_dir(cg, "freezer"))
		return false;
	return cgroup_read(v1_dir(cg, "freezer"), "freezer.state", buf, sizeof(buf)) == 0 &&
	       strcmp(buf, "THAWED");
}

static int v1_freeze(struct cgroup *cg, bool frozen, struct berth_error *err)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (!v1_get(cg, err))
		return -1;
	for (i = 0; i < 5000; i++) {
		char buf[32];

		if (cgroup_set(cg, "freezer", "freezer.state", frozen ? "FROZEN" : "THAWED", err) <
		    0)
			return -1;
		if (cgroup_read(v1_dir(cg, "freezer"), "freezer.state", buf, sizeof(buf)) == 0 &&
		    !strcmp(buf, frozen ? "FROZEN" : "THAWED"))
			return 0;
		nanosleep(&ts, NULL);
	}
	return berr(err, 0, "cgroup `%s` does not %s", cg->path, frozen ? "freeze" : "thaw");
}

static const char *v1_procs_dir(struct cgroup *cg)
{
	struct berth_error err;
	struct v1 *v = v1_get(cg, &err);
	const char *d;

	if (!v)
		return CGROUP_MOUNT "/nonexistent";
	d = v1_dir(cg, "pids");
	return d ? d : v->dir[0];
}

static int v1_destroy(struct cgroup *cg, struct berth_error *err)
{
	struct v1 *v = v1_get(cg, err);
	size_t i;

	if (!v)
		return -1;
	for (i = 0; i < v->n; i++)
		if (cgroup_rmdir_tree(v->dir[i], err) < 0)
			return -1;
	return 0;
}

static size_t v1_mounts(struct cgroup *cg, const char **subdirs, const char **dirs, size_t max)
{
	struct berth_error err;
	struct v1 *v = v1_get(cg, &err);
	size_t i;

	for (i = 0; v && i < v->n && i < max; i++) {
		subdirs[i] = v->name[i];
		dirs[i] = v->dir[i];
	}
	return i;
}

/* The period first, as runc writes them: the quota is checked against it. */
static int v1_cpu_max(struct cgroup *cg, int64_t quota, int64_t period, struct berth_error *err)
{
	if (cgroup_set_int(cg, "cpu", "cpu.cfs_period_us", period, false, err) < 0)
		return -1;
	return cgroup_set_int(cg, "cpu", "cpu.cfs_quota_us", quota > 0 ? quota : -1, false, err);
}

static int v1_memory_max(struct cgroup *cg, int64_t bytes, struct berth_error *err)
{
	return cgroup_set_int(cg, "memory", "memory.limit_in_bytes", bytes < 0 ? -1 : bytes, false,
			      err);
}

const struct cgroup_ops cgroup_v1_ops = {
	.name = "v1",
	.create = v1_create,
	.clone_fd = v1_clone_fd,
	.enter = v1_enter,
	.freeze = v1_freeze,
	.frozen = v1_frozen,
	.procs_dir = v1_procs_dir,
	.dir = v1_dir,
	.destroy = v1_destroy,
	.mounts = v1_mounts,
	.cpu_max = v1_cpu_max,
	.memory_max = v1_memory_max,
};
