/* config.c - parse and validate config.json (OCI runtime spec 1.x) into struct ct_config.
 *
 * The file is hostile input: every field is type-checked and range-checked here, and
 * every error names the field ("process.user.uid: ..."). Fields berth-ct does not
 * implement are rejected by name rather than silently ignored. */
#include "ct/config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "ct/names.h"

#define CONFIG_MAX_BYTES (16u << 20)

/* Field path builder: the error messages name the full JSON path (truncated if huge). */
__attribute__((format(printf, 3, 4))) static char *field(char *buf, size_t len, const char *fmt,
							 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}
#define FIELD(buf, ...) field(buf, sizeof(buf), __VA_ARGS__)

static int type_error(const char *path, const char *what, struct berth_error *err)
{
	return berr(err, 0, "config.json: %s: expected %s", path, what);
}

/* The member key of o when present and not null; NULL otherwise. */
static json_t *member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

static int get_object(json_t *o, const char *key, const char *path, json_t **out,
		      struct berth_error *err)
{
	*out = member(o, key);
	if (*out && !json_is_object(*out))
		return type_error(path, "an object", err);
	return 0;
}

static int get_array(json_t *o, const char *key, const char *path, json_t **out,
		     struct berth_error *err)
{
	*out = member(o, key);
	if (*out && !json_is_array(*out))
		return type_error(path, "an array", err);
	return 0;
}

static int dup_string(json_t *v, const char *path, char **out, struct berth_error *err)
{
	const char *s;

	if (!json_is_string(v))
		return type_error(path, "a string", err);
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return berr(err, 0, "config.json: %s: contains a NUL byte", path);
	*out = strdup(s);
	if (!*out)
		return berr(err, ENOMEM, "config.json: %s", path);
	return 0;
}

static int get_string(json_t *o, const char *key, const char *path, char **out,
		      struct berth_error *err)
{
	json_t *v = member(o, key);

	if (!v)
		return 0;
	return dup_string(v, path, out, err);
}

static int get_bool(json_t *o, const char *key, const char *path, bool *out,
		    struct berth_error *err)
{
	json_t *v = member(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return type_error(path, "true or false", err);
	*out = json_is_true(v);
	return 0;
}

static int int_value(json_t *v, const char *path, int64_t min, int64_t max, int64_t *out,
		     struct berth_error *err)
{
	json_int_t n;

	if (!json_is_integer(v))
		return type_error(path, "an integer", err);
	n = json_integer_value(v);
	if (n < min || n > max)
		return berr(err, 0, "config.json: %s: %lld is out of range [%lld, %lld]", path,
			    (long long)n, (long long)min, (long long)max);
	*out = n;
	return 0;
}

/* An integer member in [min, max]; *out is untouched when absent. */
static int get_int(json_t *o, const char *key, const char *path, int64_t min, int64_t max,
		   int64_t *out, struct berth_error *err)
{
	json_t *v = member(o, key);

	if (!v)
		return 0;
	return int_value(v, path, min, max, out, err);
}

/* Like get_int() for a member that must be present. */
static int need_int(json_t *o, const char *key, const char *path, int64_t min, int64_t max,
		    int64_t *out, struct berth_error *err)
{
	if (!member(o, key))
		return berr(err, 0, "config.json: %s: missing", path);
	return get_int(o, key, path, min, max, out, err);
}

static int need_string(json_t *o, const char *key, const char *path, char **out,
		       struct berth_error *err)
{
	if (!member(o, key))
		return berr(err, 0, "config.json: %s: missing", path);
	return get_string(o, key, path, out, err);
}

static int get_strv(json_t *o, const char *key, const char *path, char ***out,
		    struct berth_error *err)
{
	json_t *a, *v;
	size_t i;
	char buf[256];

