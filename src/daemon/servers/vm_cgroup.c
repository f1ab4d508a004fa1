/* vm_cgroup.c - each VMM's cgroup (vm_cgroup.h), through the cgroup code berth-ct uses
 * (common/cgroup.h), on v1 and v2 alike.
 *
 * Where: below berthd's own cgroup, in BASE/NAME with BASE = berth-vm-HASH (HASH of the
 * state directory, so two berthds on one host never share a VM's cgroup). On v1, below
 * berthd's cgroup in each hierarchy. On v2 a cgroup that holds processes cannot give its
 * children controllers, so berthd, when its own cgroup is not the root, moves itself into
 * the leaf `berthd` below it first; a berthd started in such a leaf (systemd's
 * DelegateSubgroup=berthd) takes the leaf's parent as its own. */
#include "daemon/servers/vm_cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/cleanup.h"
#include "common/cpulist.h"

#define LEAF "berthd"

static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER;
static char base_path[4096]; /* v2: absolute in the hierarchy; v1: below berthd's own */

uint64_t vm_memory_charged(uint64_t memory)
{
	return memory + VM_OVERHEAD_FIXED + memory / VM_OVERHEAD_RAM_DIV;
}

/* FNV-1a: a short stable name from the state directory. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* v2: berthd's own cgroup, moving berthd into its leaf when the cgroup holds processes (it
 * could not enable controllers for its children otherwise). malloc'd. */
static char *v2_own(struct berth_error *err)
{
	_cleanup_free_ char *self = cgroup_self_path(NULL);
	char dir[4096], leaf[4200], procs[64];
	size_t len;

	if (!self)
		return berr(err, 0, "cannot read berthd's cgroup from /proc/self/cgroup"), NULL;
	len = strlen(self);
	if (!strcmp(self, "/"))
		return strdup("");
	if (len > strlen("/" LEAF) && !strcmp(self + len - strlen("/" LEAF), "/" LEAF)) {
		self[len - strlen("/" LEAF)] = '\0';
		return steal_ptr(&self);
	}
	snprintf(dir, sizeof(dir), "%s%s", CGROUP_MOUNT, self);
	snprintf(leaf, sizeof(leaf), "%s/" LEAF, dir);
	snprintf(procs, sizeof(procs), "%d", (int)getpid());
	if (cgroup_mkdir_p(leaf, err) < 0 || cgroup_write(leaf, "cgroup.procs", procs, err) < 0)
		return berr_wrap(err, "move berthd into a leaf of its cgroup `%s`", self), NULL;
	fprintf(stderr, "berthd: moved into cgroup %s/" LEAF " (its VMs' cgroups go beside it)\n",
		self);
	return steal_ptr(&self);
}

/* BASE (see above), found once. */
static const char *base(const struct driver_env *e, struct berth_error *err)
{
	_cleanup_free_ char *own = NULL;
	const char *ret = base_path;

	pthread_mutex_lock(&base_lock);
	if (!base_path[0]) {
		/* v1: "", as each hierarchy puts the handle below berthd's own cgroup there */
		if (cgroup_host_ops() == &cgroup_v2_ops)
			own = v2_own(err);
		else
			own = strdup("");
		if (!own)
			ret = NULL;
		else
			snprintf(base_path, sizeof(base_path), "%s/berth-vm-%08" PRIx32, own,
				 name_hash(e->state_dir));
	}
	pthread_mutex_unlock(&base_lock);
	return ret;
}

/* A handle on BASE/name (name "" : BASE itself). */
static int open_vm(const struct driver_env *e, const char *name, struct cgroup **cg,
		   struct berth_error *err)
{
	const char *b = base(e, err);
	char path[4200];

	if (!b)
		return -1;
	snprintf(path, sizeof(path), "%s%s%s", b, *name ? "/" : "", name);
	if (cgroup_host_ops() == &cgroup_v2_ops)
		return cgroup_open(path, cg, err);
	return cgroup_open_below_self(path, cg, err);
}

/* Each controller the limits need must be the cgroup's: a host without one is told so. */
static int need(struct cgroup *cg, const char *controller, struct berth_error *err)
{
	if (cg->ops->dir(cg, controller))
		return 0;
	return refuse(err, EOPNOTSUPP,
		      "this host gives VMs no cgroup %s `%s` controller (cgroup `%s`): a VM's "
		      "CPU, memory and PIDs are bounded there",
		      cg->ops->name, controller, cg->path);
}

