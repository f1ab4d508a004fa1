/* bundle.c - the OCI config.json of a system container.
 *
 * A berth container is a small machine, not an application: its own PID 1 (the image's
 * init), its own hostname and network namespace, a hard memory limit with the same amount
 * reserved (memory.min on cgroup v2, the soft limit on v1, as berth-ct maps it), a CPU quota
 * of its vCPUs and a pids limit. It is rewritten before every start, so a resize applies at
 * the next start and the rootfs path follows the server directory's final name. */
#include "daemon/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "daemon/server_files.h"

static const char *const init_args[] = {"/sbin/init", NULL};

/* PID 1 without an init: a shell that stays until SIGTERM (PID 1 ignores signals it has no
 * handler for, hence the trap). */
static const char *const shell_args[] = {
    "/bin/sh", "-c", "trap 'exit 0' TERM; while sleep 3600 & wait $!; do :; done", NULL};

/* What a system container may do as root without a user namespace: Docker's default set,
 * plus NET_ADMIN for its own network namespace and SYS_BOOT so that its init's reboot()
 * ends the container (the kernel turns it into the exit of the pid namespace's init). */
static const char *const caps[] = {
    "CAP_CHOWN",	"CAP_DAC_OVERRIDE", "CAP_FSETID",	    "CAP_FOWNER",   "CAP_MKNOD",
    "CAP_NET_RAW",	"CAP_SETGID",	    "CAP_SETUID",	    "CAP_SETFCAP",  "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",	    "CAP_AUDIT_WRITE", "CAP_NET_ADMIN",
    "CAP_SYS_BOOT",	NULL};

static const char *const namespaces[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};

static const char *const masked[] = {"/proc/acpi",	    "/proc/asound",	"/proc/kcore",
				     "/proc/keys",	    "/proc/latency_stats", "/proc/timer_list",
				     "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
				     "/proc/scsi",	    NULL};

static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
				       "/proc/sysrq-trigger", NULL};

static const char mounts_json[] =
    "["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
    "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}"
    "]";

const char *const *bundle_init_args(const char *rootfs)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (root < 0)
		return shell_args;
	/* the image's symlinks (/sbin/init -> /lib/systemd/systemd) resolve inside the rootfs */
	fd = (int)syscall(SYS_openat2, root, "sbin/init", &how, sizeof(how));
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return shell_args;
	return init_args;
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

json_t *bundle_config(const struct server *s, const char *rootfs, const char *const *args)
{
	json_t *cap_set = string_array(caps);
	char cgroup[sizeof("berth/") + SERVER_NAME_MAX];

	if (!cap_set)
		return NULL;
	snprintf(cgroup, sizeof(cgroup), "berth/%s", s->name);
	/* "o" steals a reference and json_pack frees what it stole on failure */
	return json_pack(
	    "{s:s, s:{s:b, s:{s:i, s:i}, s:o, s:[s,s,s], s:s, s:{s:O, s:O, s:o}, s:b},"
	    " s:{s:s, s:b}, s:s, s:o,"
	    " s:{s:s, s:o, s:{s:{s:I, s:I}, s:{s:I, s:I}, s:{s:I}, s:[{s:b, s:s}]}, s:o, s:o}}",
	    "ociVersion", "1.0.2",
	    "process", "terminal", 0, "user", "uid", 0, "gid", 0, "args", string_array(args), "env",
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=linux",
	    "container=berth", "cwd", "/", "capabilities", "bounding", cap_set, "effective", cap_set,
	    "permitted", cap_set, "noNewPrivileges", 0,
	    "root", "path", rootfs, "readonly", 0,
	    "hostname", s->name,
	    "mounts", json_loads(mounts_json, 0, NULL),
	    "linux", "cgroupsPath", cgroup, "namespaces", namespace_list(),
	    "resources",
	    "memory", "limit", (json_int_t)s->memory, "reservation", (json_int_t)s->memory,
	    "cpu", "quota", (json_int_t)s->cpus * BUNDLE_CPU_PERIOD, "period", (json_int_t)BUNDLE_CPU_PERIOD,
	    "pids", "limit", (json_int_t)BUNDLE_PIDS_LIMIT,
	    "devices", "allow", 0, "access", "rwm",
	    "maskedPaths", string_array(masked), "readonlyPaths", string_array(readonly));
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
	config = bundle_config(s, rootfs, bundle_init_args(rootfs));
	if (!config)
		return berr(err, ENOMEM, "bundle of %s", s->name);
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