	if (get_array(o, key, path, &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	*out = calloc(json_array_size(a) + 1, sizeof(char *));
	if (!*out)
		return berr(err, ENOMEM, "config.json: %s", path);
	json_array_foreach(a, i, v)
	{
		if (dup_string(v, FIELD(buf, "%s[%zu]", path, i), &(*out)[i], err) < 0)
			return -1;
	}
	return 0;
}

/* Reject a member berth-ct does not implement, when it carries a value. */
static int unsupported(json_t *o, const char *key, const char *path, struct berth_error *err)
{
	json_t *v = member(o, key);

	if (!v || (json_is_object(v) && json_object_size(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0) ||
	    (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	return berr(err, 0, "config.json: %s: not supported by berth-ct", path);
}

/* Allocate n zeroed elements for an array field (n may be 0). */
static void *alloc_array(size_t n, size_t size, const char *path, struct berth_error *err)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		berr(err, ENOMEM, "config.json: %s", path);
	return p;
}

static int parse_user(json_t *o, struct ct_user *u, struct berth_error *err)
{
	json_t *a, *v;
	int64_t n;
	size_t i;
	char buf[64];

	u->umask = CT_UNSET;
	if (!o)
		return 0;
	if (!json_is_object(o))
		return type_error("process.user", "an object", err);
	n = 0;
	if (get_int(o, "uid", "process.user.uid", 0, UINT32_MAX - 1, &n, err) < 0)
		return -1;
	u->uid = (uid_t)n;
	n = 0;
	if (get_int(o, "gid", "process.user.gid", 0, UINT32_MAX - 1, &n, err) < 0)
		return -1;
	u->gid = (gid_t)n;
	if (get_int(o, "umask", "process.user.umask", 0, 0777, &u->umask, err) < 0)
		return -1;
	if (unsupported(o, "username", "process.user.username", err) < 0)
		return -1;
	if (get_array(o, "additionalGids", "process.user.additionalGids", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	u->additional_gids = alloc_array(json_array_size(a), sizeof(gid_t), "additionalGids", err);
	if (!u->additional_gids)
		return -1;
	json_array_foreach(a, i, v)
	{
		if (int_value(v, FIELD(buf, "process.user.additionalGids[%zu]", i), 0,
			      UINT32_MAX - 1, &n, err) < 0)
			return -1;
		u->additional_gids[u->n_additional_gids++] = (gid_t)n;
	}
	return 0;
}

static int parse_caps(json_t *o, struct ct_process *p, struct berth_error *err)
{
	static const char *const sets[CT_CAP_SETS] = { "bounding", "effective", "inheritable",
						       "permitted", "ambient" };
	json_t *a, *v;
	size_t i;
	int s;
	char buf[128];

	if (!o)
		return 0;
	if (!json_is_object(o))
		return type_error("process.capabilities", "an object", err);
	p->has_caps = true;
	for (s = 0; s < CT_CAP_SETS; s++) {
		if (get_array(o, sets[s], FIELD(buf, "process.capabilities.%s", sets[s]), &a, err) <
		    0)
			return -1;
		json_array_foreach(a, i, v)
		{
			cap_value_t cap;
			const char *name = json_string_value(v);

			FIELD(buf, "process.capabilities.%s[%zu]", sets[s], i);
			if (!name)
				return type_error(buf, "a string", err);
			if (strncasecmp(name, "CAP_", 4) || cap_from_name(name, &cap) < 0 ||
			    cap < 0 || cap > 63)
				return berr(err, 0, "config.json: %s: unknown capability \"%s\"",
					    buf, name);
			p->caps[s] |= 1ULL << cap;
		}
	}
	return 0;
}

static int parse_rlimits(json_t *a, struct ct_process *p, struct berth_error *err)
{
	json_t *v;
	size_t i, j;
	char buf[128];

	if (!a)
		return 0;
	p->rlimits = alloc_array(json_array_size(a), sizeof(*p->rlimits), "process.rlimits", err);
	if (!p->rlimits)
		return -1;
	json_array_foreach(a, i, v)
	{
		struct ct_rlimit *r = &p->rlimits[i];
		_cleanup_free_ char *type = NULL;
		int64_t soft = 0, hard = 0;

		if (!json_is_object(v))
			return type_error(FIELD(buf, "process.rlimits[%zu]", i), "an object", err);
		if (need_string(v, "type", FIELD(buf, "process.rlimits[%zu].type", i), &type, err) <
		    0)
			return -1;
		r->resource = names_rlimit(type);
		if (r->resource < 0)
			return berr(err, 0, "config.json: %s: unknown rlimit \"%s\"", buf, type);
		for (j = 0; j < i; j++)
			if (p->rlimits[j].resource == r->resource)
				return berr(err, 0, "config.json: %s: \"%s\" given twice", buf,
					    type);
		if (need_int(v, "soft", FIELD(buf, "process.rlimits[%zu].soft", i), 0, INT64_MAX,
			     &soft, err) < 0 ||
		    need_int(v, "hard", FIELD(buf, "process.rlimits[%zu].hard", i), 0, INT64_MAX,
			     &hard, err) < 0)
			return -1;
		if (soft > hard)
			return berr(err, 0, "config.json: process.rlimits[%zu]: soft > hard", i);
		r->soft = (uint64_t)soft;
		r->hard = (uint64_t)hard;
		p->n_rlimits++;
	}
	return 0;
}

static int parse_process(json_t *o, struct ct_process *p, struct berth_error *err)
{
	json_t *v;

	p->oom_score_adj = CT_UNSET;
	if (!o)
		return berr(err, 0, "config.json: process: missing");
	if (!json_is_object(o))
		return type_error("process", "an object", err);
	if (get_strv(o, "args", "process.args", &p->args, err) < 0)
		return -1;
	if (!p->args || !p->args[0] || !p->args[0][0])
		return berr(err, 0, "config.json: process.args: must name a program");
	if (get_strv(o, "env", "process.env", &p->env, err) < 0)
		return -1;
	if (need_string(o, "cwd", "process.cwd", &p->cwd, err) < 0)
		return -1;
	if (p->cwd[0] != '/')
		return berr(err, 0, "config.json: process.cwd: \"%s\" is not absolute", p->cwd);
	if (get_bool(o, "terminal", "process.terminal", &p->terminal, err) < 0 ||
	    get_bool(o, "noNewPrivileges", "process.noNewPrivileges", &p->no_new_privileges, err) <
		0 ||
	    get_int(o, "oomScoreAdj", "process.oomScoreAdj", -1000, 1000, &p->oom_score_adj, err) <
		0 ||
	    get_string(o, "apparmorProfile", "process.apparmorProfile", &p->apparmor_profile, err) <
		0 ||
	    get_string(o, "selinuxLabel", "process.selinuxLabel", &p->selinux_label, err) < 0)
		return -1;
	if (parse_user(member(o, "user"), &p->user, err) < 0)
		return -1;
	if (get_object(o, "capabilities", "process.capabilities", &v, err) < 0 ||
	    parse_caps(v, p, err) < 0)
		return -1;
	if (get_array(o, "rlimits", "process.rlimits", &v, err) < 0 || parse_rlimits(v, p, err) < 0)
		return -1;
	if (unsupported(o, "ioPriority", "process.ioPriority", err) < 0 ||
	    unsupported(o, "scheduler", "process.scheduler", err) < 0 ||
	    unsupported(o, "execCPUAffinity", "process.execCPUAffinity", err) < 0)
		return -1;
	/* here, not in validate(): exec's --process file is a process object alone */
	if (p->apparmor_profile && p->apparmor_profile[0])
		return berr(err, 0,
			    "config.json: process.apparmorProfile: AppArmor is not "
			    "supported by berth-ct");
	if (p->selinux_label && p->selinux_label[0])
		return berr(err, 0,
			    "config.json: process.selinuxLabel: SELinux is not "
			    "supported by berth-ct");
	return 0;
}

static int parse_root(json_t *root, const char *bundle, struct ct_config *c,
		      struct berth_error *err)
{
	json_t *o;
	_cleanup_free_ char *path = NULL;

	if (get_object(root, "root", "root", &o, err) < 0)
		return -1;
	if (!o)
		return berr(err, 0, "config.json: root: missing");
	if (need_string(o, "path", "root.path", &path, err) < 0)
		return -1;
	if (!path[0])
		return berr(err, 0, "config.json: root.path: empty");
	if (get_bool(o, "readonly", "root.readonly", &c->root_readonly, err) < 0)
		return -1;
	if (path[0] == '/' || !bundle) {
		c->root_path = steal_ptr(&path);
		return 0;
	}
	if (asprintf(&c->root_path, "%s/%s", bundle, path) < 0) {
		c->root_path = NULL;
		return berr(err, ENOMEM, "config.json: root.path");
	}
	return 0;
}

/* Append one option to a comma-separated data string. */
static int append_data(char **data, const char *opt, struct berth_error *err)
{
	char *n;

	if (asprintf(&n, "%s%s%s", *data ? *data : "", *data ? "," : "", opt) < 0)
		return berr(err, ENOMEM, "mount options");
	free(*data);
	*data = n;
	return 0;
}

static int parse_mount_options(json_t *a, const char *path, struct ct_mount *m,
			       struct berth_error *err)
{
	json_t *v;
	size_t i;
	char buf[160];

	json_array_foreach(a, i, v)
	{
		const struct names_mount_flag *f;
		const char *opt = json_string_value(v);

		FIELD(buf, "%s.options[%zu]", path, i);
		if (!opt)
			return type_error(buf, "a string", err);
		f = names_mount_flag(opt);
		if (!f) {
			if (!strcmp(opt, "tmpcopyup") || !strncmp(opt, "idmap", 5) ||
			    !strncmp(opt, "ridmap", 6))
				return berr(err, 0, "config.json: %s: \"%s\" not supported", buf,
					    opt);
			if (strlen(opt) != json_string_length(v) || strchr(opt, ','))
				return berr(err, 0, "config.json: %s: bad option", buf);
			if (append_data(&m->data, opt, err) < 0)
				return -1;
		} else if (f->propagation) {
			m->propagation = f->flag;
		} else if (f->clear) {
			m->flags &= ~f->flag;
		} else {
			m->flags |= f->flag;
		}
	}
	m->bind = (m->flags & MS_BIND) != 0;
	return 0;
}

static int parse_mounts(json_t *root, struct ct_config *c, struct berth_error *err)
{
	json_t *a, *v, *opts;
	size_t i;
	char path[64], buf[128];

	if (get_array(root, "mounts", "mounts", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	c->mounts = alloc_array(json_array_size(a), sizeof(*c->mounts), "mounts", err);
	if (!c->mounts)
		return -1;
	json_array_foreach(a, i, v)
	{
		struct ct_mount *m = &c->mounts[i];

		c->n_mounts++;
		FIELD(path, "mounts[%zu]", i);
		if (!json_is_object(v))
			return type_error(path, "an object", err);
		if (need_string(v, "destination", FIELD(buf, "%s.destination", path),
				&m->destination, err) < 0 ||
		    get_string(v, "type", FIELD(buf, "%s.type", path), &m->type, err) < 0 ||
		    get_string(v, "source", FIELD(buf, "%s.source", path), &m->source, err) < 0 ||
		    get_array(v, "options", FIELD(buf, "%s.options", path), &opts, err) < 0)
			return -1;
		if (m->destination[0] != '/')
			return berr(err, 0, "config.json: %s.destination: \"%s\" is not absolute",
				    path, m->destination);
		if (unsupported(v, "uidMappings", FIELD(buf, "%s.uidMappings", path), err) < 0 ||
		    unsupported(v, "gidMappings", FIELD(buf, "%s.gidMappings", path), err) < 0)
			return -1;
		if (opts && parse_mount_options(opts, path, m, err) < 0)
			return -1;
		if (m->type && (!strcmp(m->type, "bind") || !strcmp(m->type, "rbind")))
			m->bind = true;
		if (m->bind && !m->source)
			return berr(err, 0, "config.json: %s.source: a bind mount needs one", path);
		if (!m->bind && !m->type)
			return berr(err, 0, "config.json: %s.type: missing", path);
	}
	return 0;
}

static int parse_hooks(json_t *root, struct ct_config *c, struct berth_error *err)
{
	static const char *const kinds[CT_HOOK_KINDS] = { "prestart",	     "createRuntime",
							  "createContainer", "startContainer",
							  "poststart",	     "poststop" };
	json_t *o, *a, *v;
	size_t i;
	int k;
	char path[64], buf[128];

	if (get_object(root, "hooks", "hooks", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	for (k = 0; k < CT_HOOK_KINDS; k++) {
		if (get_array(o, kinds[k], FIELD(buf, "hooks.%s", kinds[k]), &a, err) < 0)
			return -1;
		if (!a)
			continue;
		c->hooks[k] = alloc_array(json_array_size(a), sizeof(struct ct_hook), buf, err);
		if (!c->hooks[k])
			return -1;
		json_array_foreach(a, i, v)
		{
			struct ct_hook *h = &c->hooks[k][i];
			int64_t t = 0;

			c->n_hooks[k]++;
			FIELD(path, "hooks.%s[%zu]", kinds[k], i);
			if (!json_is_object(v))
				return type_error(path, "an object", err);
			if (need_string(v, "path", FIELD(buf, "%s.path", path), &h->path, err) <
				0 ||
			    get_strv(v, "args", FIELD(buf, "%s.args", path), &h->args, err) < 0 ||
			    get_strv(v, "env", FIELD(buf, "%s.env", path), &h->env, err) < 0 ||
			    get_int(v, "timeout", FIELD(buf, "%s.timeout", path), 1, 86400, &t,
				    err) < 0)
				return -1;
			if (h->path[0] != '/')
				return berr(err, 0, "config.json: %s.path: \"%s\" is not absolute",
					    path, h->path);
			h->timeout = (int)t;
		}
	}
	return 0;
}

static int parse_annotations(json_t *root, struct ct_config *c, struct berth_error *err)
{
	json_t *o, *v;
	const char *key;
	size_t n = 0;
	char buf[128];

	if (get_object(root, "annotations", "annotations", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	c->annotations = calloc(json_object_size(o) * 2 + 1, sizeof(char *));
	if (!c->annotations)
		return berr(err, ENOMEM, "config.json: annotations");
	json_object_foreach(o, key, v)
	{
		c->annotations[n] = strdup(key);
		if (!c->annotations[n++])
			return berr(err, ENOMEM, "config.json: annotations");
		if (dup_string(v, FIELD(buf, "annotations.%.64s", key), &c->annotations[n++], err) <
		    0)
			return -1;
	}
	return 0;
}

static int parse_namespaces(json_t *a, struct ct_config *c, struct berth_error *err)
{
	json_t *v;
	size_t i, j;
	char buf[128];

	if (!a)
		return 0;
	c->namespaces = alloc_array(json_array_size(a), sizeof(*c->namespaces), "namespaces", err);
	if (!c->namespaces)
		return -1;
	json_array_foreach(a, i, v)
	{
		struct ct_namespace *ns = &c->namespaces[i];
		_cleanup_free_ char *type = NULL;

		c->n_namespaces++;
		if (!json_is_object(v))
			return type_error(FIELD(buf, "linux.namespaces[%zu]", i), "an object", err);
		if (need_string(v, "type", FIELD(buf, "linux.namespaces[%zu].type", i), &type,
				err) < 0)
			return -1;
		ns->type = names_namespace(type);
		if (!ns->type)
			return berr(err, 0, "config.json: %s: unknown namespace \"%s\"", buf, type);
		for (j = 0; j < i; j++)
			if (c->namespaces[j].type == ns->type)
				return berr(err, 0, "config.json: %s: \"%s\" given twice", buf,
					    type);
		if (get_string(v, "path", FIELD(buf, "linux.namespaces[%zu].path", i), &ns->path,
			       err) < 0)
			return -1;
		if (ns->path && ns->path[0] != '/')
			return berr(err, 0, "config.json: %s: \"%s\" is not absolute", buf,
				    ns->path);
	}
	return 0;
}

static int parse_idmaps(json_t *o, const char *key, struct ct_idmap **out, size_t *n,
			struct berth_error *err)
{
	json_t *a, *v;
	size_t i;
	char path[64], buf[128];
	int64_t x;

	if (get_array(o, key, FIELD(path, "linux.%s", key), &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	if (json_array_size(a) > 340)
		return berr(err, 0, "config.json: %s: too many entries", path);
	*out = alloc_array(json_array_size(a), sizeof(**out), path, err);
	if (!*out)
		return -1;
	json_array_foreach(a, i, v)
	{
		struct ct_idmap *m = &(*out)[i];

		if (!json_is_object(v))
			return type_error(FIELD(buf, "%s[%zu]", path, i), "an object", err);
		if (need_int(v, "containerID", FIELD(buf, "%s[%zu].containerID", path, i), 0,
			     UINT32_MAX - 1, &x, err) < 0)
			return -1;
		m->container_id = (uint32_t)x;
		if (need_int(v, "hostID", FIELD(buf, "%s[%zu].hostID", path, i), 0, UINT32_MAX - 1,
			     &x, err) < 0)
			return -1;
		m->host_id = (uint32_t)x;
		if (need_int(v, "size", FIELD(buf, "%s[%zu].size", path, i), 1, UINT32_MAX, &x,
			     err) < 0)
			return -1;
		m->size = (uint32_t)x;
		if ((uint64_t)m->container_id + m->size > UINT32_MAX ||
		    (uint64_t)m->host_id + m->size > UINT32_MAX)
			return berr(err, 0, "config.json: %s[%zu]: range overflows", path, i);
		(*n)++;
	}
	return 0;
}

/* Parse "type" of a device or device rule into one of the allowed letters. */
static int device_type(json_t *v, const char *path, const char *allowed, char *out,
		       struct berth_error *err)
{
	const char *t = json_string_value(member(v, "type"));

	if (!t) {
		if (strchr(allowed, 'a')) {
			*out = 'a';
			return 0;
		}
		return berr(err, 0, "config.json: %s.type: missing", path);
	}
	if (strlen(t) != 1 || !strchr(allowed, t[0]))
		return berr(err, 0, "config.json: %s.type: \"%s\" is not one of [%s]", path, t,
			    allowed);
	*out = t[0];
	return 0;
}

static int parse_devices(json_t *a, struct ct_config *c, struct berth_error *err)
{
	json_t *v;
	size_t i;
	char path[64], buf[128];

	if (!a)
		return 0;
	c->devices = alloc_array(json_array_size(a), sizeof(*c->devices), "linux.devices", err);
	if (!c->devices)
		return -1;
	json_array_foreach(a, i, v)
	{
		struct ct_device *d = &c->devices[i];

		c->n_devices++;
		d->major = d->minor = 0;
		d->file_mode = d->uid = d->gid = CT_UNSET;
		FIELD(path, "linux.devices[%zu]", i);
		if (!json_is_object(v))
			return type_error(path, "an object", err);
		if (need_string(v, "path", FIELD(buf, "%s.path", path), &d->path, err) < 0 ||
		    device_type(v, path, "cbup", &d->type, err) < 0)
			return -1;
		if (strncmp(d->path, "/dev/", 5) || strstr(d->path, "/../"))
			return berr(err, 0, "config.json: %s.path: \"%s\" is not under /dev", path,
				    d->path);
		if (d->type != 'p' && (need_int(v, "major", FIELD(buf, "%s.major", path), 0, 4095,
						&d->major, err) < 0 ||
				       need_int(v, "minor", FIELD(buf, "%s.minor", path), 0,
						1048575, &d->minor, err) < 0))
			return -1;
		if (get_int(v, "fileMode", FIELD(buf, "%s.fileMode", path), 0, 07777, &d->file_mode,
			    err) < 0 ||
		    get_int(v, "uid", FIELD(buf, "%s.uid", path), 0, UINT32_MAX - 1, &d->uid, err) <
			0 ||
		    get_int(v, "gid", FIELD(buf, "%s.gid", path), 0, UINT32_MAX - 1, &d->gid, err) <
			0)
			return -1;
	}
	return 0;
}

static int parse_devrules(json_t *o, struct ct_resources *r, struct berth_error *err)
{
	json_t *a, *v;
	size_t i;
	char path[64], buf[128];

	if (get_array(o, "devices", "linux.resources.devices", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	r->devices = alloc_array(json_array_size(a), sizeof(*r->devices), "devices", err);
	if (!r->devices)
		return -1;
	json_array_foreach(a, i, v)
	{
		struct ct_devrule *d = &r->devices[i];
		_cleanup_free_ char *access = NULL;
		size_t k;

		r->n_devices++;
		d->major = d->minor = -1;
		FIELD(path, "linux.resources.devices[%zu]", i);
		if (!json_is_object(v))
			return type_error(path, "an object", err);
		if (!json_is_boolean(member(v, "allow")))
			return type_error(FIELD(buf, "%s.allow", path), "true or false", err);
		d->allow = json_is_true(member(v, "allow"));
		if (device_type(v, path, "acb", &d->type, err) < 0 ||
		    get_int(v, "major", FIELD(buf, "%s.major", path), -1, 4095, &d->major, err) <
			0 ||
		    get_int(v, "minor", FIELD(buf, "%s.minor", path), -1, 1048575, &d->minor, err) <
			0 ||
		    get_string(v, "access", FIELD(buf, "%s.access", path), &access, err) < 0)
			return -1;
		if (!access || !access[0]) {
			strcpy(d->access, "rwm");
			continue;
		}
		if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return berr(err, 0, "config.json: %s: \"%s\" is not a subset of rwm", buf,
				    access);
		for (k = 0; access[k]; k++)
			if (strchr(access + k + 1, access[k]))
				return berr(err, 0, "config.json: %s: \"%s\" repeats a letter", buf,
					    access);
		strcpy(d->access, access);
	}
	return 0;
}

static int parse_throttles(json_t *o, struct ct_resources *r, struct berth_error *err)
{
	static const char *const keys[CT_THR_KINDS] = { "throttleReadBpsDevice",
							"throttleWriteBpsDevice",
							"throttleReadIOPSDevice",
							"throttleWriteIOPSDevice" };
	json_t *a, *v;
	size_t i;
	int k;
	char path[96], buf[128];
	int64_t x;

	for (k = 0; k < CT_THR_KINDS; k++) {
		FIELD(path, "linux.resources.blockIO.%s", keys[k]);
		if (get_array(o, keys[k], path, &a, err) < 0)
			return -1;
		if (!a)
			continue;
		r->throttles[k] =
		    alloc_array(json_array_size(a), sizeof(struct ct_throttle), path, err);
		if (!r->throttles[k])
			return -1;
		json_array_foreach(a, i, v)
		{
			struct ct_throttle *t = &r->throttles[k][i];

			if (!json_is_object(v))
				return type_error(FIELD(buf, "%s[%zu]", path, i), "an object", err);
			if (need_int(v, "major", FIELD(buf, "%s[%zu].major", path, i), 0, 4095,
				     &t->major, err) < 0 ||
			    need_int(v, "minor", FIELD(buf, "%s[%zu].minor", path, i), 0, 1048575,
				     &t->minor, err) < 0 ||
			    need_int(v, "rate", FIELD(buf, "%s[%zu].rate", path, i), 0, INT64_MAX,
				     &x, err) < 0)
				return -1;
			t->rate = (uint64_t)x;
			r->n_throttles[k]++;
		}
	}
	return 0;
}

/* Why a linux.resources.unified key is refused, or NULL for a "controller.file" name. Of
 * the cgroup core files only the limits may be set: cgroup.procs, cgroup.subtree_control,
 * cgroup.freeze, cgroup.kill... belong to the runtime. */
static const char *unified_key_problem(const char *key)
{
	static const char *const core_limits[] = { "cgroup.max.depth", "cgroup.max.descendants" };
	size_t len = strlen(key), i;

	if (len > CT_UNIFIED_KEY_MAX)
		return "too long";
	if (strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.") != len)
		return "not a cgroup file name (only a-z, 0-9, _ and .)";
	if (!len || key[0] == '.' || key[len - 1] == '.' || !strchr(key, '.') || strstr(key, ".."))
		return "not of the form controller.file";
	if (strncmp(key, "cgroup.", 7))
		return NULL;
	for (i = 0; i < sizeof(core_limits) / sizeof(core_limits[0]); i++)
		if (!strcmp(key, core_limits[i]))
			return NULL;
	return "a cgroup core file the runtime manages";
}

/* linux.resources.unified: cgroup v2 file names and the strings to write there. */
static int parse_unified(json_t *o, struct ct_resources *r, struct berth_error *err)
{
	json_t *u, *v;
	const char *key, *problem;
	char buf[128];

	if (get_object(o, "unified", "linux.resources.unified", &u, err) < 0)
		return -1;
	if (!u)
		return 0;
	if (json_object_size(u) > CT_UNIFIED_MAX)
		return berr(err, 0, "config.json: linux.resources.unified: more than %d entries",
			    CT_UNIFIED_MAX);
	r->unified =
	    alloc_array(json_object_size(u), sizeof(*r->unified), "linux.resources.unified", err);
	if (!r->unified)
		return -1;
	json_object_foreach(u, key, v)
	{
		struct ct_unified *e = &r->unified[r->n_unified];

		FIELD(buf, "linux.resources.unified.%.70s", key);
		problem = unified_key_problem(key);
		if (problem)
			return berr(err, 0, "config.json: %s: bad key: %s", buf, problem);
		e->file = strdup(key);
		if (!e->file)
			return berr(err, ENOMEM, "config.json: %s", buf);
		r->n_unified++;
		if (dup_string(v, buf, &e->value, err) < 0)
			return -1;
		if (!e->value[0] || strchr(e->value, '\n') ||
		    strlen(e->value) > CT_UNIFIED_VALUE_MAX)
			return berr(err, 0,
				    "config.json: %s: the value must be one line of 1 to %d bytes",
				    buf, CT_UNIFIED_VALUE_MAX);
	}
	return 0;
}

static int parse_resources(json_t *lx, struct ct_config *c, struct berth_error *err)
{
	struct ct_resources *r = &c->resources;
	json_t *o, *m, *cpu, *pids, *bio;

	r->mem_limit = r->mem_reservation = r->mem_swap = r->mem_kernel = CT_UNSET;
	r->mem_swappiness = CT_UNSET;
	r->cpu_shares = r->cpu_quota = r->cpu_period = CT_UNSET;
	r->pids_limit = r->blkio_weight = CT_UNSET;
	if (get_object(lx, "resources", "linux.resources", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	c->has_resources = true;
	if (get_object(o, "memory", "linux.resources.memory", &m, err) < 0 ||
	    get_object(o, "cpu", "linux.resources.cpu", &cpu, err) < 0 ||
	    get_object(o, "pids", "linux.resources.pids", &pids, err) < 0 ||
	    get_object(o, "blockIO", "linux.resources.blockIO", &bio, err) < 0)
		return -1;
	if (m && (get_int(m, "limit", "linux.resources.memory.limit", -1, INT64_MAX, &r->mem_limit,
			  err) < 0 ||
		  get_int(m, "reservation", "linux.resources.memory.reservation", -1, INT64_MAX,
			  &r->mem_reservation, err) < 0 ||
		  get_int(m, "swap", "linux.resources.memory.swap", -1, INT64_MAX, &r->mem_swap,
			  err) < 0 ||
		  get_int(m, "kernel", "linux.resources.memory.kernel", -1, INT64_MAX,
			  &r->mem_kernel, err) < 0 ||
		  get_int(m, "swappiness", "linux.resources.memory.swappiness", -1, 100,
			  &r->mem_swappiness, err) < 0 ||
		  get_bool(m, "disableOOMKiller", "linux.resources.memory.disableOOMKiller",
			   &r->mem_disable_oom_killer, err) < 0 ||
		  unsupported(m, "kernelTCP", "linux.resources.memory.kernelTCP", err) < 0))
		return -1;
	if (r->mem_swappiness == -1) /* Docker's "not set", which runc accepts too */
		r->mem_swappiness = CT_UNSET;
	if (r->mem_swap >= 0 && r->mem_limit >= 0 && r->mem_swap < r->mem_limit)
		return berr(err, 0,
			    "config.json: linux.resources.memory.swap: %lld is below the limit "
			    "%lld (swap counts memory plus swap)",
			    (long long)r->mem_swap, (long long)r->mem_limit);
	if (cpu &&
	    (get_int(cpu, "shares", "linux.resources.cpu.shares", 2, 262144, &r->cpu_shares, err) <
		 0 ||
	     get_int(cpu, "quota", "linux.resources.cpu.quota", -1, INT64_MAX, &r->cpu_quota, err) <
		 0 ||
	     get_int(cpu, "period", "linux.resources.cpu.period", 1000, 1000000, &r->cpu_period,
		     err) < 0 ||
	     get_string(cpu, "cpus", "linux.resources.cpu.cpus", &r->cpus, err) < 0 ||
	     get_string(cpu, "mems", "linux.resources.cpu.mems", &r->mems, err) < 0 ||
	     unsupported(cpu, "realtimeRuntime", "linux.resources.cpu.realtimeRuntime", err) < 0 ||
	     unsupported(cpu, "realtimePeriod", "linux.resources.cpu.realtimePeriod", err) < 0))
		return -1;
	if (r->cpu_quota > 0 && r->cpu_quota < 1000)
		return berr(err, 0, "config.json: linux.resources.cpu.quota: below 1000 us");
	if ((r->cpus && strspn(r->cpus, "0123456789,-") != strlen(r->cpus)) ||
	    (r->mems && strspn(r->mems, "0123456789,-") != strlen(r->mems)))
		return berr(err, 0,
			    "config.json: linux.resources.cpu: cpus/mems must be a "
			    "list like \"0-2,4\"");
	if (pids && need_int(pids, "limit", "linux.resources.pids.limit", -1, INT64_MAX,
			     &r->pids_limit, err) < 0)
		return -1;
	if (bio &&
	    (get_int(bio, "weight", "linux.resources.blockIO.weight", 10, 1000, &r->blkio_weight,
		     err) < 0 ||
	     unsupported(bio, "leafWeight", "linux.resources.blockIO.leafWeight", err) < 0 ||
	     unsupported(bio, "weightDevice", "linux.resources.blockIO.weightDevice", err) < 0 ||
	     parse_throttles(bio, r, err) < 0))
		return -1;
	if (unsupported(o, "hugepageLimits", "linux.resources.hugepageLimits", err) < 0 ||
	    unsupported(o, "network", "linux.resources.network", err) < 0 ||
	    unsupported(o, "rdma", "linux.resources.rdma", err) < 0)
		return -1;
	return parse_devrules(o, r, err) < 0 ? -1 : parse_unified(o, r, err);
}

static int parse_sysctl(json_t *lx, struct ct_config *c, struct berth_error *err)
{
	json_t *o, *v;
	const char *key;
	char buf[128];

	if (get_object(lx, "sysctl", "linux.sysctl", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	c->sysctls = alloc_array(json_object_size(o), sizeof(*c->sysctls), "linux.sysctl", err);
	if (!c->sysctls)
		return -1;
	json_object_foreach(o, key, v)
	{
		struct ct_sysctl *s = &c->sysctls[c->n_sysctls];

		FIELD(buf, "linux.sysctl.%.64s", key);
		if (!key[0] || strstr(key, "..") || strchr(key, '/') || key[0] == '.')
			return berr(err, 0, "config.json: %s: bad key", buf);
		s->key = strdup(key);
		if (!s->key)
			return berr(err, ENOMEM, "config.json: %s", buf);
		c->n_sysctls++;
		if (dup_string(v, buf, &s->value, err) < 0)
			return -1;
	}
	return 0;
}

/* An action member and its errno member, as a libseccomp SCMP_ACT_* value. */
static int seccomp_action(json_t *o, const char *akey, const char *ekey, const char *path,
			  uint32_t *out, struct berth_error *err)
{
	_cleanup_free_ char *name = NULL;
	char buf[160];
	int64_t ret = CT_UNSET;

	if (need_string(o, akey, FIELD(buf, "%s.%s", path, akey), &name, err) < 0)
		return -1;
	if (get_int(o, ekey, FIELD(buf, "%s.%s", path, ekey), 0, 4095, &ret, err) < 0)
		return -1;
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return berr(err, 0, "config.json: %s.%s: SCMP_ACT_NOTIFY is not supported", path,
			    akey);
	if (names_seccomp_action(name, ret, out) < 0)
		return berr(err, 0, "config.json: %s.%s: unknown action \"%s\"", path, akey, name);
	return 0;
}

static int parse_seccomp_rule(json_t *v, const char *path, struct ct_seccomp_rule *r,
			      struct berth_error *err)
{
	json_t *a, *x;
	size_t i;
	char buf[160];
	int64_t n;

	if (!json_is_object(v))
		return type_error(path, "an object", err);
	if (get_strv(v, "names", FIELD(buf, "%s.names", path), &r->names, err) < 0)
		return -1;
	if (!r->names || !r->names[0])
		return berr(err, 0, "config.json: %s.names: missing or empty", path);
	while (r->names[r->n_names])
		r->n_names++;
	if (seccomp_action(v, "action", "errnoRet", path, &r->action, err) < 0)
		return -1;
	if (get_array(v, "args", FIELD(buf, "%s.args", path), &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	if (json_array_size(a) > 6)
		return berr(err, 0, "config.json: %s.args: more than 6 conditions", path);
	r->args = alloc_array(json_array_size(a), sizeof(*r->args), buf, err);
	if (!r->args)
		return -1;
	json_array_foreach(a, i, x)
	{
		struct ct_seccomp_arg *c = &r->args[i];
		const char *op;

		if (!json_is_object(x))
			return type_error(FIELD(buf, "%s.args[%zu]", path, i), "an object", err);
		if (need_int(x, "index", FIELD(buf, "%s.args[%zu].index", path, i), 0, 5, &n, err) <
		    0)
			return -1;
		c->index = (unsigned)n;
		n = 0;
		if (need_int(x, "value", FIELD(buf, "%s.args[%zu].value", path, i), INT64_MIN,
			     INT64_MAX, &n, err) < 0)
			return -1;
		c->value = (uint64_t)n;
		n = 0;
		if (get_int(x, "valueTwo", FIELD(buf, "%s.args[%zu].valueTwo", path, i), INT64_MIN,
			    INT64_MAX, &n, err) < 0)
			return -1;
		c->value_two = (uint64_t)n;
		op = json_string_value(member(x, "op"));
		c->op = op ? names_seccomp_op(op) : -1;
		if (c->op < 0)
			return berr(err, 0, "config.json: %s.args[%zu].op: unknown operator", path,
				    i);
		r->n_args++;
	}
	return 0;
}

static int parse_seccomp(json_t *lx, struct ct_config *c, struct berth_error *err)
{
	struct ct_seccomp *s;
	json_t *o, *a, *v;
	size_t i;
	char buf[128];

	if (get_object(lx, "seccomp", "linux.seccomp", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	s = c->seccomp = calloc(1, sizeof(*s));
	if (!s)
		return berr(err, ENOMEM, "config.json: linux.seccomp");
	if (!member(o, "defaultAction"))
		return berr(err, 0, "config.json: linux.seccomp.defaultAction: missing");
	if (seccomp_action(o, "defaultAction", "defaultErrnoRet", "linux.seccomp",
			   &s->default_action, err) < 0)
		return -1;
	if (unsupported(o, "listenerPath", "linux.seccomp.listenerPath", err) < 0)
		return -1;
	if (get_array(o, "architectures", "linux.seccomp.architectures", &a, err) < 0)
		return -1;
	if (a) {
		s->arches = alloc_array(json_array_size(a), sizeof(uint32_t), "architectures", err);
		if (!s->arches)
			return -1;
		json_array_foreach(a, i, v)
		{
			const char *n = json_string_value(v);

			FIELD(buf, "linux.seccomp.architectures[%zu]", i);
			if (!n || names_seccomp_arch(n, &s->arches[s->n_arches]) < 0)
				return berr(err, 0, "config.json: %s: unknown architecture", buf);
			s->n_arches++;
		}
	}
	if (get_array(o, "flags", "linux.seccomp.flags", &a, err) < 0)
		return -1;
	json_array_foreach(a, i, v)
	{
		unsigned f = names_seccomp_flag(json_string_value(v));

		if (!f)
			return berr(err, 0, "config.json: linux.seccomp.flags[%zu]: unknown flag",
				    i);
		s->flags |= f;
	}
	if (get_array(o, "syscalls", "linux.seccomp.syscalls", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	s->rules = alloc_array(json_array_size(a), sizeof(*s->rules), "syscalls", err);
	if (!s->rules)
		return -1;
	json_array_foreach(a, i, v)
	{
		s->n_rules++;
		if (parse_seccomp_rule(v, FIELD(buf, "linux.seccomp.syscalls[%zu]", i),
				       &s->rules[i], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_time_offsets(json_t *lx, struct ct_config *c, struct berth_error *err)
{
	static const char *const clocks[2] = { "monotonic", "boottime" };
	json_t *o, *v;
	int k;
	char buf[96];
	int64_t n;

	if (get_object(lx, "timeOffsets", "linux.timeOffsets", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	for (k = 0; k < 2; k++) {
		if (get_object(o, clocks[k], FIELD(buf, "linux.timeOffsets.%s", clocks[k]), &v,
			       err) < 0)
			return -1;
		if (!v)
			continue;
		if (get_int(v, "secs", FIELD(buf, "linux.timeOffsets.%s.secs", clocks[k]),
			    -(1LL << 40), 1LL << 40, &c->time_offsets[k].secs, err) < 0)
			return -1;
		n = 0;
		if (get_int(v, "nanosecs", FIELD(buf, "linux.timeOffsets.%s.nanosecs", clocks[k]),
			    0, 999999999, &n, err) < 0)
			return -1;
		c->time_offsets[k].nanosecs = (uint32_t)n;
	}
	if (!config_namespace(c, CLONE_NEWTIME))
		return berr(err, 0, "config.json: linux.timeOffsets: needs a time namespace");
	return 0;
}

static int parse_linux(json_t *root, struct ct_config *c, struct berth_error *err)
{
	json_t *l, *v;
	_cleanup_free_ char *prop = NULL;
	const struct names_mount_flag *f;

	if (get_object(root, "linux", "linux", &l, err) < 0)
		return -1;
	if (!l)
		return berr(err, 0,
			    "config.json: linux: missing (only Linux containers "
			    "are supported)");
	if (get_array(l, "namespaces", "linux.namespaces", &v, err) < 0 ||
	    parse_namespaces(v, c, err) < 0)
		return -1;
	if (parse_idmaps(l, "uidMappings", &c->uid_mappings, &c->n_uid_mappings, err) < 0 ||
	    parse_idmaps(l, "gidMappings", &c->gid_mappings, &c->n_gid_mappings, err) < 0)
		return -1;
	if (get_array(l, "devices", "linux.devices", &v, err) < 0 || parse_devices(v, c, err) < 0)
		return -1;
	if (get_string(l, "cgroupsPath", "linux.cgroupsPath", &c->cgroups_path, err) < 0 ||
	    parse_resources(l, c, err) < 0)
		return -1;
	if (c->cgroups_path && (strstr(c->cgroups_path, "..") || strchr(c->cgroups_path, '\n')))
		return berr(err, 0, "config.json: linux.cgroupsPath: \"%s\" is not allowed",
			    c->cgroups_path);
	if (get_string(l, "rootfsPropagation", "linux.rootfsPropagation", &prop, err) < 0)
		return -1;
	if (prop && prop[0]) {
		f = names_mount_flag(prop);
		if (!f || !f->propagation)
			return berr(err, 0, "config.json: linux.rootfsPropagation: unknown \"%s\"",
				    prop);
		c->rootfs_propagation = f->flag;
	}
	if (get_strv(l, "maskedPaths", "linux.maskedPaths", &c->masked_paths, err) < 0 ||
	    get_strv(l, "readonlyPaths", "linux.readonlyPaths", &c->readonly_paths, err) < 0 ||
	    parse_sysctl(l, c, err) < 0 || parse_seccomp(l, c, err) < 0 ||
	    parse_time_offsets(l, c, err) < 0 ||
	    get_string(l, "mountLabel", "linux.mountLabel", &c->mount_label, err) < 0)
		return -1;
	if (unsupported(l, "intelRdt", "linux.intelRdt", err) < 0 ||
	    unsupported(l, "personality", "linux.personality", err) < 0 ||
	    unsupported(l, "memoryPolicy", "linux.memoryPolicy", err) < 0 ||
	    unsupported(l, "netDevices", "linux.netDevices", err) < 0)
		return -1;
	return 0;
}

/* Cross-field checks once everything is parsed. */
static int validate(struct ct_config *c, struct berth_error *err)
{
	const struct ct_namespace *user = config_namespace(c, CLONE_NEWUSER);

	if (!c->oci_version || strncmp(c->oci_version, "1.", 2))
		return berr(err, 0, "config.json: ociVersion: \"%s\" is not a 1.x version",
			    c->oci_version ? c->oci_version : "");
	if (!config_namespace(c, CLONE_NEWNS))
		return berr(err, 0,
			    "config.json: linux.namespaces: a mount namespace is "
			    "required");
	if (c->hostname && c->hostname[0] && !config_namespace(c, CLONE_NEWUTS))
		return berr(err, 0, "config.json: hostname: needs a uts namespace");
	if (c->domainname && c->domainname[0] && !config_namespace(c, CLONE_NEWUTS))
		return berr(err, 0, "config.json: domainname: needs a uts namespace");
	if ((c->n_uid_mappings || c->n_gid_mappings) && !user)
		return berr(err, 0, "config.json: linux.uidMappings: needs a user namespace");
	if (user && !user->path && (!c->n_uid_mappings || !c->n_gid_mappings))
		return berr(err, 0,
			    "config.json: linux.uidMappings/gidMappings: a new user "
			    "namespace needs both");
	if (c->hostname && strlen(c->hostname) > 64)
		return berr(err, 0, "config.json: hostname: longer than 64 bytes");
	if (c->domainname && strlen(c->domainname) > 64)
		return berr(err, 0, "config.json: domainname: longer than 64 bytes");
	if (c->mount_label && c->mount_label[0])
		return berr(err, 0,
			    "config.json: linux.mountLabel: SELinux is not supported by "
			    "berth-ct");
	return 0;
}

int config_parse(const char *json, size_t len, const char *bundle, struct ct_config **out,
		 struct berth_error *err)
{
	json_auto_t *root = NULL;
	_cleanup_config_ struct ct_config *c = NULL;
	json_error_t jerr;

	if (len > CONFIG_MAX_BYTES)
		return berr(err, 0, "config.json: larger than %u bytes", CONFIG_MAX_BYTES);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return berr(err, 0, "config.json: line %d column %d: %s", jerr.line, jerr.column,
			    jerr.text);
	if (!json_is_object(root))
		return type_error("(top level)", "an object", err);
	c = calloc(1, sizeof(*c));
	if (!c)
		return berr(err, ENOMEM, "config.json");
	if (need_string(root, "ociVersion", "ociVersion", &c->oci_version, err) < 0 ||
	    get_string(root, "hostname", "hostname", &c->hostname, err) < 0 ||
	    get_string(root, "domainname", "domainname", &c->domainname, err) < 0 ||
	    parse_root(root, bundle, c, err) < 0 ||
	    parse_process(member(root, "process"), &c->process, err) < 0 ||
	    parse_mounts(root, c, err) < 0 || parse_hooks(root, c, err) < 0 ||
	    parse_annotations(root, c, err) < 0 || parse_linux(root, c, err) < 0 ||
	    validate(c, err) < 0)
		return -1;
	if (unsupported(root, "solaris", "solaris", err) < 0 ||
	    unsupported(root, "windows", "windows", err) < 0 ||
	    unsupported(root, "vm", "vm", err) < 0)
		return -1;
	*out = steal_ptr(&c);
	return 0;
}

int config_parse_process(const char *json, size_t len, struct ct_process *p,
			 struct berth_error *err)
{
	json_auto_t *root = NULL;
	json_error_t jerr;

	memset(p, 0, sizeof(*p));
	if (len > CONFIG_MAX_BYTES)
		return berr(err, 0, "process.json: larger than %u bytes", CONFIG_MAX_BYTES);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return berr(err, 0, "process.json: line %d column %d: %s", jerr.line, jerr.column,
			    jerr.text);
	if (parse_process(root, p, err) < 0) {
		config_free_process(p);
		return -1;
	}
	return 0;
}

int config_read_file(const char *path, char **out, size_t *len, struct berth_error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return berr(err, errno, "open `%s`", path);
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > CONFIG_MAX_BYTES)
		return berr(err, 0, "`%s`: not a regular file under %u bytes", path,
			    CONFIG_MAX_BYTES);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return berr(err, ENOMEM, "read `%s`", path);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berr(err, n < 0 ? errno : EIO, "read `%s`", path);
		got += (size_t)n;
	}
	*out = steal_ptr(&buf);
	*len = got;
	return 0;
}

int config_load_process(const char *path, struct ct_process *p, struct berth_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (config_read_file(path, &buf, &len, err) < 0)
		return -1;
	return config_parse_process(buf, len, p, err);
}

const struct ct_namespace *config_namespace(const struct ct_config *c, int type)
{
	size_t i;

	for (i = 0; i < c->n_namespaces; i++)
		if (c->namespaces[i].type == type)
			return &c->namespaces[i];
	return NULL;
}

void strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

void config_free_process(struct ct_process *p)
{
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->user.additional_gids);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
}

static void free_seccomp(struct ct_seccomp *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_rules; i++) {
		strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s->arches);
	free(s);
}

void config_free(struct ct_config *c)
{
	size_t i;
	int k;

	if (!c)
		return;
	free(c->oci_version);
	free(c->root_path);
	config_free_process(&c->process);
	free(c->hostname);
	free(c->domainname);
	for (i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].destination);
		free(c->mounts[i].type);
		free(c->mounts[i].source);
		free(c->mounts[i].data);
	}
	free(c->mounts);
	for (k = 0; k < CT_HOOK_KINDS; k++) {
		for (i = 0; i < c->n_hooks[k]; i++) {
			free(c->hooks[k][i].path);
			strv_free(c->hooks[k][i].args);
			strv_free(c->hooks[k][i].env);
		}
		free(c->hooks[k]);
	}
	strv_free(c->annotations);
	for (i = 0; i < c->n_namespaces; i++)
		free(c->namespaces[i].path);
	free(c->namespaces);
	free(c->uid_mappings);
	free(c->gid_mappings);
	for (i = 0; i < c->n_devices; i++)
		free(c->devices[i].path);
	free(c->devices);
	free(c->cgroups_path);
	free(c->resources.cpus);
	free(c->resources.mems);
	for (k = 0; k < CT_THR_KINDS; k++)
		free(c->resources.throttles[k]);
	free(c->resources.devices);
	for (i = 0; i < c->resources.n_unified; i++) {
		free(c->resources.unified[i].file);
		free(c->resources.unified[i].value);
	}
	free(c->resources.unified);
	strv_free(c->masked_paths);
	strv_free(c->readonly_paths);
	for (i = 0; i < c->n_sysctls; i++) {
		free(c->sysctls[i].key);
		free(c->sysctls[i].value);
	}
	free(c->sysctls);
	free_seccomp(c->seccomp);
	free(c->mount_label);
	free(c);
}
