/* spec.c - the starter config.json of `spec` and the features JSON of `features`. */
#include "ct/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "ct/names.h"

static const char spec_template[] =
    "{\n"
    "\t\"ociVersion\": \"" CT_SPEC_VERSION "\",\n"
    "\t\"process\": {\n"
    "\t\t\"terminal\": %s,\n"
    "\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n"
    "\t\t\"args\": [\"sh\"],\n"
    "\t\t\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
    "\"TERM=xterm\"],\n"
    "\t\t\"cwd\": \"/\",\n"
    "\t\t\"capabilities\": {\n"
    "\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
    "\t\t},\n"
    "\t\t\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
    "\t\t\"noNewPrivileges\": true\n"
    "\t},\n"
    "\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "\t\"hostname\": \"berth\",\n"
    "\t\"mounts\": [\n"
    "\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
    "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
    "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s]},\n"
    "\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
    "\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
    "\t\t{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
    "\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
    "\t],\n"
    "\t\"linux\": {\n"
    "%s"
    "\t\t\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
    "\t\t\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, "
    "{\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}%s],\n"
    "\t\t\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
    "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
    "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
    "\t\t\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
    "\"/proc/sysrq-trigger\"]\n"
    "\t}\n"
    "}\n";

int spec_write(const char *dir, bool rootless, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	int fd;

	if (asprintf(&path, "%s/config.json", dir) < 0) {
		path = NULL;
		return berr(err, ENOMEM, "config.json");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return berr(err, errno, "create `%s`", path);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return berr(err, errno, "write `%s`", path);
	}
	fprintf(
	    f, spec_template, rootless ? "false" : "true", rootless ? "" : ", \"gid=5\"",
	    rootless
		? "\t\t\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],\n"
		  "\t\t\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],\n"
		: "",
	    rootless ? ", {\"type\": \"user\"}" : "");
	if (fflush(f) != 0)
		return berr(err, errno, "write `%s`", path);
	return 0;
}

static json_t *name_list(int table)
{
	json_t *a = json_array();
	const char *n;
	unsigned i;

	for (i = 0; (n = names_list(table, i)); i++)
		json_array_append_new(a, json_string(n));
	return a;
}

int spec_features(struct berth_error *err)
{
	json_auto_t *o = NULL;
	json_t *caps = json_array(), *lx;
	_cleanup_free_ char *s = NULL;
	int cap;

	for (cap = 0; cap < cap_max_bits(); cap++) {
		char *name = cap_to_name(cap);
		char upper[64];
		size_t i;

		for (i = 0; name && name[i] && i < sizeof(upper) - 1; i++)
			upper[i] =
			    (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
		upper[i] = '\0';
		json_array_append_new(caps, json_string(upper));
		cap_free(name);
	}
	o = json_pack("{s:s, s:s, s:[s,s,s,s,s,s], s:o}", "ociVersionMin", "1.0.0", "ociVersionMax",
		      CT_SPEC_VERSION, "hooks", "prestart", "createRuntime", "createContainer",
		      "startContainer", "poststart", "poststop", "mountOptions",
		      name_list(NAMES_MOUNT_OPTIONS));
	lx = json_pack("{s:o, s:o, s:{s:b, s:b, s:b}, s:{s:b, s:o, s:o, s:o, s:o}, s:{s:b}, "
		       "s:{s:b}}",
		       "namespaces", name_list(NAMES_NAMESPACES), "capabilities", caps, "cgroup",
		       "v1", 1, "v2", 1, "systemd", 0, "seccomp", "enabled", 1, "actions",
		       name_list(NAMES_SECCOMP_ACTIONS), "operators", name_list(NAMES_SECCOMP_OPS),
		       "archs", name_list(NAMES_SECCOMP_ARCHES), "knownFlags",
		       name_list(NAMES_SECCOMP_FLAGS), "apparmor", "enabled", 0, "selinux",
		       "enabled", 0);
	if (!o || !lx)
		return berr(err, ENOMEM, "features");
	json_object_set_new(o, "linux", lx);
	s = json_dumps(o, JSON_INDENT(2));
	if (!s)
		return berr(err, ENOMEM, "features");
	printf("%s\n", s);
	return 0;
}