/* The host's online CPUs. */
static int online_cpus(cpu_set_t *set, struct berth_error *err)
{
	char buf[4096];

	if (cgroup_read("/sys/devices/system/cpu", "online", buf, sizeof(buf)) < 0 ||
	    cpulist_parse(buf, set) < 0)
		return berr(err, 0, "cannot read this host's online CPUs");
	return 0;
}

/* Server s's cpuset into out: the CPUs it holds alone; for a shared VM while servers hold
 * CPUs, the online ones but those (refused when none is left); else "" (no cpuset). */
static int vm_cpus(const struct server *s, char *out, size_t len, struct berth_error *err)
{
	cpu_set_t online, held;

	if (s->cpuset[0] || !s->held_cpus[0]) {
		snprintf(out, len, "%s", s->cpuset);
		return 0;
	}
	if (online_cpus(&online, err) < 0)
		return -1;
	if (cpulist_parse(s->held_cpus, &held) < 0)
		return berr(err, 0, "bad list of dedicated CPUs '%s'", s->held_cpus);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &held))
			CPU_CLR(c, &online);
	if (!CPU_COUNT(&online))
		return refuse(err, ENOSPC,
			      "servers of their own hold every CPU of this host (%s): none is left "
			      "for a VM of shared CPUs",
			      s->held_cpus);
	if (cpulist_format(&online, out, len) < 0)
		return berr(err, EOVERFLOW, "the list of shared CPUs is too long");
	return 0;
}

/* A dedicated VM's CPUs leave the cpusets of the VMs that run beside it already (shared
 * ones: no two dedicated sets meet), so that from its start they are its own. A cpuset
 * that would be left empty stays as it is (only a --host-cpus beyond the cores allows it). */
static void evict(const struct driver_env *e, const struct server *s, const cpu_set_t *mine)
{
	_cleanup_cgroup_ struct cgroup *all = NULL;
	char path[4400], buf[4096];
	struct berth_error err;
	const char *base_dir;
	cpu_set_t other, online;
	struct dirent *d;
	DIR *dir;

	if (open_vm(e, "", &all, &err) < 0 || !(base_dir = all->ops->dir(all, "cpuset")) ||
	    online_cpus(&online, &err) < 0)
		return;
	dir = opendir(base_dir);
	while (dir && (d = readdir(dir))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.' || !strcmp(d->d_name, s->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", base_dir, d->d_name);
		if (cgroup_read(path, "cpuset.cpus", buf, sizeof(buf)) < 0 ||
		    cpulist_parse(buf, &other) < 0)
			continue;
		if (!CPU_COUNT(&other)) /* v2: "" is its parent's, all of them */
			other = online;
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, mine))
				CPU_CLR(c, &other);
		if (!CPU_COUNT(&other) || cpulist_format(&other, buf, sizeof(buf)) < 0 ||
		    cgroup_write(path, "cpuset.cpus", buf, &err) < 0)
			fprintf(stderr, "berthd: VM %s: the cpuset of %s keeps its CPUs\n", s->name,
				d->d_name);
	}
	if (dir)
		closedir(dir);
}

static int limit(struct cgroup *cg, const struct server *s, struct berth_error *err)
{
	uint64_t quota = (uint64_t)s->cpus * VM_CPU_PERIOD_US;
	char cpus[1024];

	if (need(cg, "cpu", err) < 0 || need(cg, "memory", err) < 0 || need(cg, "pids", err) < 0)
		return -1;
	if (cg->ops->cpu_max(cg, (int64_t)quota, VM_CPU_PERIOD_US, err) < 0 ||
	    cg->ops->memory_max(cg, (int64_t)vm_memory_charged(s->memory), err) < 0 ||
	    cgroup_set_int(cg, "pids", "pids.max", VM_PIDS_BASE + (int64_t)s->cpus, false, err) < 0)
		return -1;
	/* the host CPUs the ledger gave it alone, or those nobody holds (v1: after
	 * cgroup_v1.c copied its parent's cpus and mems, which a cpuset needs before it takes
	 * a task) */
	if (vm_cpus(s, cpus, sizeof(cpus), err) < 0 ||
	    (cpus[0] && (need(cg, "cpuset", err) < 0 ||
			 cgroup_set(cg, "cpuset", "cpuset.cpus", cpus, err) < 0)))
		return -1;
	return 0;
}

