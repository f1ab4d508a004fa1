/* cgroup.c - the version-independent half of cgroup handling: choosing the
 * implementation, opening a handle, and the file helpers both versions use. */
#include "common/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
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
	cg->ops = *path ? cgroup_host_ops() : &cgroup_none_ops;
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
	return cgroup_pid_path(0, controller);
}

char *cgroup_pid_path(pid_t pid, const char *controller)
{
	char file[64];
	_cleanup_fclose_ FILE *f = NULL;

	if (pid)
		snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(file, sizeof(file), "/proc/self/cgroup");
	f = fopen(file, "re");
	return f ? cgroup_path_in(f, controller) : NULL;
}

char *cgroup_path_in(FILE *f, const char *controller)
{
	/* the kernel reports paths of up to PATH_MAX bytes (a tenant's systemd names them) */
	char line[PATH_MAX + 256];

	while (fgets(line, sizeof(line), f)) {
		char *list = strchr(line, ':'), *path = list ? strchr(list + 1, ':') : NULL;
		char *nl = strchr(line, '\n');

		if (!nl) /* never half a line: its rest would read as a line of its own */
			break;
		*nl = '\0';
		if (!path)
			continue;
		list++;
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

/* A growing list of pids. */
struct pid_list {
	pid_t *v;
	size_t n, cap;
};

/* Append the pids of the cgroup open at dir and of those below it (RMDIR_DEPTH levels at
 * most: a container's systemd moves its processes into a subtree of its own on v2). */
static int read_pids_at(int dir, const char *top, int depth, struct pid_list *l,
			struct berth_error *err)
{
	int fd = openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f;
	DIR *d;
	struct dirent *e;
	long pid;
	int rc = 0;

	if (fd < 0)
		return depth && errno == ENOENT ? 0 /* gone meanwhile */
						: berr(err, errno, "open `%s/cgroup.procs`", top);
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return berr(err, errno, "read `%s/cgroup.procs`", top);
	}
	while (rc == 0 && fscanf(f, "%ld", &pid) == 1) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			pid_t *m = realloc(l->v, cap * sizeof(pid_t));

			if (!m) {
				rc = berr(err, ENOMEM, "read `%s/cgroup.procs`", top);
				break;
			}
			l->v = m;
			l->cap = cap;
		}
		l->v[l->n++] = (pid_t)pid;
	}
	fclose(f);
	if (rc < 0 || depth >= RMDIR_DEPTH)
		return rc;
	fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return berr(err, errno, "open `%s`", top);
	}
	while (rc == 0 && (e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno != ENOENT)
				rc = berr(err, errno, "open a cgroup below `%s`", top);
			continue;
		}
		rc = read_pids_at(sub, top, depth + 1, l, err);
		close(sub);
	}
	closedir(d);
	return rc;
}

int cgroup_read_pids(const char *dir, pid_t **out, size_t *n, struct berth_error *err)
{
	struct pid_list l = { NULL, 0, 0 };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return berr(err, errno, "open `%s/cgroup.procs`", dir);
	if (read_pids_at(fd, dir, 0, &l, err) < 0) {
		close(fd);
		free(l.v);
		return -1;
	}
	close(fd);
	*out = l.v;
	*n = l.n;
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
