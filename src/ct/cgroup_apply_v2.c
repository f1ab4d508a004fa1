/* cgroup_apply_v2.c - linux.resources on the unified hierarchy (common/cgroup_v2.c): OCI
 * limits translated to v2 files, device rules as an eBPF program. */
#include "ct/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "ct/devfilter.h"

/* The cgroup's one directory. */
static const char *v2_dir(struct cgroup *cg)
{
	return cg->ops->procs_dir(cg);
}

static int v2_set_int(struct cgroup *cg, const char *file, int64_t value, struct berth_error *err)
{
	char buf[32];

	if (value < 0)
		return cgroup_write(v2_dir(cg), file, "max", err);
	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return cgroup_write(v2_dir(cg), file, buf, err);
}

static int v2_memory(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	/* v1 knobs with no v2 file: refused rather than dropped without a word */
	if (r->mem_swappiness != CT_UNSET)
		return refuse(err, EOPNOTSUPP,
			      "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup "
			      "swappiness (the host's vm.swappiness applies)");
	if (r->mem_disable_oom_killer)
		return refuse(err, EOPNOTSUPP,
			      "linux.resources.memory.disableOOMKiller: cgroup v2 cannot turn the "
			      "OOM killer off for a cgroup");
	if (r->mem_kernel != CT_UNSET && r->mem_kernel != -1)
		return refuse(err, EOPNOTSUPP,
			      "linux.resources.memory.kernel: cgroup v2 has no kernel memory "
			      "limit (kernel memory counts in memory.max)");
	if (r->mem_limit != CT_UNSET && cg->ops->memory_max(cg, r->mem_limit, err) < 0)
		return -1;
	if (r->mem_reservation != CT_UNSET &&
	    v2_set_int(cg, "memory.low", r->mem_reservation, err) < 0)
		return -1;
	/* OCI swap counts memory plus swap; v2 counts swap alone. */
	if (r->mem_swap != CT_UNSET &&
	    v2_set_int(cg, "memory.swap.max",
		       r->mem_swap < 0 || r->mem_limit < 0 ? -1 : r->mem_swap - r->mem_limit,
		       err) < 0)
		return -1;
	return 0;
}

static int v2_cpu(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	/* The shares→weight map of the OCI v2 conversion document. */
	if (r->cpu_shares != CT_UNSET &&
	    v2_set_int(cg, "cpu.weight", 1 + ((r->cpu_shares - 2) * 9999) / 262142, err) < 0)
		return -1;
	if ((r->cpu_quota != CT_UNSET || r->cpu_period != CT_UNSET) &&
	    cg->ops->cpu_max(cg, r->cpu_quota != CT_UNSET ? r->cpu_quota : -1,
			     r->cpu_period != CT_UNSET ? r->cpu_period : 100000, err) < 0)
		return -1;
	if (r->cpus && r->cpus[0] && cgroup_write(v2_dir(cg), "cpuset.cpus", r->cpus, err) < 0)
		return -1;
	if (r->mems && r->mems[0] && cgroup_write(v2_dir(cg), "cpuset.mems", r->mems, err) < 0)
		return -1;
	return 0;
}

static int v2_io(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	static const char *const keys[CT_THR_KINDS] = { "rbps", "wbps", "riops", "wiops" };
	char buf[96];
	size_t i;
	int k;

	if (r->blkio_weight != CT_UNSET) {
		/* BFQ takes the OCI weight as it is (1..1000); io.weight (the I/O cost
		 * controller) has its own range: blkio weight 10..1000 onto 1..10000 */
		static const char *const weights[] = { "io.bfq.weight", "io.weight", NULL };
		const char *file = cgroup_first_file(v2_dir(cg), weights);
		int64_t w = r->blkio_weight;

		if (!file)
			return cgroup_no_weight("io.bfq.weight or io.weight", err);
		if (!strcmp(file, "io.weight"))
			w = 1 + (w - 10) * 9999 / 990;
		if (v2_set_int(cg, file, w, err) < 0)
			return -1;
	}
	for (k = 0; k < CT_THR_KINDS; k++)
		for (i = 0; i < r->n_throttles[k]; i++) {
			const struct ct_throttle *t = &r->throttles[k][i];

			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major,
				 t->minor, keys[k], t->rate);
			if (cgroup_write(v2_dir(cg), "io.max", buf, err) < 0)
				return -1;
		}
	return 0;
}

/* Device rules are an eBPF program on v2, attached to the container's cgroup. */
static int v2_devices(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	_cleanup_free_ struct ct_devrule *rules = NULL;
	_cleanup_free_ struct bpf_insn *prog = NULL;
	int n = cgroup_device_rules(c, &rules, err);
	int len;

	if (n < 0)
		return -1;
	len = devfilter_build(rules, (size_t)n, &prog, err);
	if (len < 0)
		return -1;
	return devfilter_attach(v2_dir(cg), prog, (size_t)len, err);
}

/* linux.resources.unified, written last so that it overrides the mapped fields. */
static int v2_unified(struct cgroup *cg, const struct ct_resources *r, struct berth_error *err)
{
	size_t i;

	for (i = 0; i < r->n_unified; i++)
		if (cgroup_write(v2_dir(cg), r->unified[i].file, r->unified[i].value, err) < 0)
			return berr_wrap(err, "linux.resources.unified: %s = \"%s\"",
					 r->unified[i].file, r->unified[i].value);
	return 0;
}

int cgroup_apply_v2(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	const struct ct_resources *r = &c->resources;

	if (v2_memory(cg, r, err) < 0 || v2_cpu(cg, r, err) < 0 || v2_io(cg, r, err) < 0)
		return -1;
	if (r->pids_limit != CT_UNSET &&
	    v2_set_int(cg, "pids.max", r->pids_limit <= 0 ? -1 : r->pids_limit, err) < 0)
		return -1;
	if (v2_devices(cg, c, err) < 0)
		return -1;
	return v2_unified(cg, r, err);
}