/* Open every cgroup.procs of cg (one per v1 hierarchy) for the child to write "0" into. */
static int open_procs(struct cgroup *cg, struct vm_cgroup_fds *out, struct berth_error *err)
{
	const char *subdirs[VM_CGROUP_MAX_FDS], *dirs[VM_CGROUP_MAX_FDS];
	size_t n = cg->ops->mounts(cg, subdirs, dirs, VM_CGROUP_MAX_FDS), i;
	char path[4200];

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[i]);
		out->fd[out->n] = open(path, O_WRONLY | O_CLOEXEC);
		if (out->fd[out->n] < 0)
			return berr(err, errno, "open `%s`", path);
		out->n++;
	}
	return 0;
}

int vm_cgroup_prepare(const struct server *s, const struct driver_env *e, struct vm_cgroup_fds *out,
		      struct berth_error *err)
{
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	static bool told;
	cpu_set_t mine;
	int rc;

	out->n = 0;
	if (geteuid() != 0) {
		/* documented: only root may make cgroups; such a berthd sells no bound VMs */
		if (!told)
			fprintf(stderr,
				"berthd: not root: VMs run without a cgroup of their own\n");
		told = true;
		return 0;
	}
	if (open_vm(e, s->name, &cg, err) < 0)
		return berr_wrap(err, "VM %s: cgroup", s->name);
	/* BASE is removed with its last VM (vm_cgroup_remove): not between its mkdir and ours */
	pthread_mutex_lock(&base_lock);
	rc = cg->ops->create(cg, err);
	pthread_mutex_unlock(&base_lock);
	if (rc < 0 || limit(cg, s, err) < 0 || open_procs(cg, out, err) < 0) {
		vm_cgroup_fds_close(out);
		return berr_wrap(err, "VM %s: cgroup %s `%s`", s->name, cg->ops->name, cg->path);
	}
	if (s->cpuset[0] && cpulist_parse(s->cpuset, &mine) == 0)
		evict(e, s, &mine);
	return 0;
}

void vm_cgroup_fds_close(struct vm_cgroup_fds *f)
{
	while (f->n)
		close(f->fd[--f->n]);
}

void vm_cgroup_remove(const struct server *s, const struct driver_env *e)
{
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	struct berth_error err;

	_cleanup_cgroup_ struct cgroup *all = NULL;

	if (open_vm(e, s->name, &cg, &err) < 0)
		return;
	if (cg->ops->destroy(cg, &err) < 0) {
		if (err.errnum != EBUSY)
			fprintf(stderr, "berthd: %s\n", err.msg);
		return;
	}
	/* BASE too when it was the last: an idle berthd leaves no cgroup behind */
	if (open_vm(e, "", &all, &err) < 0)
		return;
	pthread_mutex_lock(&base_lock);
	all->ops->destroy(all, &err); /* EBUSY while other VMs have theirs */
	pthread_mutex_unlock(&base_lock);
}

void vm_cgroup_prune(const struct driver_env *e)
{
	_cleanup_cgroup_ struct cgroup *all = NULL;
	struct berth_error err;
	struct dirent *d;
	DIR *dir;

	if (open_vm(e, "", &all, &err) < 0)
		return;
	dir = opendir(all->ops->procs_dir(all));
	while (dir && (d = readdir(dir))) {
		_cleanup_cgroup_ struct cgroup *cg = NULL;

		if (d->d_type != DT_DIR || d->d_name[0] == '.' ||
		    open_vm(e, d->d_name, &cg, &err) < 0)
			continue;
		/* a cgroup some VMM still runs in is busy, and stays */
		if (cg->ops->destroy(cg, &err) == 0)
			fprintf(stderr, "berthd: removed cgroup %s of a VM that ended\n", cg->path);
	}
	if (dir)
		closedir(dir);
	all->ops->destroy(all, &err); /* BASE itself, when no VM has a cgroup left */
}
