/* config.c - parsing berthd's `key = value` settings file. */
#include "daemon/config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/caplog.h"
#include "common/cleanup.h"
#include "common/io_rate.h"
#include "common/size.h"
#include "daemon/servers/jail.h"

static const struct plan default_plans[] = {
	{ "small", 1, 512ULL << 20, 2ULL << 30, { 0 }, false },
	{ "medium", 2, 2ULL << 30, 20ULL << 30, { 0 }, false },
	{ "large", 4, 8ULL << 30, 80ULL << 30, { 0 }, false },
};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->host_reserve_memory = 512ULL << 20;
	c->host_reserve_disk = 1ULL << 30;
	c->cpu_overcommit = 1.0;
	c->stop_timeout = 30;
	c->network = true;
	c->nat = true;
	c->isolate_servers = true;
	c->pool = (struct net_pool){ .gateway = 0x0abb0001, .network = 0x0abb0000, .prefix = 24 };
	c->console_log_max = CONFIG_CONSOLE_LOG_MAX;
	c->image_max_size = CONFIG_IMAGE_MAX_SIZE;
	c->idmap_start = CONFIG_IDMAP_START;
	c->idmap_count = CONFIG_IDMAP_COUNT;
	c->vmm_ids_start = JAIL_IDS_START;
	c->vmm_ids_count = JAIL_IDS_COUNT;
	c->http_per_user = 64;
	c->http_root_reserve = 16;
	c->http_header_timeout = 10;
	c->http_body_rate = 1024;
	c->http_idle_timeout = 60;
	c->nplans = sizeof(default_plans) / sizeof(default_plans[0]);
	memcpy(c->plans, default_plans, sizeof(default_plans));
}

static int parse_uint(const char *v, unsigned max, unsigned *out, struct berth_error *err)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end || errno || n > max)
		return berr(err, 0, "'%s' is not a whole number from 0 to %u", v, max);
	*out = (unsigned)n;
	return 0;
}

/* A whole number from 1 to max. */
static int parse_count(const char *v, unsigned max, unsigned *out, struct berth_error *err)
{
	unsigned n;

	if (parse_uint(v, max, &n, err) || !n)
		return berr(err, 0, "'%s' is not a whole number from 1 to %u", v, max);
	*out = n;
	return 0;
}

static int parse_ratio(const char *v, double *out, struct berth_error *err)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (!isdigit((unsigned char)v[0]) || *end || errno || !(d >= 0.1 && d <= 100.0))
		return berr(err, 0, "'%s' is not a ratio from 0.1 to 100 (such as 1.0 or 4)", v);
	*out = d;
	return 0;
}

static int parse_path(const char *v, char *out, struct berth_error *err)
{
	if (v[0] != '/')
		return berr(err, 0, "'%s' is not an absolute path", v);
	if (strlen(v) >= PATH_MAX)
		return berr(err, 0, "the path is too long");
	strcpy(out, v);
	return 0;
}

static int parse_yes_no(const char *v, bool *out, struct berth_error *err)
{
	if (strcmp(v, "yes") && strcmp(v, "no"))
		return berr(err, 0, "'%s' is not yes or no", v);
	*out = strcmp(v, "yes") == 0;
	return 0;
}

/* `auto` (true) or `none` (false). */
static int parse_network(const char *v, bool *out, struct berth_error *err)
{
	if (strcmp(v, "auto") && strcmp(v, "none"))
		return berr(err, 0, "'%s' is not auto or none", v);
	*out = strcmp(v, "auto") == 0;
	return 0;
}

/* A network interface's name (`none`: no bridge). */
static int parse_ifname(const char *v, char *out, struct berth_error *err)
{
	size_t i, n = strlen(v);

	if (!strcmp(v, "none")) {
		*out = '\0';
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("_-.", v[i]))
			break;
	if (n == 0 || n > CONFIG_IFNAME_MAX || i < n)
		return berr(err, 0,
			    "'%s' is not an interface name (1 to %d letters, digits, '_', '-', "
			    "'.') or none",
			    v, CONFIG_IFNAME_MAX);
	strcpy(out, v);
	return 0;
}

