/* cgroup_v2.c - the unified hierarchy: one directory, controllers enabled down the
 * path through cgroup.subtree_control. */
#include "common/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *v2_path(struct cgroup *cg)
{
	if (!cg->priv && asprintf((char **)&cg->priv, "%s%s", CGROUP_MOUNT, cg->path) < 0)
		cg->priv = NULL;
	return cg->priv ? cg->priv : CGROUP_MOUNT "/nonexistent";
}

/* Is word one of the space-separated words of list? */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

/* A controller is the cgroup's when its cgroup.controllers lists it (before the cgroup
 * exists, its directory: writing there says why). */
static const char *v2_dir(struct cgroup *cg, const char *controller)
{
	char avail[512];

	if (controller &&
	    cgroup_read(v2_path(cg), "cgroup.controllers", avail, sizeof(avail)) == 0 &&
	    !has_word(avail, controller))
		return NULL;
	return v2_path(cg);
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

	if (cgroup_mkdir_p(v2_path(cg), err) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s", v2_path(cg));
	for (p = dir + strlen(CGROUP_MOUNT); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		v2_enable_all(dir);
		*p = '/';
	}
	return 0;
}

static int v2_clone_fd(struct cgroup *cg)
{
	return open(v2_path(cg), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int v2_enter(struct cgroup *cg, pid_t pid, struct berth_error *err)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cgroup_write(v2_path(cg), "cgroup.procs", buf, err);
}

static bool v2_frozen(struct cgroup *cg)
{
	char buf[8];

	return cgroup_read(v2_path(cg), "cgroup.freeze", buf, sizeof(buf)) == 0 && buf[0] == '1';
}

/* cgroup.events says "frozen 1" once every member has stopped. */
static bool v2_events_frozen(struct cgroup *cg)
{
	char path[PATH_MAX], line[64];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.events", v2_path(cg));
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

	if (cgroup_write(v2_path(cg), "cgroup.freeze", frozen ? "1" : "0", err) < 0)
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
	return v2_path(cg);
}

static int v2_destroy(struct cgroup *cg, struct berth_error *err)
{
	return cgroup_rmdir_tree(v2_path(cg), err);
}

static size_t v2_mounts(struct cgroup *cg, const char **subdirs, const char **dirs, size_t max)
{
	if (!max)
		return 0;
	subdirs[0] = "";
	dirs[0] = v2_path(cg);
	return 1;
}

static int v2_cpu_max(struct cgroup *cg, int64_t quota, int64_t period, struct berth_error *err)
{
	char buf[64];

	if (quota > 0)
		snprintf(buf, sizeof(buf), "%" PRId64 " %" PRId64, quota, period);
	else
		snprintf(buf, sizeof(buf), "max %" PRId64, period);
	return cgroup_set(cg, "cpu", "cpu.max", buf, err);
}

static int v2_memory_max(struct cgroup *cg, int64_t bytes, struct berth_error *err)
{
	return cgroup_set_int(cg, "memory", "memory.max", bytes, true, err);
}

const struct cgroup_ops cgroup_v2_ops = {
	.name = "v2",
	.create = v2_create,
	.clone_fd = v2_clone_fd,
	.enter = v2_enter,
	.freeze = v2_freeze,
	.frozen = v2_frozen,
	.procs_dir = v2_procs_dir,
	.dir = v2_dir,
	.destroy = v2_destroy,
	.mounts = v2_mounts,
	.cpu_max = v2_cpu_max,
	.memory_max = v2_memory_max,
};
