/* cgroup_v1.c - cgroup v1: one directory per mounted hierarchy under /sys/fs/cgroup
 * (memory, cpu, pids, ...), each named by the same path. Used on v1 and hybrid hosts. */
#include "ct/cgroup.h"

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
	char dir[V1_MAX][PATH_MAX / 4]; /* the container's directory in it */
};

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
		if (snprintf(v->dir[v->n], sizeof(v->dir[0]), "%s%s", path, cg->path) >=
		    (int)sizeof(v->dir[0]))
			continue;
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

/* The container's directory in the hierarchy holding controller, or NULL. */
static const char *v1_dir(struct cgroup *cg, const char *controller)
{
	struct v1 *v = cg->priv;
	size_t i, len = strlen(controller);

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

/* Write value to controller's file; the controller must be mounted. */
static int v1_set(struct cgroup *cg, const char *controller, const char *file, const char *value,
		  struct berth_error *err)
{
	const char *dir = v1_dir(cg, controller);

	if (!dir)
		return berr(err, 0, "cgroup v1 controller `%s` is not mounted (for %s)", controller,
			    file);
	return cgroup_write(dir, file, value, err);
}

static int v1_set_int(struct cgroup *cg, const char *controller, const char *file, int64_t value,
		      struct berth_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return v1_set(cg, controller, file, buf, err);
}

/* Kernels since 6.1 keep memory.kmem.limit_in_bytes but ignore what is written: the
 * value read back says whether the limit holds. */
static int v1_kmem(struct cgroup *cg, int64_t limit, struct berth_error *err)
{
	int64_t page = sysconf(_SC_PAGESIZE);
	char buf[32];

	if (v1_set_int(cg, "memory", "memory.kmem.limit_in_bytes", limit, err) < 0)
		return berr_wrap(err, "linux.resources.memory.kernel");
	if (limit < 0)
		return 0;
	if (cgroup_read(v1_dir(cg, "memory"), "memory.kmem.limit_in_bytes", buf, sizeof(buf)) < 0 ||
	    strtoll(buf, NULL, 10) != limit / page * page)
		return refuse(err, EOPNOTSUPP,
			      "linux.resources.memory.kernel: this kernel does not apply "
			      "memory.kmem.limit_in_bytes (it reads back %s)",
			      buf);
	return 0;
}

static int v1_memory(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	if (r->mem_limit != CT_UNSET &&
	    v1_set_int(cg, "memory", "memory.limit_in_bytes", r->mem_limit, err) < 0)
		return -1;
	if (r->mem_reservation != CT_UNSET &&
	    v1_set_int(cg, "memory", "memory.soft_limit_in_bytes", r->mem_reservation, err) < 0)
		return -1;
	if (r->mem_swap != CT_UNSET &&
	    v1_set_int(cg, "memory", "memory.memsw.limit_in_bytes", r->mem_swap, err) < 0)
		return berr_wrap(err, "linux.resources.memory.swap (is swap accounting on?)");
	if (r->mem_kernel != CT_UNSET && v1_kmem(cg, r->mem_kernel, err) < 0)
		return -1;
	if (r->mem_swappiness != CT_UNSET &&
	    v1_set_int(cg, "memory", "memory.swappiness", r->mem_swappiness, err) < 0)
		return berr_wrap(err, "linux.resources.memory.swappiness");
	if (r->mem_disable_oom_killer && v1_set(cg, "memory", "memory.oom_control", "1", err) < 0)
		return berr_wrap(err, "linux.resources.memory.disableOOMKiller");
	return 0;
}

static int v1_cpu(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	if (r->cpu_shares != CT_UNSET &&
	    v1_set_int(cg, "cpu", "cpu.shares", r->cpu_shares, err) < 0)
		return -1;
	if (r->cpu_period != CT_UNSET &&
	    v1_set_int(cg, "cpu", "cpu.cfs_period_us", r->cpu_period, err) < 0)
		return -1;
	if (r->cpu_quota != CT_UNSET &&
	    v1_set_int(cg, "cpu", "cpu.cfs_quota_us", r->cpu_quota, err) < 0)
		return -1;
	if (r->cpus && r->cpus[0] && v1_set(cg, "cpuset", "cpuset.cpus", r->cpus, err) < 0)
		return -1;
	if (r->mems && r->mems[0] && v1_set(cg, "cpuset", "cpuset.mems", r->mems, err) < 0)
		return -1;
	return 0;
}

static int v1_blkio(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	static const char *const files[CT_THR_KINDS] = { "blkio.throttle.read_bps_device",
							 "blkio.throttle.write_bps_device",
							 "blkio.throttle.read_iops_device",
							 "blkio.throttle.write_iops_device" };
	char buf[64];
	size_t i;
	int k;

	if (r->blkio_weight != CT_UNSET) {
		/* BFQ's file first, as runc does: the legacy blkio.weight was CFQ's */
		static const char *const weights[] = { "blkio.bfq.weight", "blkio.weight", NULL };
		const char *file = cgroup_first_file(v1_dir(cg, "blkio"), weights);

		if (!file)
			return cgroup_no_weight("blkio.bfq.weight or blkio.weight", err);
		if (v1_set_int(cg, "blkio", file, r->blkio_weight, err) < 0)
			return -1;
	}
	for (k = 0; k < CT_THR_KINDS; k++)
		for (i = 0; i < r->n_throttles[k]; i++) {
			const struct ct_throttle *t = &r->throttles[k][i];

			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, t->major,
				 t->minor, t->rate);
			if (v1_set(cg, "blkio", files[k], buf, err) < 0)
				return -1;
		}
	return 0;
}

