/* cgroup_v2.c - the unified hierarchy: one directory, controllers enabled down the
 * path through cgroup.subtree_control, OCI limits translated to v2 files. */
#include "ct/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/devfilter.h"

static const char *v2_dir(struct cgroup *cg)
{
	if (!cg->priv && asprintf((char **)&cg->priv, "%s%s", CGROUP_MOUNT, cg->path) < 0)
		cg->priv = NULL;
	return cg->priv ? cg->priv : CGROUP_MOUNT "/nonexistent";
}

/* Enable in dir's children every controller dir has; failures leave a controller off. */
static void v2_enable_all(const char *dir)
{
	struct berth_error ignored;
	char avail[512], plus[64];
	char *tok, *save;

	if (cgroup_read(dir, "cgroup.controllers", avail, sizeof(avail)) < 0)
		return;
	for (tok = strtok_r(avail, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		snprintf(plus, sizeof(plus), "+%s", tok);
		cgroup_write(dir, "cgroup.subtree_control", plus, &ignored);
	}
}

/* Make the leaf, enabling controllers in every ancestor from the root down. */
static int v2_create(struct cgroup *cg, struct berth_error *err)
{
	char dir[PATH_MAX];
	char *p;

	if (cgroup_mkdir_p(v2_dir(cg), err) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", v2_dir(cg));
	for (p = dir + strlen(CGROUP_MOUNT); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		v2_enable_all(dir);
		*p = '/';
	}
	return 0;
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
	if (r->mem_limit != CT_UNSET && v2_set_int(cg, "memory.max", r->mem_limit, err) < 0)
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
	char buf[64];

	/* The shares→weight map of the OCI v2 conversion document. */
	if (r->cpu_shares != CT_UNSET &&
	    v2_set_int(cg, "cpu.weight", 1 + ((r->cpu_shares - 2) * 9999) / 262142, err) < 0)
		return -1;
	if (r->cpu_quota != CT_UNSET || r->cpu_period != CT_UNSET) {
		int64_t period = r->cpu_period != CT_UNSET ? r->cpu_period : 100000;

		if (r->cpu_quota > 0)
			snprintf(buf, sizeof(buf), "%" PRId64 " %" PRId64, r->cpu_quota, period);
		else
			snprintf(buf, sizeof(buf), "max %" PRId64, period);
		if (cgroup_write(v2_dir(cg), "cpu.max", buf, err) < 0)
			return -1;
	}
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

static int v2_apply(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
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

static int v2_clone_fd(struct cgroup *cg)
{
	return open(v2_dir(cg), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int v2_enter(struct cgroup *cg, pid_t pid, struct berth_error *err)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cgroup_write(v2_dir(cg), "cgroup.procs", buf, err);
}

static bool v2_frozen(struct cgroup *cg)
{
	char buf[8];

	return cgroup_read(v2_dir(cg), "cgroup.freeze", buf, sizeof(buf)) == 0 && buf[0] == '1';
}

/* cgroup.events says "frozen 1" once every member has stopped. */
static bool v2_events_frozen(struct cgroup *cg)
{
	char path[PATH_MAX], line[64];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.events", v2_dir(cg));
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "frozen ", 7))
			return line[7] == '1';
	return false;
}

static int v2_freeze(struct cgroup *cg, bool frozen, struct berth_error *err)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (cgroup_write(v2_dir(cg), "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	for (i = 0; i < 5000; i++) {
		if (v2_events_frozen(cg) == frozen)
			return 0;
		nanosleep(&ts, NULL);
	}
	return berr(err, 0, "cgroup `%s` does not %s", cg->path, frozen ? "freeze" : "thaw");
}

static const char *v2_procs_dir(struct cgroup *cg)
{
	return v2_dir(cg);
}

static int v2_destroy(struct cgroup *cg, struct berth_error *err)
{
	if (rmdir(v2_dir(cg)) < 0 && errno != ENOENT)
		return berr(err, errno, "rmdir `%s`", v2_dir(cg));
	return 0;
}

static size_t v2_mounts(struct cgroup *cg, const char **subdirs, const char **dirs, size_t max)
{
	if (!max)
		return 0;
	subdirs[0] = "";
	dirs[0] = v2_dir(cg);
	return 1;
}

const struct cgroup_ops cgroup_v2_ops = {
	.name = "v2",
	.create = v2_create,
	.apply = v2_apply,
	.clone_fd = v2_clone_fd,
	.enter = v2_enter,
	.freeze = v2_freeze,
	.frozen = v2_frozen,
	.procs_dir = v2_procs_dir,
	.destroy = v2_destroy,
	.mounts = v2_mounts,
};
