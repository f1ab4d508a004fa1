/* bundle.c - the OCI config.json of a system container.
 *
 * A berth container is a small machine, not an application: its own PID 1 (the image's
 * init), its own hostname and network namespace, a hard memory limit of its reservation, a
 * CPU quota of its vCPUs and a pids limit. The same amount is guaranteed (memory.min, in
 * linux.resources.unified, beside the bounds of the cgroup subtree its own systemd makes)
 * only on a cgroup v2 host with the memory controller; elsewhere there is the reservation
 * alone, which berth-ct maps to the soft limit on v1 (no guarantee) and to memory.low on
 * v2.
 * It is rewritten before every start, so a resize applies at the next start and the rootfs
 * path follows the server directory's final name. */
#include "daemon/servers/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/servers/ct_confine.h"
#include "daemon/images/oci.h"
#include "daemon/servers/server_files.h"

static const char *const init_args[] = { "/sbin/init", NULL };

/* PID 1 without an init: a shell that stays until SIGTERM (PID 1 ignores signals it has no
 * handler for, hence the trap). */
static const char *const shell_args[] = {
	"/bin/sh", "-c", "trap 'exit 0' TERM; while sleep 3600 & wait $!; do :; done", NULL
};

static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };

static const char *const masked[] = { "/proc/acpi",
				      "/proc/asound",
				      "/proc/kcore",
				      "/proc/keys",
				      "/proc/latency_stats",
				      "/proc/timer_list",
				      "/proc/timer_stats",
				      "/proc/sched_debug",
				      "/sys/firmware",
				      "/proc/scsi",
				      NULL };

static const char *const readonly[] = { "/proc/bus",	       "/proc/fs", "/proc/irq", "/proc/sys",
					"/proc/sysrq-trigger", NULL };

static const char mounts_json[] =
    "["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]}"
    ","
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]},"
    "{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"nodev\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/run/lock\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"mode=1777\",\"size=5120k\"]}"
    "]";

/* The mounts of s: its cgroup is writable when s has a user namespace, where berth-ct
 * hands the cgroup to the container's root (a delegated subtree, which systemd as PID 1
 * needs); a privileged container's root is the host's, and its cgroup stays read-only. */
static json_t *mounts_section(const struct server *s)
{
	json_t *m = json_loads(mounts_json, 0, NULL), *mount, *opt;
	size_t i, j;

	if (!m || !s->idmap)
		return m;
	json_array_foreach(m, i, mount)
	{
		json_t *opts = json_object_get(mount, "options");

		if (strcmp(json_string_value(json_object_get(mount, "type")), "cgroup"))
			continue;
		json_array_foreach(opts, j, opt) if (!strcmp(json_string_value(opt), "ro") &&
						     json_array_remove(opts, j) < 0)
		{
			json_decref(m);
			return NULL;
		}
	}
	return m;
}

/* The rootfs's /sbin/init as an O_PATH fd when it is an executable file, else -1. The
 * image's symlinks (/sbin/init -> /lib/systemd/systemd) resolve inside the rootfs. */
static int open_init(const char *rootfs)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;
	struct stat st;

	if (root < 0)
		return -1;
	fd = (int)syscall(SYS_openat2, root, "sbin/init", &how, sizeof(how));
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))) {
		close(fd);
		return -1;
	}
	return fd;
}

const char *const *bundle_init_args(const char *rootfs)
{
	_cleanup_close_ int fd = open_init(rootfs);

	return fd < 0 ? shell_args : init_args;
}

const char *bundle_stop_signal(const char *rootfs)
{
	_cleanup_close_ int fd = open_init(rootfs);
	char link[64], target[PATH_MAX], *base;
	ssize_t n;

	if (fd < 0)
		return "TERM";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return "TERM";
	target[n] = '\0';
	base = strrchr(target, '/');
	/* systemd takes SIGTERM as "re-execute yourself"; SIGRTMIN+3 is its halt */
	return strcmp(base ? base + 1 : target, "systemd") == 0 ? "RTMIN+3" : "TERM";
}