/* A console log's cap: 0 (none) or at least CAPLOG_MIN. */
static int parse_console_max(const char *v, uint64_t *out, struct berth_error *err)
{
	if (size_parse(v, out, err))
		return -1;
	if (*out && *out < CAPLOG_MIN)
		return berr(err, 0, "'%s' is too small: give 0 (no cap) or at least 64K", v);
	return 0;
}

/* One optional item of a plan: KEY=VALUE of its I/O limits into l, or dedicated_cpus. */
static int parse_plan_item(const char *name, char *kv, struct server_limits *l, bool *dedicated,
			   struct berth_error *err)
{
	static const struct {
		const char *key;
		bool bytes;
		size_t off;
	} keys[] = {
		{ "disk_iops", false, offsetof(struct server_limits, disk_iops) },
		{ "disk_bps", true, offsetof(struct server_limits, disk_bps) },
		{ "net_bps", true, offsetof(struct server_limits, net_bps) },
	};
	char *eq = strchr(kv, '=');
	uint64_t *v;

	if (!strcmp(kv, "dedicated_cpus")) {
		if (*dedicated)
			return refuse(err, EINVAL, "plan %s: dedicated_cpus is given twice", name);
		*dedicated = true;
		return 0;
	}
	if (eq)
		*eq = '\0';
	for (size_t i = 0; eq && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(kv, keys[i].key))
			continue;
		v = (uint64_t *)((char *)l + keys[i].off);
		if (*v)
			return refuse(err, EINVAL, "plan %s: %s is given twice", name, kv);
		if (io_rate_parse(kv, eq + 1, keys[i].bytes, v, err))
			return berr_wrap(err, "plan %s", name);
		return 0;
	}
	return refuse(err, EINVAL,
		      "plan %s: unknown item '%s' (after NAME CPUS MEMORY DISK: disk_iops=N, "
		      "disk_bps=N, net_bps=N, dedicated_cpus)",
		      name, kv);
}

/* "NAME CPUS MEMORY DISK [disk_iops=N] [disk_bps=N] [net_bps=N] [dedicated_cpus]", such as
 * "small 1 512M 2G". */
static int parse_plan(char *v, struct config *c, bool *replaced, struct berth_error *err)
{
	char *name, *cpus, *mem, *disk, *extra, *save = NULL;
	struct plan p = { 0 };

	name = strtok_r(v, " \t", &save);
	cpus = strtok_r(NULL, " \t", &save);
	mem = strtok_r(NULL, " \t", &save);
	disk = strtok_r(NULL, " \t", &save);
	if (!disk || strchr(disk, '='))
		return berr(err, 0,
			    "a plan is 'NAME CPUS MEMORY DISK [disk_iops=N] [disk_bps=N] "
			    "[net_bps=N] [dedicated_cpus]', such as 'small 1 512M 2G'");
	if (name_check("plan", name, err))
		return -1;
	if (parse_uint(cpus, 1024, &p.cpus, err) || !p.cpus)
		return berr(err, 0, "plan %s: CPUs must be from 1 to 1024", name);
	if (size_parse(mem, &p.memory, err) || size_parse(disk, &p.disk, err))
		return berr_wrap(err, "plan %s", name);
	if (!p.memory)
		return berr(err, 0, "plan %s: memory must be more than 0", name);
	while ((extra = strtok_r(NULL, " \t", &save)))
		if (parse_plan_item(name, extra, &p.limits, &p.dedicated_cpus, err))
			return -1;
	if (!*replaced) {
		c->nplans = 0;
		*replaced = true;
	}
	if (config_plan(c, name))
		return berr(err, 0, "plan %s is defined twice", name);
	if (c->nplans == CONFIG_MAX_PLANS)
		return berr(err, 0, "too many plans (at most %d)", CONFIG_MAX_PLANS);
	strcpy(p.name, name);
	c->plans[c->nplans++] = p;
	return 0;
}

