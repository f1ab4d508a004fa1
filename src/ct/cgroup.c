/* cgroup.c - the version-independent half of cgroup handling: choosing the
 * implementation, naming the cgroup, and the file helpers both versions use. */
#include "ct/cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "common/cleanup.h"

static const struct ct_devrule default_devrules[] = {
	{ true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
	{ true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
	{ true, 'c', 5, 1, "rwm" }, { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};

int cgroup_device_rules(const struct ct_config *c, struct ct_devrule **out, struct berth_error *err)
{
	const size_t n_default = sizeof(default_devrules) / sizeof(default_devrules[0]);
	const struct ct_resources *r = &c->resources;
	struct ct_devrule *v = calloc(n_default + c->n_devices + r->n_devices + 1, sizeof(*v));
	bool leading = true;
	size_t n = 0, i;

	if (!v)
		return berr(err, ENOMEM, "device rules");
	for (i = 0; i < n_default; i++)
		v[n++] = default_devrules[i];
	for (i = 0; i < c->n_devices; i++) {
		const struct ct_device *d = &c->devices[i];

		if (d->type != 'p')
			v[n++] = (struct ct_devrule){ true, d->type == 'b' ? 'b' : 'c', d->major,
						      d->minor, "rwm" };
	}
	for (i = 0; i < r->n_devices; i++) {
		leading = leading && !r->devices[i].allow;
		if (!(leading && r->devices[i].type == 'a'))
			v[n++] = r->devices[i];
	}
	*out = v;
	return (int)n;
}

const struct cgroup_ops *cgroup_host_ops(void)
{
	struct statfs sf;

	if (statfs(CGROUP_MOUNT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return &cgroup_v2_ops;
	return &cgroup_v1_ops;
}

char *cgroup_resolve_path(const char *cgroups_path, const char *id)
{
	char *out = NULL;
	const char *c1, *c2;
	int n;

	if (!cgroups_path || !cgroups_path[0])
		n = asprintf(&out, "/berth-ct/%s", id);
	else if (cgroups_path[0] != '/' && (c1 = strchr(cgroups_path, ':')) &&
		 (c2 = strchr(c1 + 1, ':')))
		/* systemd form "slice:prefix:name", placed the way systemd would place it. */
		n = asprintf(&out, "/%.*s/%.*s-%s.scope", (int)(c1 - cgroups_path), cgroups_path,
			     (int)(c2 - c1 - 1), c1 + 1, c2 + 1);
	else
		n = asprintf(&out, "%s%s", cgroups_path[0] == '/' ? "" : "/", cgroups_path);
	return n < 0 ? NULL : out;
}

int cgroup_open(const char *path, struct cgroup **out, struct berth_error *err)
{
	struct cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg || !(cg->path = strdup(path))) {
		free(cg);
		return berr(err, ENOMEM, "cgroup `%s`", path);
	}
	cg->ops = cgroup_host_ops();
	*out = cg;
	return 0;
}

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	free(cg->path);
	free(cg->priv);
	free(cg);
}

int cgroup_write(const char *dir, const char *file, const char *value, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);

	if (asprintf(&path, "%s/%s", dir, file) < 0) {
		path = NULL;
		return berr(err, ENOMEM, "cgroup file");
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berr(err, errno, "open `%s`", path);
	if (write(fd, value, len) != (ssize_t)len)
		return berr(err, errno, "write `%s` to `%s`", value, path);
	return 0;
}

int cgroup_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[4096];
	_cleanup_fclose_ FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)len, f))
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

const char *cgroup_first_file(const char *dir, const char *const *names)
{
	char path[4096];

	for (; dir && *names; names++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *names);
		if (access(path, F_OK) == 0)
			return *names;
	}
	return NULL;
}

int cgroup_no_weight(const char *files, struct berth_error *err)
{
	/* An I/O weight acts only through a scheduler or controller that weighs I/O (BFQ, or
	 * v2's io.cost); without one the kernel has no file to take it, and a weight that
	 * silently did nothing would be a promise not kept. */
	return refuse(err, EOPNOTSUPP,
		      "linux.resources.blockIO.weight: this host cannot apply an I/O weight: "
		      "the container's cgroup has no %s (no BFQ I/O scheduler or I/O cost "
		      "controller in the kernel)",
		      files);
}

int cgroup_mkdir_p(const char *path, struct berth_error *err)
{
	char buf[4096];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return berr(err, ENAMETOOLONG, "mkdir `%s`", path);
	strcpy(buf, path);
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return berr(err, errno, "mkdir `%s`", buf);
		*p = c;
		if (!c)
			return 0;
	}
}

int cgroup_read_pids(const char *dir, pid_t **out, size_t *n, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t cap = 0;
	long pid;

	*out = NULL;
	*n = 0;
	if (asprintf(&path, "%s/cgroup.procs", dir) < 0) {
		path = NULL;
		return berr(err, ENOMEM, "cgroup.procs");
	}
	f = fopen(path, "re");
	if (!f)
		return berr(err, errno, "open `%s`", path);
	while (fscanf(f, "%ld", &pid) == 1) {
		if (*n == cap) {
			pid_t *m = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof(pid_t));

			if (!m) {
				free(*out);
				*out = NULL;
				return berr(err, ENOMEM, "read `%s`", path);
			}
			*out = m;
		}
		(*out)[(*n)++] = (pid_t)pid;
	}
	return 0;
}

int cgroup_kill_and_destroy(struct cgroup *cg, struct berth_error *err)
{
	struct timespec ts = { 0, 2000000 };
	int tries;

	for (tries = 0; tries < 2500; tries++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0, i;

		if (cg->ops->destroy(cg, err) == 0)
			return 0;
		if (err->errnum != EBUSY)
			return -1;
		if (cgroup_read_pids(cg->ops->procs_dir(cg), &pids, &n, err) < 0)
			return -1;
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		if (tries == 0 && n)
			cg->ops->freeze(cg, false, err);
		nanosleep(&ts, NULL);
	}
	return berr_wrap(err, "cgroup `%s` stays busy", cg->path);
}
