/* state.c - ROOT/ID/state.json: writing, reading and the live status of a container. */
#include "ct/state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/cgroup.h"
#include "ct/spec.h"

int state_check_id(const char *id, struct berth_error *err)
{
	size_t n = strlen(id);

	if (!n || n > 128 || id[0] == '.' ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") != n)
		return berr(err, 0, "container id `%s` is invalid: use 1-128 of [A-Za-z0-9_.+-]",
			    id);
	return 0;
}

char *state_path(const char *root, const char *id, const char *file)
{
	char *p;

	if (asprintf(&p, "%s/%s%s%s", root, id, file ? "/" : "", file ? file : "") < 0)
		return NULL;
	return p;
}

int state_create_dir(const char *root, const char *id, struct berth_error *err)
{
	_cleanup_free_ char *dir = state_path(root, id, NULL);

	if (!dir)
		return berr(err, ENOMEM, "state directory");
	if (mkdir(root, 0711) < 0 && errno != EEXIST)
		return berr(err, errno, "mkdir `%s`", root);
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return berr(err, 0, "container `%s` already exists", id);
		return berr(err, errno, "mkdir `%s`", dir);
	}
	return 0;
}

void state_remove_dir(const char *root, const char *id)
{
	_cleanup_free_ char *dir = state_path(root, id, NULL);
	int dfd;
	DIR *d;
	struct dirent *e;

	if (!dir)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	/* dot files too: a temporary file left by a crash must not keep the directory */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dfd, e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/* The annotations as a JSON object, NULL when there are none (runc omits them then). */
static json_t *annotations_object(char **kv)
{
	json_t *a;
	size_t i;

	if (!kv || !kv[0])
		return NULL;
	a = json_object();
	for (i = 0; a && kv[i] && kv[i + 1]; i += 2)
		json_object_set_new(a, kv[i], json_string(kv[i + 1]));
	return a;
}

static json_t *state_to_object(const struct ct_state *st, const char *status)
{
	json_t *o = json_object(), *a = annotations_object(st->annotations);

	if (!o) {
		json_decref(a);
		return NULL;
	}
	json_object_set_new(o, "ociVersion", json_string(CT_SPEC_VERSION));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(strcmp(status, "stopped") ? st->pid : 0));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created));
	if (a)
		json_object_set_new(o, "annotations", a);
	json_object_set_new(o, "owner", json_string(st->owner ? st->owner : ""));
	return o;
}

char *state_json(const struct ct_state *st, const char *status, bool pretty)
{
	json_auto_t *o = state_to_object(st, status);

	return o ? json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT) : NULL;
}

int state_save(const char *root, const struct ct_state *st, struct berth_error *err)
{
	_cleanup_free_ char *path = state_path(root, st->id, "state.json");
	_cleanup_free_ char *tmp = state_path(root, st->id, ".state.json.tmp");
	json_auto_t *o = state_to_object(st, "created");

	if (!path || !tmp || !o)
		return berr(err, ENOMEM, "state of `%s`", st->id);
	json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "berth.startTime", json_integer((json_int_t)st->start_time));
	json_object_set_new(o, "berth.cgroupPath", json_string(st->cgroup_path));
	if (json_dump_file(o, tmp, JSON_COMPACT) < 0)
		return berr(err, errno, "write `%s`", tmp);
	if (rename(tmp, path) < 0)
		return berr(err, errno, "rename `%s`", tmp);
	return 0;
}

static char *dup_member(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return strdup(s ? s : "");
}

/* state.json's annotations back into a key, value, ..., NULL vector. */
static int load_annotations(json_t *o, char ***out)
{
	json_t *a = json_object_get(o, "annotations"), *v;
	const char *key;
	size_t n = 0;

	if (!json_is_object(a) || !json_object_size(a))
		return 0;
	*out = calloc(json_object_size(a) * 2 + 1, sizeof(char *));
	if (!*out)
		return -1;
	json_object_foreach(a, key, v)
	{
		if (!json_is_string(v))
			continue;
		(*out)[n] = strdup(key);
		if (!(*out)[n])
			return -1;
		(*out)[n + 1] = strdup(json_string_value(v));
		if (!(*out)[n + 1])
			return -1;
		n += 2;
	}
	return 0;
}

