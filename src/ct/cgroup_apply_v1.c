/* cgroup_apply_v1.c - linux.resources on cgroup v1 (common/cgroup_v1.c): each controller's
 * files in its own hierarchy. */
#include "ct/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Kernels since 6.1 keep memory.kmem.limit_in_bytes but ignore what is written: the
 * value read back says whether the limit holds. */
static int v1_kmem(struct cgroup *cg, int64_t limit, struct berth_error *err)
{
	int64_t page = sysconf(_SC_PAGESIZE);
	char buf[32];

	if (cgroup_set_int(cg, "memory", "memory.kmem.limit_in_bytes", limit, false, err) < 0)
		return berr_wrap(err, "linux.resources.memory.kernel");
	if (limit < 0)
		return 0;
	if (cgroup_read(cg->ops->dir(cg, "memory"), "memory.kmem.limit_in_bytes", buf,
			sizeof(buf)) < 0 ||
	    strtoll(buf, NULL, 10) != limit / page * page)
		return refuse(err, EOPNOTSUPP,
			      "linux.resources.memory.kernel: this kernel does not apply "
			      "memory.kmem.limit_in_bytes (it reads back %s)",
			      buf);
	return 0;
}

static int v1_memory(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	if (r->mem_limit != CT_UNSET && cg->ops->memory_max(cg, r->mem_limit, err) < 0)
		return -1;
	if (r->mem_reservation != CT_UNSET &&
	    cgroup_set_int(cg, "memory", "memory.soft_limit_in_bytes", r->mem_reservation, false,
			   err) < 0)
		return -1;
	if (r->mem_swap != CT_UNSET && cgroup_set_int(cg, "memory", "memory.memsw.limit_in_bytes",
						      r->mem_swap, false, err) < 0)
		return berr_wrap(err, "linux.resources.memory.swap (is swap accounting on?)");
	if (r->mem_kernel != CT_UNSET && v1_kmem(cg, r->mem_kernel, err) < 0)
		return -1;
	if (r->mem_swappiness != CT_UNSET &&
	    cgroup_set_int(cg, "memory", "memory.swappiness", r->mem_swappiness, false, err) < 0)
		return berr_wrap(err, "linux.resources.memory.swappiness");
	if (r->mem_disable_oom_killer &&
	    cgroup_set(cg, "memory", "memory.oom_control", "1", err) < 0)
		return berr_wrap(err, "linux.resources.memory.disableOOMKiller");
	return 0;
}

static int v1_cpu(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	if (r->cpu_shares != CT_UNSET &&
	    cgroup_set_int(cg, "cpu", "cpu.shares", r->cpu_shares, false, err) < 0)
		return -1;
	if ((r->cpu_quota != CT_UNSET || r->cpu_period != CT_UNSET) &&
	    cg->ops->cpu_max(cg, r->cpu_quota != CT_UNSET ? r->cpu_quota : -1,
			     r->cpu_period != CT_UNSET ? r->cpu_period : 100000, err) < 0)
		return -1;
	if (r->cpus && r->cpus[0] && cgroup_set(cg, "cpuset", "cpuset.cpus", r->cpus, err) < 0)
		return -1;
	if (r->mems && r->mems[0] && cgroup_set(cg, "cpuset", "cpuset.mems", r->mems, err) < 0)
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
		const char *file = cgroup_first_file(cg->ops->dir(cg, "blkio"), weights);

		if (!file)
			return cgroup_no_weight("blkio.bfq.weight or blkio.weight", err);
		if (cgroup_set_int(cg, "blkio", file, r->blkio_weight, false, err) < 0)
			return -1;
	}
	for (k = 0; k < CT_THR_KINDS; k++)
		for (i = 0; i < r->n_throttles[k]; i++) {
			const struct ct_throttle *t = &r->throttles[k][i];

			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, t->major,
				 t->minor, t->rate);
			if (cgroup_set(cg, "blkio", files[k], buf, err) < 0)
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
	return cgroup_set(cg, "devices", d->allow ? "devices.allow" : "devices.deny", buf, err);
}

/* Device rules: deny everything, then the effective rules in order. */
static int v1_devices(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	_cleanup_free_ struct ct_devrule *rules = NULL;
	int n, i;

	if (!cg->ops->dir(cg, "devices"))
		return 0;
	n = cgroup_device_rules(c, &rules, err);
	if (n < 0 || cgroup_set(cg, "devices", "devices.deny", "a", err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (v1_devrule(cg, &rules[i], err) < 0)
			return -1;
	return 0;
}

int cgroup_apply_v1(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	const struct ct_resources *r = &c->resources;

	if (r->n_unified)
		return berr(err, 0,
			    "config.json: linux.resources.unified: needs cgroup v2, and this "
			    "host keeps its controllers in v1 (use the other linux.resources)");
	if (v1_memory(cg, r, err) < 0 || v1_cpu(cg, r, err) < 0 || v1_blkio(cg, r, err) < 0 ||
	    v1_devices(cg, c, err) < 0)
		return -1;
	if (r->pids_limit != CT_UNSET) {
		if (r->pids_limit <= 0)
			return cgroup_set(cg, "pids", "pids.max", "max", err);
		return cgroup_set_int(cg, "pids", "pids.max", r->pids_limit, false, err);
	}
	return 0;
}
