/* Unit tests for src/daemon/servers/bundle.c: the config.json of a container server, and the choice
 * of its PID 1 with the image's symlinks resolved inside the rootfs. */
#include "testlib.h"

#include <errno.h>
#include <sys/sysmacros.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/servers/bundle.h"
#include "daemon/images/copy.h"

static struct server test_server(void)
{
	struct server s = { .name = "web-1",
			    .image = "debian",
			    .kind = KIND_CT,
			    .cpus = 3,
			    .memory = 768ULL << 20 };

	return s;
}

/* The member at a dotted path ("linux.resources.memory.limit") of o. */
static json_t *at(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_object_get(o, path);
}

static bool array_has(json_t *a, const char *member, const char *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
	{
		json_t *x = member ? json_object_get(v, member) : v;

		if (json_is_string(x) && strcmp(json_string_value(x), value) == 0)
			return true;
	}
	return false;
}

static void test_config(void **state)
{
	static const char *const args[] = { "/sbin/init", NULL };
	struct server s = test_server();
	json_t *c = bundle_config(&s, "/var/lib/berth/servers/web-1/rootfs", args, false);
	json_t *ns;

	(void)state;
	assert_non_null(c);
	assert_string_equal(json_string_value(at(c, "root.path")),
			    "/var/lib/berth/servers/web-1/rootfs");
	assert_true(json_is_false(at(c, "root.readonly")));
	assert_string_equal(json_string_value(at(c, "hostname")), "web-1");
	assert_string_equal(json_string_value(json_array_get(at(c, "process.args"), 0)),
			    "/sbin/init");
	assert_int_equal(json_array_size(at(c, "process.args")), 1);
	assert_true(json_is_true(at(c, "process.terminal")));
	assert_int_equal(json_integer_value(at(c, "linux.resources.memory.limit")), 768LL << 20);
	assert_int_equal(json_integer_value(at(c, "linux.resources.memory.reservation")),
			 768LL << 20);
	assert_null(at(c, "linux.resources.unified")); /* no memory.min off cgroup v2 */
	assert_int_equal(json_integer_value(at(c, "linux.resources.cpu.quota")),
			 3 * BUNDLE_CPU_PERIOD);
	assert_int_equal(json_integer_value(at(c, "linux.resources.cpu.period")),
			 BUNDLE_CPU_PERIOD);
	assert_int_equal(json_integer_value(at(c, "linux.resources.pids.limit")), 4096);
	assert_string_equal(json_string_value(at(c, "linux.cgroupsPath")), "berth/web-1");
	ns = at(c, "linux.namespaces");
	assert_int_equal(json_array_size(ns), 6);
	assert_true(array_has(ns, "type", "pid"));
	assert_true(array_has(ns, "type", "network")); /* its own, empty but lo */
	assert_true(array_has(ns, "type", "mount"));
	assert_true(array_has(ns, "type", "uts"));
	assert_true(array_has(ns, "type", "ipc"));
	assert_true(array_has(ns, "type", "cgroup"));
	assert_true(array_has(at(c, "mounts"), "destination", "/proc"));
	assert_true(array_has(at(c, "mounts"), "destination", "/dev/pts"));
	assert_true(array_has(at(c, "process.capabilities.bounding"), NULL, "CAP_SYS_BOOT"));
	assert_false(array_has(at(c, "process.capabilities.bounding"), NULL, "CAP_SYS_ADMIN"));
	assert_true(array_has(at(c, "process.env"), NULL, "container=berth"));
	/* devices: deny all but the runtime's default ones */
	assert_true(json_is_false(
	    json_object_get(json_array_get(at(c, "linux.resources.devices"), 0), "allow")));
	json_decref(c);
}

/* A syscall rule of the profile refusing name, its errnoRet (0: none). */
static int refused_with(json_t *c, const char *name)
{
	size_t i;
	json_t *r;

	json_array_foreach(at(c, "linux.seccomp.syscalls"), i, r)
	{
		if (array_has(json_object_get(r, "names"), NULL, name))
			return (int)json_integer_value(json_object_get(r, "errnoRet"));
	}
	return 0;
}