char *state_owner(const char *root, const char *id)
{
	_cleanup_free_ char *dir = state_path(root, id, NULL);
	struct passwd pw, *found = NULL;
	char buf[4096];
	struct stat sb;

	if (dir && stat(dir, &sb) == 0 &&
	    getpwuid_r(sb.st_uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		return strdup(found->pw_name);
	return strdup("");
}

int state_load(const char *root, const char *id, struct ct_state **out, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_state_ struct ct_state *st = NULL;
	json_auto_t *o = NULL;
	json_error_t jerr;

	if (state_check_id(id, err) < 0)
		return -1;
	path = state_path(root, id, "state.json");
	st = calloc(1, sizeof(*st));
	if (!path || !st)
		return berr(err, ENOMEM, "state of `%s`", id);
	o = json_load_file(path, 0, &jerr);
	if (!o) {
		if (access(path, F_OK) < 0) {
			/* ENOENT: `delete --force` ignores a missing container */
			return refuse(err, ENOENT, "container `%s` does not exist", id);
		}
		return berr(err, 0, "`%s`: %s", path, jerr.text);
	}
	st->id = strdup(id);
	st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	st->start_time =
	    (unsigned long long)json_integer_value(json_object_get(o, "berth.startTime"));
	st->bundle = dup_member(o, "bundle");
	st->rootfs = dup_member(o, "rootfs");
	st->created = dup_member(o, "created");
	st->owner = state_owner(root, id);
	st->cgroup_path = dup_member(o, "berth.cgroupPath");
	if (!st->id || !st->bundle || !st->rootfs || !st->created || !st->owner ||
	    !st->cgroup_path || load_annotations(o, &st->annotations) < 0)
		return berr(err, ENOMEM, "state of `%s`", id);
	if (st->pid <= 0)
		return berr(err, 0, "`%s`: bad pid", path);
	*out = steal_ptr(&st);
	return 0;
}

int state_save_config(const char *root, const char *id, const char *buf, size_t len,
		      struct berth_error *err)
{
	_cleanup_free_ char *path = state_path(root, id, "config.json");
	_cleanup_free_ char *tmp = state_path(root, id, ".config.json.tmp");
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!path || !tmp)
		return berr(err, ENOMEM, "config of `%s`", id);
	/* 0600: process.env may carry secrets */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr(err, errno, "create `%s`", tmp);
	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berr(err, n < 0 ? errno : EIO, "write `%s`", tmp);
		buf += n;
		len -= (size_t)n;
	}
	if (rename(tmp, path) < 0)
		return berr(err, errno, "rename `%s`", tmp);
	return 0;
}

int state_load_config(const char *root, const struct ct_state *st, struct ct_config **out,
		      struct berth_error *err)
{
	_cleanup_free_ char *path = state_path(root, st->id, "config.json");
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (!path)
		return berr(err, ENOMEM, "config of `%s`", st->id);
	if (config_read_file(path, &buf, &len, err) < 0 ||
	    config_parse(buf, len, st->bundle, out, err) < 0)
		return berr_wrap(err, "container `%s`", st->id);
	return 0;
}

void state_free(struct ct_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	free(st->owner);
	strv_free(st->annotations);
	free(st);
}

unsigned long long state_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	unsigned long long t = 0;
	ssize_t n;
	char *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

int state_pidfd(const struct ct_state *st)
{
	struct pollfd pfd;
	int fd;

	if (state_proc_start_time(st->pid) != st->start_time)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return -1;
	/* opened after the check: a second check pins it to the same process */
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (state_proc_start_time(st->pid) != st->start_time || poll(&pfd, 1, 0) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *state_status(const char *root, const struct ct_state *st)
{
	_cleanup_close_ int pidfd = state_pidfd(st);
	_cleanup_free_ char *fifo = NULL;
	_cleanup_cgroup_ struct cgroup *cg = NULL;
	struct berth_error err;

	if (pidfd < 0)
		return "stopped";
	fifo = state_path(root, st->id, "exec.fifo");
	if (fifo && access(fifo, F_OK) == 0)
		return "created";
	if (cgroup_open(st->cgroup_path, &cg, &err) == 0 && cg->ops->frozen(cg))
		return "paused";
	return "running";
}

void state_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}
