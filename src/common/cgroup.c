/* cgroup.c - the version-independent half of cgroup handling: choosing the
 * implementation, opening a handle, and the file helpers both versions use. */
#include "common/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

const struct cgroup_ops *cgroup_host_ops(void)
{
	struct statfs sf;

	if (statfs(CGROUP_MOUNT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return &cgroup_v2_ops;
	return &cgroup_v1_ops;
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

int cgroup_open_below_self(const char *path, struct cgroup **out, struct berth_error *err)
{
	_cleanup_free_ char *self = NULL, *full = NULL;

	if (cgroup_host_ops() == &cgroup_v1_ops) {
		if (cgroup_open(path, out, err) < 0)
			return -1;
		(*out)->below_self = true; /* each hierarchy's own prefix, cgroup_v1.c */
		return 0;
	}
	self = cgroup_self_path(NULL);
	if (!self)
		return berr(err, 0, "cannot read this process's cgroup from /proc/self/cgroup");
	if (asprintf(&full, "%s%s", strcmp(self, "/") ? self : "", path) < 0) {
		full = NULL;
		return berr(err, ENOMEM, "cgroup `%s`", path);
	}
	return cgroup_open(full, out, err);
}

/* Does the controller list of a /proc/self/cgroup line ("cpu,cpuacct", "name=systemd", "")
 * hold controller (NULL: the v2 line, whose list is empty)? */
static bool line_has(const char *list, size_t len, const char *controller)
{
	size_t clen;

	if (!controller)
		return len == 0;
	clen = strlen(controller);
	while (len >= clen) {
		const char *comma = memchr(list, ',', len);
		size_t item = comma ? (size_t)(comma - list) : len;

		if (item == clen && !memcmp(list, controller, clen))
			return true;
		if (!comma)
			break;
		len -= item + 1;
		list = comma + 1;
	}
	return false;
}

char *cgroup_self_path(const char *controller)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char *list = strchr(line, ':'), *path = list ? strchr(list + 1, ':') : NULL;

		if (!path)
			continue;
		list++;
		line[strcspn(line, "\n")] = '\0';
		if (line_has(list, (size_t)(path - list), controller))
			return strdup(path + 1);
	}
	return NULL;
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

int cgroup_set(struct cgroup *cg, const char *controller, const char *file, const char *value,
	       struct berth_error *err)
{
	const char *dir = cg->ops->dir(cg, controller);

	if (!dir)
		return berr(err, 0, "cgroup %s controller `%s` is not available (for %s)",
			    cg->ops->name, controller, file);
	return cgroup_write(dir, file, value, err);
}

int cgroup_set_int(struct cgroup *cg, const char *controller, const char *file, int64_t value,
		   bool max_word, struct berth_error *err)
{
	char buf[32];

	if (value < 0 && max_word)
		return cgroup_set(cg, controller, file, "max", err);
	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return cgroup_set(cg, controller, file, buf, err);
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

/* Depth of the subtree cgroup_rmdir_tree walks: a tenant's systemd nests a few levels
 * (system.slice/foo.service); more is left, and the rmdir fails with EBUSY. */
#define RMDIR_DEPTH 16

static int rmdir_tree_at(int parent, const char *name, const char *top, int depth,
			 struct berth_error *err)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (fd < 0)
		return errno == ENOENT ? 0 : berr(err, errno, "open `%s`", top);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berr(err, errno, "open `%s`", top);
	}
	while (depth < RMDIR_DEPTH && (e = readdir(d)))
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    rmdir_tree_at(dirfd(d), e->d_name, top, depth + 1, err) < 0) {
			closedir(d);
			return -1;
		}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr(err, errno, "rmdir `%s`%s", top, depth ? " (a cgroup below it)" : "");
	return 0;
}

int cgroup_rmdir_tree(const char *dir, struct berth_error *err)
{
	return rmdir_tree_at(AT_FDCWD, dir, dir, 0, err);
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