/* A server with a range: a user namespace mapping 0..65535 to it, LXC's capabilities (not
 * the five it drops), the profile without keyring refusals; privileged (no range): no user
 * namespace, no SYS_ADMIN, keyring calls refused. */
/* The options of the mount at destination dest in config c. */
static json_t *mount_options(json_t *c, const char *dest)
{
	size_t i;
	json_t *m;

	json_array_foreach(at(c, "mounts"), i, m)
	{
		if (!strcmp(json_string_value(json_object_get(m, "destination")), dest))
			return json_object_get(m, "options");
	}
	return NULL;
}

static void test_confinement(void **state)
{
	static const char *const args[] = { "/sbin/init", NULL };
	struct server s = test_server();
	json_t *c, *caps, *m;

	(void)state;
	s.idmap = 1065536;
	c = bundle_config(&s, "/r", args, false);
	assert_non_null(c);
	assert_true(array_has(at(c, "linux.namespaces"), "type", "user"));
	m = json_array_get(at(c, "linux.uidMappings"), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "containerID")), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "hostID")), 1065536);
	assert_int_equal(json_integer_value(json_object_get(m, "size")), 65536);
	assert_true(json_equal(at(c, "linux.uidMappings"), at(c, "linux.gidMappings")));
	caps = at(c, "process.capabilities.bounding");
	assert_true(array_has(caps, NULL, "CAP_SYS_ADMIN")); /* over its own namespaces */
	assert_true(array_has(caps, NULL, "CAP_NET_ADMIN"));
	assert_false(array_has(caps, NULL, "CAP_SYS_MODULE"));
	assert_false(array_has(caps, NULL, "CAP_SYS_RAWIO"));
	assert_false(array_has(caps, NULL, "CAP_SYS_TIME"));
	assert_false(array_has(caps, NULL, "CAP_MAC_ADMIN"));
	assert_false(array_has(caps, NULL, "CAP_MAC_OVERRIDE"));
	assert_string_equal(json_string_value(at(c, "linux.seccomp.defaultAction")),
			    "SCMP_ACT_ALLOW");
	assert_int_equal(refused_with(c, "finit_module"), EPERM);
	assert_int_equal(refused_with(c, "kexec_load"), EPERM);
	assert_int_equal(refused_with(c, "open_by_handle_at"), EPERM);
	assert_int_equal(refused_with(c, "io_uring_setup"), ENOSYS);
	assert_int_equal(refused_with(c, "keyctl"), 0); /* its keyrings are its own */
	/* its cgroup is delegated to it (systemd as PID 1): writable; /run a tmpfs */
	assert_non_null(mount_options(c, "/sys/fs/cgroup"));
	assert_false(array_has(mount_options(c, "/sys/fs/cgroup"), NULL, "ro"));
	assert_true(array_has(mount_options(c, "/run"), NULL, "mode=755"));
	assert_true(array_has(mount_options(c, "/run/lock"), NULL, "mode=1777"));
	json_decref(c);

	s.idmap = 0;
	c = bundle_config(&s, "/r", args, false);
	assert_false(array_has(at(c, "linux.namespaces"), "type", "user"));
	assert_null(at(c, "linux.uidMappings"));
	assert_false(array_has(at(c, "process.capabilities.bounding"), NULL, "CAP_SYS_ADMIN"));
	assert_int_equal(refused_with(c, "keyctl"), ENOSYS);
	assert_int_equal(refused_with(c, "add_key"), ENOSYS);
	assert_int_equal(refused_with(c, "finit_module"), EPERM);
	assert_true(array_has(mount_options(c, "/sys/fs/cgroup"), NULL, "ro"));
	json_decref(c);
}