static int v1_devrule(struct cgroup *cg, const struct ct_devrule *d, struct berth_error *err)
{
	char buf[64], maj[16], min[16];

	snprintf(maj, sizeof(maj), d->major < 0 ? "*" : "%" PRId64, d->major);
	snprintf(min, sizeof(min), d->minor < 0 ? "*" : "%" PRId64, d->minor);
	snprintf(buf, sizeof(buf), "%c %s:%s %s", d->type, maj, min, d->access);
	return v1_set(cg, "devices", d->allow ? "devices.allow" : "devices.deny", buf, err);
}

/* Device rules: deny everything, then the effective rules in order. */
static int v1_devices(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	_cleanup_free_ struct ct_devrule *rules = NULL;
	int n, i;

	if (!v1_dir(cg, "devices"))
		return 0;
	n = cgroup_device_rules(c, &rules, err);
	if (n < 0 || v1_set(cg, "devices", "devices.deny", "a", err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (v1_devrule(cg, &rules[i], err) < 0)
			return -1;
	return 0;
}

static int v1_apply(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	const struct ct_resources *r = &c->resources;

	if (r->n_unified)
		return berr(err, 0,
			    "config.json: linux.resources.unified: needs cgroup v2, and this "
			    "host keeps its controllers in v1 (use the other linux.resources)");
	if (!v1_get(cg, err))
		return -1;
	if (v1_memory(cg, r, err) < 0 || v1_cpu(cg, r, err) < 0 || v1_blkio(cg, r, err) < 0 ||
	    v1_devices(cg, c, err) < 0)
		return -1;
	if (r->pids_limit != CT_UNSET) {
		if (r->pids_limit <= 0)
			return v1_set(cg, "pids", "pids.max", "max", err);
		return v1_set_int(cg, "pids", "pids.max", r->pids_limit, err);
	}
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
	struct berth_error err;
	char buf[32];

	if (!v1_get(cg, &err) || !v1_dir(cg, "freezer"))
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

		if (v1_set(cg, "freezer", "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0)
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
		if (rmdir(v->dir[i]) < 0 && errno != ENOENT)
			return berr(err, errno, "rmdir `%s`", v->dir[i]);
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

const struct cgroup_ops cgroup_v1_ops = {
	.name = "v1",
	.create = v1_create,
	.apply = v1_apply,
	.clone_fd = v1_clone_fd,
	.enter = v1_enter,
	.freeze = v1_freeze,
	.frozen = v1_frozen,
	.procs_dir = v1_procs_dir,
	.destroy = v1_destroy,
	.mounts = v1_mounts,
};