/* An image of less than a MiB is no image: a smaller limit is a typo. */
static int parse_image_max(const char *v, uint64_t *out, struct berth_error *err)
{
	if (size_parse(v, out, err))
		return -1;
	if (*out < (1ULL << 20))
		return berr(err, 0, "image_max_size must be at least 1M");
	return 0;
}

/* "START:COUNT": a pool of host ids (idmap: containers' ranges; vmm_ids: jailed VMMs). It
 * starts at 65536 or above, so that no host user below it (and no id a container's own files
 * hold before a shift) is in it; it holds at least MIN ids and ends below 2^32 - 1
 * ((uid_t)-1 is no id). */
static int parse_id_pool(const char *v, unsigned min, uint32_t *start_out, uint32_t *count_out,
			 struct berth_error *err)
{
	unsigned long long start, count;
	char *end;

	errno = 0;
	start = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end != ':' || errno ||
	    !isdigit((unsigned char)end[1]))
		return berr(err, 0, "'%s' is not START:COUNT (such as 1000000:1000000000)", v);
	count = strtoull(end + 1, &end, 10);
	if (*end || errno)
		return berr(err, 0, "'%s' is not START:COUNT (such as 1000000:1000000000)", v);
	if (start < 65536 || count < min || start + count > 0xffffffffULL)
		return berr(
		    err, 0,
		    "'%s': START must be 65536 or above, COUNT at least %u, and START+COUNT "
		    "at most 4294967295",
		    v, min);
	*start_out = (uint32_t)start;
	*count_out = (uint32_t)count;
	return 0;
}

/* `mount` (an idmapped mount where the kernel allows it, else a shift) or `shift`. */
static int parse_idmap_files(const char *v, bool *out, struct berth_error *err)
{
	if (strcmp(v, "mount") && strcmp(v, "shift"))
		return berr(err, 0, "'%s' is not mount or shift", v);
	*out = strcmp(v, "shift") == 0;
	return 0;
}