/* A plan's disk limits: read and write throttles of the device given, none without them. */
static void test_io_throttle(void **state)
{
	static const char *const args[] = { "/sbin/init", NULL };
	struct server s = test_server();
	json_t *c = bundle_config(&s, "/r", args, false), *t;

	(void)state;
	assert_int_equal(bundle_io_throttle(c, &s, makedev(7, 3)), 0);
	assert_int_equal(json_object_size(at(c, "linux.resources.blockIO")), 0);
	s.limits = (struct server_limits){ .disk_iops = 300, .disk_bps = 10 << 20 };
	assert_int_equal(bundle_io_throttle(c, &s, makedev(7, 3)), 0);
	t = json_array_get(at(c, "linux.resources.blockIO.throttleWriteIOPSDevice"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "major")), 7);
	assert_int_equal(json_integer_value(json_object_get(t, "minor")), 3);
	assert_int_equal(json_integer_value(json_object_get(t, "rate")), 300);
	t = json_array_get(at(c, "linux.resources.blockIO.throttleReadIOPSDevice"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "rate")), 300);
	t = json_array_get(at(c, "linux.resources.blockIO.throttleReadBpsDevice"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "rate")), 10 << 20);
	t = json_array_get(at(c, "linux.resources.blockIO.throttleWriteBpsDevice"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "minor")), 3);
	s.limits = (struct server_limits){ .disk_bps = 4096 };
	assert_int_equal(bundle_io_throttle(c, &s, makedev(259, 1048575)), 0);
	assert_null(at(c, "linux.resources.blockIO.throttleReadIOPSDevice"));
	t = json_array_get(at(c, "linux.resources.blockIO.throttleReadBpsDevice"), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "major")), 259);
	assert_int_equal(json_integer_value(json_object_get(t, "minor")), 1048575);
	json_decref(c);
}

static void test_config_big_values(void **state)
{
	static const char *const args[] = { "/bin/sh", "-c", "x", NULL };
	struct server s = test_server();
	json_t *c;

	(void)state;
	s.cpus = 255;
	s.memory = 1ULL << 40;
	c = bundle_config(&s, "/r", args, true);
	assert_non_null(c);
	assert_int_equal(json_integer_value(at(c, "linux.resources.memory.limit")), 1LL << 40);
	assert_int_equal(json_integer_value(at(c, "linux.resources.memory.reservation")),
			 1LL << 40);
	/* on cgroup v2 the reservation is also a guarantee (the key has a dot: no at()) */
	assert_string_equal(
	    json_string_value(json_object_get(at(c, "linux.resources.unified"), "memory.min")),
	    "1099511627776");
	/* and a tenant's cgroups are bounded: how many, how deep */
	assert_string_equal(json_string_value(json_object_get(at(c, "linux.resources.unified"),
							      "cgroup.max.descendants")),
			    BUNDLE_CGROUPS_MAX);
	assert_string_equal(json_string_value(json_object_get(at(c, "linux.resources.unified"),
							      "cgroup.max.depth")),
			    BUNDLE_CGROUP_DEPTH);
	assert_int_equal(json_object_size(at(c, "linux.resources.unified")), 3);
	assert_int_equal(json_integer_value(at(c, "linux.resources.cpu.quota")),
			 255LL * BUNDLE_CPU_PERIOD);
	assert_int_equal(json_array_size(at(c, "process.args")), 3);
	json_decref(c);
}