static json_t *string_array(const char *const *v)
{
	json_t *a = json_array();

	for (; a && *v; v++)
		if (json_array_append_new(a, json_string(*v)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *namespace_list(void)
{
	json_t *a = json_array();
	const char *const *n;

	for (n = namespaces; a && *n; n++)
		if (json_array_append_new(a, json_pack("{s:s}", "type", *n)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

bool bundle_memory_min(void)
{
	_cleanup_fclose_ FILE *f = fopen("/sys/fs/cgroup/cgroup.controllers", "re");
	char line[512], *tok, *save;

	if (!f || !fgets(line, sizeof(line), f))
		return false;
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, "memory"))
			return true;
	return false;
}

/* The json_pack calls below keep one member per line, so clang-format leaves them alone.
 * ("o" hands a reference to json_pack, which releases it also when it fails.) */
/* clang-format off */

/* process: PID 1 as root on a terminal (its console), the capabilities of a system
 * container (ct_confine.h). */
static json_t *process_section(const struct server *s, const char *const *args)
{
	json_t *cap_set = confine_caps(s);

	if (!cap_set)
		return NULL;
	return json_pack("{s:b, s:{s:i, s:i}, s:o, s:[s,s,s], s:s, s:{s:O, s:O, s:o}, s:b}",
			 "terminal", 1,
			 "user", "uid", 0, "gid", 0,
			 "args", string_array(args),
			 "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "TERM=linux", "container=berth",
			 "cwd", "/",
			 "capabilities", "bounding", cap_set, "effective", cap_set, "permitted", cap_set,
			 "noNewPrivileges", 0);
}

/* linux.resources: what the server reserved, as hard limits (and on v2 the memory
 * guarantee and the bounds of its cgroup subtree); devices: none but the runtime's default
 * ones. */
static json_t *resources_section(const struct server *s, bool memory_min)
{
	char bytes[32];
	json_t *r = json_pack("{s:{s:I, s:I}, s:{s:I, s:I}, s:{s:I}, s:[{s:b, s:s}]}",
			      "memory", "limit", (json_int_t)s->memory,
			      "reservation", (json_int_t)s->memory,
			      "cpu", "quota", (json_int_t)s->cpus * BUNDLE_CPU_PERIOD,
			      "period", (json_int_t)BUNDLE_CPU_PERIOD,
			      "pids", "limit", (json_int_t)BUNDLE_PIDS_LIMIT,
			      "devices", "allow", 0, "access", "rwm");

	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)s->memory);
	if (r && memory_min &&
	    json_object_set_new(r, "unified",
				json_pack("{s:s, s:s, s:s}",
					  "memory.min", bytes,
					  "cgroup.max.descendants", BUNDLE_CGROUPS_MAX,
					  "cgroup.max.depth", BUNDLE_CGROUP_DEPTH)) < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *bundle_config(const struct server *s, const char *rootfs, const char *const *args,
		      bool memory_min)
{
	char cgroup[sizeof("berth/") + SERVER_NAME_MAX];
	json_t *c;

	snprintf(cgroup, sizeof(cgroup), "berth/%s", s->name);
	c = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:{s:s, s:o, s:o, s:o, s:o}}",
			 "ociVersion", "1.0.2",
			 "process", process_section(s, args),
			 "root", "path", rootfs, "readonly", 0,
			 "hostname", s->name,
			 "mounts", mounts_section(s),
			 "linux", "cgroupsPath", cgroup, "namespaces", namespace_list(),
			 "resources", resources_section(s, memory_min),
			 "maskedPaths", string_array(masked), "readonlyPaths", string_array(readonly));
	/* its user namespace and seccomp profile (ct_confine.h) */
	if (c && confine_linux(json_object_get(c, "linux"), s) < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* clang-format on */

int bundle_io_throttle(json_t *config, const struct server *s, dev_t dev)
{
	static const char *const keys[] = { "throttleReadIOPSDevice", "throttleWriteIOPSDevice",
					    "throttleReadBpsDevice", "throttleWriteBpsDevice" };
	json_t *res = json_object_get(json_object_get(config, "linux"), "resources");
	json_t *io = json_object();

	if (!res || !io || json_object_set_new(res, "blockIO", io) < 0)
		return -1;
	for (int i = 0; i < 4; i++) {
		uint64_t rate = i < 2 ? s->limits.disk_iops : s->limits.disk_bps;

		/* read and write alike: a plan sells the disk's rate, in each direction */
		if (rate &&
		    json_object_set_new(
			io, keys[i],
			json_pack("[{s:I, s:I, s:I}]", "major", (json_int_t)major(dev), "minor",
				  (json_int_t)minor(dev), "rate", (json_int_t)rate)) < 0)
			return -1;
	}
	return 0;
}

/* The disk limits for the device the rootfs is mounted from (its loop device): the
 * container's own disk. */
static int add_io_throttle(json_t *config, const struct server *s, const char *rootfs,
			   struct berth_error *err)
{
	struct stat st;

	if (!s->limits.disk_iops && !s->limits.disk_bps)
		return 0;
	if (stat(rootfs, &st) < 0)
		return berr(err, errno, "stat `%s`", rootfs);
	if (bundle_io_throttle(config, s, st.st_dev) < 0)
		return berr(err, ENOMEM, "bundle of %s", s->name);
	return 0;
}

int bundle_write(const struct server *s, struct berth_error *err)
{
	char rootfs[PATH_MAX], dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	json_t *config;
	int rc;

	if (server_file(rootfs, s, "rootfs", err) < 0 || server_file(dir, s, "bundle", err) < 0 ||
	    server_file(path, s, "bundle/config.json", err) < 0 ||
	    server_file(tmp, s, "bundle/config.json.tmp", err) < 0)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return berr(err, errno, "create `%s`", dir);
	config = bundle_config(s, rootfs, bundle_init_args(rootfs), bundle_memory_min());
	if (!config)
		return berr(err, ENOMEM, "bundle of %s", s->name);
	if (add_io_throttle(config, s, rootfs, err) < 0) {
		json_decref(config);
		return -1;
	}
	/* An OCI image's entrypoint, env and working directory (docs/images.md). */
	if (oci_process_apply(config, s->image_dir, err) < 0) {
		json_decref(config);
		return berr_wrap(err, "bundle of %s", s->name);
	}
	rc = json_dump_file(config, tmp, JSON_INDENT(2));
	json_decref(config);
	if (rc < 0) {
		rc = berr(err, errno, "write `%s`", tmp);
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) < 0) {
		rc = berr(err, errno, "rename `%s` to `%s`", tmp, path);
		unlink(tmp);
		return rc;
	}
	return 0;
}