static int parse_setting(const char *key, char *v, struct config *c, bool *plans_replaced,
			 struct berth_error *err)
{
	if (!strcmp(key, "host_reserve_cpus"))
		return parse_uint(v, 65536, &c->host_reserve_cpus, err);
	if (!strcmp(key, "host_reserve_memory"))
		return size_parse(v, &c->host_reserve_memory, err);
	if (!strcmp(key, "host_reserve_disk"))
		return size_parse(v, &c->host_reserve_disk, err);
	if (!strcmp(key, "cpu_overcommit"))
		return parse_ratio(v, &c->cpu_overcommit, err);
	if (!strcmp(key, "stop_timeout"))
		return parse_uint(v, 3600, &c->stop_timeout, err);
	if (!strcmp(key, "vmm_path"))
		return parse_path(v, c->vmm_path, err);
	if (!strcmp(key, "ct_path"))
		return parse_path(v, c->ct_path, err);
	if (!strcmp(key, "network"))
		return parse_network(v, &c->network, err);
	if (!strcmp(key, "bridge"))
		return parse_ifname(v, c->bridge, err);
	if (!strcmp(key, "bridge_address"))
		return net_pool_parse(v, &c->pool, err);
	if (!strcmp(key, "nat"))
		return parse_yes_no(v, &c->nat, err);
	if (!strcmp(key, "isolate_servers"))
		return parse_yes_no(v, &c->isolate_servers, err);
	if (!strcmp(key, "console_path"))
		return parse_path(v, c->console_path, err);
	if (!strcmp(key, "console_log_max"))
		return parse_console_max(v, &c->console_log_max, err);
	if (!strcmp(key, "image_max_size"))
		return parse_image_max(v, &c->image_max_size, err);
	if (!strcmp(key, "idmap"))
		return parse_id_pool(v, CONFIG_IDMAP_SIZE, &c->idmap_start, &c->idmap_count, err);
	if (!strcmp(key, "idmap_files"))
		return parse_idmap_files(v, &c->idmap_shift, err);
	if (!strcmp(key, "vmm_ids"))
		return parse_id_pool(v, 1, &c->vmm_ids_start, &c->vmm_ids_count, err);
	if (!strcmp(key, "http_per_user"))
		return parse_count(v, 1u << 20, &c->http_per_user, err);
	if (!strcmp(key, "http_root_reserve"))
		return parse_count(v, 1024, &c->http_root_reserve, err);
	if (!strcmp(key, "http_header_timeout"))
		return parse_count(v, 3600, &c->http_header_timeout, err);
	if (!strcmp(key, "http_body_rate"))
		return parse_count(v, 1u << 30, &c->http_body_rate, err);
	if (!strcmp(key, "http_idle_timeout"))
		return parse_count(v, 86400, &c->http_idle_timeout, err);
	if (!strcmp(key, "plan"))
		return parse_plan(v, c, plans_replaced, err);
	return berr(err, 0, "unknown setting '%s' (see docs/berthd.md)", key);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int config_parse(const char *text, const char *origin, struct config *c, struct berth_error *err)
{
	_cleanup_free_ char *copy = strdup(text);
	char *line, *next, *eq, *key, *value;
	bool plans_replaced = false;
	unsigned lineno = 0;

	if (!copy)
		return berr(err, ENOMEM, "%s", origin);
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return berr(err, 0, "%s:%u: expected 'key = value'", origin, lineno);
		*eq = '\0';
		key = trim(line);
		value = trim(eq + 1);
		if (!*value)
			return berr(err, 0, "%s:%u: %s has no value", origin, lineno, key);
		if (parse_setting(key, value, c, &plans_replaced, err))
			return berr_wrap(err, "%s:%u: %s", origin, lineno, key);
	}
	/* a VMM's jail uid inside a container's range would own that container's files */
	if ((uint64_t)c->idmap_start < (uint64_t)c->vmm_ids_start + c->vmm_ids_count &&
	    (uint64_t)c->vmm_ids_start < (uint64_t)c->idmap_start + c->idmap_count)
		return berr(err, 0,
			    "%s: the pools idmap = %u:%u and vmm_ids = %u:%u overlap: give them "
			    "ranges apart",
			    origin, c->idmap_start, c->idmap_count, c->vmm_ids_start,
			    c->vmm_ids_count);
	return 0;
}

int config_load(const char *path, struct config *c, struct berth_error *err)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	config_defaults(c);
	f = fopen(path, "re");
	if (!f)
		return berr(err, errno, "cannot read config %s", path);
	text = calloc(1, 1 << 20);
	if (!text)
		return berr(err, ENOMEM, "config %s", path);
	len = fread(text, 1, (1 << 20) - 1, f);
	if (ferror(f))
		return berr(err, errno, "cannot read config %s", path);
	if (!feof(f) || len == (1 << 20) - 1)
		return berr(err, 0, "config %s is larger than 1 MiB", path);
	return config_parse(text, path, c, err);
}

static void find_tool(char *out, const char *exe_dir, const char *name)
{
	if (out[0])
		return;
	if (exe_dir && (size_t)snprintf(out, PATH_MAX, "%s/%s", exe_dir, name) < PATH_MAX &&
	    access(out, X_OK) == 0)
		return;
	snprintf(out, PATH_MAX, "/usr/local/bin/%s", name);
}

void config_find_tools(struct config *c)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *dir = NULL;

	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
	}
	find_tool(c->vmm_path, dir, "berth-vmm");
	find_tool(c->ct_path, dir, "berth-ct");
	find_tool(c->console_path, dir, "berth-console");
}

const struct plan *config_plan(const struct config *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->nplans; i++) {
		if (!strcmp(c->plans[i].name, name))
			return &c->plans[i];
	}
	return NULL;
}