struct tree {
	char dir[64];
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	strcpy(t->dir, "/tmp/berth-bundle.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	struct berth_error err;

	remove_tree(t->dir, &err);
	free(t);
	return 0;
}

static void sh(const char *dir, const char *cmd)
{
	char line[512];

	snprintf(line, sizeof(line), "cd %s && %s", dir, cmd);
	assert_int_equal(system(line), 0);
}

static const char *init_of(struct tree *t)
{
	return bundle_init_args(t->dir)[0];
}

static void test_init_choice(void **state)
{
	struct tree *t = *state;

	sh(t->dir,
	   "mkdir -p sbin bin && printf '#!/bin/sh\\n' > bin/busybox && chmod 755 bin/busybox");
	assert_string_equal(init_of(t), "/bin/sh"); /* no /sbin/init */
	/* an absolute symlink resolves inside the rootfs, not on the host */
	sh(t->dir, "ln -s /bin/busybox sbin/init");
	assert_string_equal(init_of(t), "/sbin/init");
	sh(t->dir, "rm sbin/init && ln -s /bin/nothing-here sbin/init");
	assert_string_equal(init_of(t), "/bin/sh"); /* dangling in the rootfs (fine on the host) */
	sh(t->dir, "rm sbin/init && ln -s ../../../../../../bin/busybox sbin/init");
	assert_string_equal(init_of(t), "/sbin/init"); /* .. stops at the rootfs */
	sh(t->dir, "rm sbin/init && printf x > sbin/init && chmod 644 sbin/init");
	assert_string_equal(init_of(t), "/bin/sh"); /* not executable */
	sh(t->dir, "rm sbin/init && mkdir sbin/init");
	assert_string_equal(init_of(t), "/bin/sh"); /* a directory */
	assert_string_equal(bundle_init_args("/nonexistent/rootfs")[0], "/bin/sh");
}

static void test_stop_signal(void **state)
{
	struct tree *t = *state;

	sh(t->dir, "mkdir -p sbin bin lib/systemd && printf x > bin/busybox && printf x > "
		   "lib/systemd/systemd"
		   " && chmod 755 bin/busybox lib/systemd/systemd");
	assert_string_equal(bundle_stop_signal(t->dir), "TERM"); /* no init: the shell */
	sh(t->dir, "ln -s /bin/busybox sbin/init");
	assert_string_equal(bundle_stop_signal(t->dir), "TERM");
	sh(t->dir, "rm sbin/init && ln -s /lib/systemd/systemd sbin/init");
	assert_string_equal(bundle_stop_signal(t->dir), "RTMIN+3");
	assert_string_equal(bundle_stop_signal("/nonexistent/rootfs"), "TERM");
}

static void test_write(void **state)
{
	struct tree *t = *state;
	struct server s = test_server();
	struct berth_error err = { 0 };
	char path[128];
	json_t *c;

	snprintf(s.dir, sizeof(s.dir), "%s", t->dir);
	sh(t->dir, "mkdir -p rootfs/sbin && touch rootfs/sbin/init && chmod 755 rootfs/sbin/init");
	assert_int_equal(bundle_write(&s, &err), 0);
	s.memory = 1ULL << 30; /* written again (as before each start): replaced */
	assert_int_equal(bundle_write(&s, &err), 0);
	snprintf(path, sizeof(path), "%s/bundle/config.json", t->dir);
	c = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(c);
	assert_int_equal(json_integer_value(at(c, "linux.resources.memory.limit")), 1LL << 30);
	/* memory.min where the host is pure cgroup v2 with memory (the rig), not on hybrid */
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) < 0)
		assert_false(bundle_memory_min());
	if (bundle_memory_min())
		assert_string_equal(json_string_value(json_object_get(
					at(c, "linux.resources.unified"), "memory.min")),
				    "1073741824");
	else
		assert_null(at(c, "linux.resources.unified"));
	assert_string_equal(json_string_value(json_array_get(at(c, "process.args"), 0)),
			    "/sbin/init");
	snprintf(path, sizeof(path), "%s/rootfs", t->dir);
	assert_string_equal(json_string_value(at(c, "root.path")), path);
	json_decref(c);
	snprintf(path, sizeof(path), "%s/bundle/config.json.tmp", t->dir);
	assert_int_equal(access(path, F_OK), -1);

	snprintf(s.dir, sizeof(s.dir), "%s/missing/dir", t->dir);
	assert_int_equal(bundle_write(&s, &err), -1);
	assert_contains(err.msg, "missing/dir/bundle");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_big_values),
		cmocka_unit_test(test_confinement),
		cmocka_unit_test(test_io_throttle),
		cmocka_unit_test_setup_teardown(test_init_choice, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_stop_signal, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_write, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
