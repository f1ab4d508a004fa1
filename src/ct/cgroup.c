/* cgroup.c - the OCI side of a container's cgroup that is the same on v1 and v2: its
 * path, its device rules, and the choice of the version's half of linux.resources. */
#include "ct/cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

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

/* The host id of the container's 0 in mappings, or -1 when unmapped. */
static int64_t host_root(const struct ct_idmap *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0 && m[i].size)
			return m[i].host_id;
	return -1;
}

/* A writable cgroup mount in the config. */
static bool cgroup_mount_writable(const struct ct_config *c)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (!c->mounts[i].bind && c->mounts[i].type &&
		    (!strcmp(c->mounts[i].type, "cgroup") || !strcmp(c->mounts[i].type, "cgroup2")))
			return !(c->mounts[i].flags & MS_RDONLY);
	return false;
}

int cgroup_delegate(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	/* the kernel's delegation files (Documentation/admin-guide/cgroup-v2.rst) and v1's */
	static const char *const files[] = { "cgroup.procs",	      "cgroup.subtree_control",
					     "cgroup.threads",	      "tasks",
					     "cgroup.clone_children", "notify_on_release" };
	int64_t uid = host_root(c->uid_mappings, c->n_uid_mappings);
	int64_t gid = host_root(c->gid_mappings, c->n_gid_mappings);
	const char *subdirs[16], *dirs[16];
	size_t n, i, f;

	if (!config_namespace(c, CLONE_NEWUSER) || uid < 0 || gid < 0 || !cgroup_mount_writable(c))
		return 0;
	n = cg->ops->mounts(cg, subdirs, dirs, 16);
	for (i = 0; i < n; i++) {
		_cleanup_close_ int dir = -1;

		/* v1: systemd's own hierarchy; the controllers' stay the host's */
		if (subdirs[i][0] && strcmp(subdirs[i], "systemd"))
			continue;
		dir = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || fchown(dir, (uid_t)uid, (gid_t)gid) < 0)
			return berr(err, errno, "delegate `%s`", dirs[i]);
		for (f = 0; f < sizeof(files) / sizeof(files[0]); f++)
			if (fchownat(dir, files[f], (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) <
				0 &&
			    errno != ENOENT)
				return berr(err, errno, "delegate `%s/%s`", dirs[i], files[f]);
	}
	return 0;
}

int cgroup_enter_exec(struct cgroup *cg, pid_t init, pid_t pid, struct berth_error *err)
{
	_cleanup_free_ char *at = NULL, *dir = NULL;
	size_t len = strlen(cg->path);
	char buf[16];

	if (cg->ops->enter(cg, pid, err) == 0)
		return 0;
	/* v2 lets no process into a cgroup whose cgroup.subtree_control enables a controller:
	 * the container's own systemd does that in the cgroup delegated to it. Join the
	 * init's cgroup below it instead (systemd's init.scope), as runc does. */
	if (cg->ops != &cgroup_v2_ops || err->errnum != EBUSY)
		return -1;
	at = cgroup_pid_path(init, NULL);
	/* the container names its subtree: take nothing outside its own cgroup */
	if (!at || strncmp(at, cg->path, len) || at[len] != '/')
		return berr_wrap(err, "init (pid %d) is in no cgroup below `%s`", (int)init,
				 cg->path);
	if (asprintf(&dir, "%s%s", CGROUP_MOUNT, at) < 0) {
		dir = NULL;
		return berr(err, ENOMEM, "cgroup `%s`", at);
	}
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cgroup_write(dir, "cgroup.procs", buf, err);
}

int cgroup_apply(struct cgroup *cg, const struct ct_config *c, struct berth_error *err)
{
	if (cg->ops == &cgroup_v2_ops)
		return cgroup_apply_v2(cg, c, err);
	return cgroup_apply_v1(cg, c, err);
}
