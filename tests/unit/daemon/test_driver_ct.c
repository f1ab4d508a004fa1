/* Unit tests for src/daemon/servers/driver_ct.c: real containers from a busybox rootfs, run by the
 * real berth-ct on this host (root needed): provision (into the server's own ext4 disk),
 * start, alive, stop, cleanup, resize. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "driver_fixture.h"
#include "daemon/servers/ct_rootfs.h"
#include "daemon/servers/proc.h"
#include "daemon/servers/server_files.h"

/* A busybox image whose init records its hostname at boot and runs one service; without
 * init when with_init is false (PID 1 is then the driver's waiting shell). */
static void make_image(struct drv_fixture *f, bool with_init)
{
	const char *r = f->s.image_dir;

	fixture_sh(
	    "set -e; r=%s/rootfs; mkdir -p $r/bin $r/sbin $r/proc $r/sys $r/dev $r/etc $r/tmp;"
	    "cp /bin/busybox $r/bin/busybox;"
	    "for a in $(/bin/busybox --list); do [ -e $r/bin/$a ] || ln -s busybox $r/bin/$a; done;"
	    "chmod 1777 $r/tmp; echo 'root:x:0:0:root:/root:/bin/sh' > $r/etc/passwd",
	    r);
	if (with_init)
		fixture_sh("set -e; r=%s/rootfs; ln -s ../bin/busybox $r/sbin/init;"
			   "printf '%%s\\n' \"::sysinit:/bin/sh -c 'hostname > /tmp/booted'\""
			   " '::respawn:/bin/sleep 1000' > $r/etc/inittab",
			   r);
	else
		fixture_sh("rm -f %s/rootfs/bin/init", r);
}

static int setup(void **state)
{
	const char *why = fixture_unusable(false);
	struct drv_fixture *f;

	if (why) {
		fprintf(stderr, "skipped: %s\n", why);
		*state = NULL;
		return 0;
	}
	f = fixture_new(KIND_CT);
	f->s.cpus = 1;
	f->s.memory = 256 << 20;
	f->s.disk = 64 << 20;
	snprintf(f->s.name, sizeof(f->s.name), "berth-drv-test-%d", (int)getpid());
	*state = f;
	return 0;
}

static struct drv_fixture *fixture(void **state)
{
	if (!*state)
		skip();
	return *state;
}

static void provision(struct drv_fixture *f, bool with_init)
{
	struct berth_error err = { 0 };

	make_image(f, with_init);
	if (f->ops->provision(&f->s, &f->env, fixture_progress, f, &err) < 0)
		fail_msg("provision: %s", err.msg);
}

static bool file_has(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "r");

	if (!fp)
		return false;
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, text) == 0;
}

/* Is path a mount point (another file system than its parent's)? */
static bool mounted(const char *path)
{
	char parent[PATH_MAX];
	struct stat a, b;

	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* Is a loop device backed by server f's disk, 5 s after it was let go? (The kernel clears
 * an autoclear loop device after its last close, on a work queue of its own.) */
static bool disk_on_loop(struct drv_fixture *f)
{
	char cmd[PATH_MAX + 64];
	int i;

	snprintf(cmd, sizeof(cmd), "losetup -j %s/disk.ext4 | grep -q .", f->s.dir);
	for (i = 0; i < 50; i++) {
		if (system(cmd) != 0)
			return false;
		usleep(100 * 1000);
	}
	return true;
}

/* Server f's disk is neither mounted on its rootfs nor on a loop device. */
static void assert_unmounted(struct drv_fixture *f)
{
	struct berth_error err;
	char rootfs[PATH_MAX];

	assert_int_equal(server_file(rootfs, &f->s, "rootfs", &err), 0);
	assert_false(mounted(rootfs));
	assert_false(disk_on_loop(f));
}

/* Wait (bounded) for path to hold text as its first line. */
static bool wait_file(const char *path, const char *text)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (file_has(path, text))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static void test_provision_copies_image(void **state)
{
	struct drv_fixture *f = fixture(state);
	char img[PATH_MAX], own[PATH_MAX], cfg[PATH_MAX];
	struct berth_error err;
	struct stat a, b;
	json_t *config;

	provision(f, true);
	/* its own disk of the size reserved, sparse, not mounted once provisioned */
	assert_int_equal(server_file(own, &f->s, "disk.ext4", &err), 0);
	assert_int_equal(stat(own, &b), 0);
	assert_int_equal(b.st_size, 64 << 20);
	assert_true(b.st_blocks * 512 < b.st_size / 2);
	assert_unmounted(f);
	assert_int_equal(server_file(own, &f->s, "rootfs", &err), 0);
	assert_int_equal(ct_rootfs_mount(&f->s, false, &err), 0);
	assert_true(mounted(own));

	assert_int_equal(image_file(img, &f->s, "rootfs/bin/busybox", &err), 0);
	assert_int_equal(server_file(own, &f->s, "rootfs/bin/busybox", &err), 0);
	assert_int_equal(stat(img, &a), 0);
	assert_int_equal(stat(own, &b), 0);
	/* a real copy: the container must never change its image */
	assert_true(a.st_ino != b.st_ino || a.st_dev != b.st_dev);
	assert_int_equal(a.st_size, b.st_size);
	assert_int_equal(f->last_progress, 100);

	assert_int_equal(server_file(cfg, &f->s, "bundle/config.json", &err), 0);
	config = json_load_file(cfg, 0, NULL);
	assert_non_null(config);
	assert_int_equal(server_file(own, &f->s, "rootfs", &err), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(config, "root"), "path")), own);
	assert_string_equal(json_string_value(json_object_get(config, "hostname")), f->s.name);
	json_decref(config);
	assert_int_equal(ct_rootfs_unmount(&f->s, &err), 0);
	assert_unmounted(f);
}

static void test_disk_too_small(void **state)
{
	struct drv_fixture *f = fixture(state);
	struct berth_error err = { 0 };

	make_image(f, true);
	fixture_sh("head -c 62M /dev/urandom > %s/rootfs/big", f->s.image_dir);
	fixture_sh("mkdir -p %s", f->s.dir);
	assert_int_equal(f->ops->provision(&f->s, &f->env, NULL, NULL, &err), -1);
	assert_contains(err.msg, "its disk of 64 MiB is too small for image img");
	assert_contains(err.msg, "larger --disk");
	assert_unmounted(f);
}

/* Is CAP_SYS_RESOURCE in our effective set (an online ext4 resize needs it)? */
static bool has_cap_sys_resource(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	return eff >> 24 & 1; /* CAP_SYS_RESOURCE */
}

static void test_resize_grows_the_disk(void **state)
{
	struct drv_fixture *f = fixture(state);
	struct berth_error err = { 0 };
	char path[PATH_MAX];
	struct stat st;

	provision(f, true);
	f->s.disk = 96 << 20;
	assert_int_equal(f->ops->resize(&f->s, &f->env, false, &err), 0);
	assert_int_equal(server_file(path, &f->s, "disk.ext4", &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 96 << 20);
	/* the file system grew with it, and still holds the tree */
	fixture_sh("dumpe2fs -h %s 2>/dev/null | awk -F: '/^Block count/ {c = $2}"
		   " /^Block size/ {b = $2} END {exit c * b != %d}'",
		   path, 96 << 20);
	fixture_start(f);
	assert_int_equal(server_file(path, &f->s, "rootfs/tmp/booted", &err), 0);
	assert_true(wait_file(path, f->s.name));
	/* while it runs, online: the loop device takes the file's size and resize2fs grows
	 * the mounted file system, which needs CAP_SYS_RESOURCE (EXT4_IOC_RESIZE_FS) */
	f->s.disk = 128 << 20;
	assert_int_equal(server_file(path, &f->s, "rootfs", &err), 0);
	if (has_cap_sys_resource()) {
		struct statvfs vfs;

		assert_int_equal(f->ops->resize(&f->s, &f->env, true, &err), 0);
		assert_int_equal(statvfs(path, &vfs), 0);
		assert_true((uint64_t)vfs.f_blocks * vfs.f_frsize > 112 << 20);
	} else {
		assert_int_equal(f->ops->resize(&f->s, &f->env, true, &err), -1);
		assert_contains(err.msg, "resize2fs failed");
	}
	assert_int_equal(server_file(path, &f->s, "disk.ext4", &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 128 << 20);
	fixture_stop(f, false, 10);
	f->s.pid = 0;
	f->ops->cleanup(&f->s, &f->env);
	f->s.disk = 96 << 20;
	assert_int_equal(f->ops->resize(&f->s, &f->env, false, &err), -1);
	assert_contains(err.msg, "cannot shrink");
	/* its own size again, stopped: nothing to do, or, where the online grow could not be
	 * done, what it left undone (the file system grows to the file's size) */
	f->s.disk = 128 << 20;
	assert_int_equal(f->ops->resize(&f->s, &f->env, false, &err), 0);
	fixture_sh("dumpe2fs -h %s 2>/dev/null | awk -F: '/^Block count/ {c = $2}"
		   " /^Block size/ {b = $2} END {exit c * b != %d}'",
		   path, 128 << 20);
}

static void test_lifecycle(void **state)
{
	struct drv_fixture *f = fixture(state);
	struct berth_error err = { 0 };
	char path[PATH_MAX], ns_ct[64] = "", ns_host[64] = "";

	provision(f, true);
	fixture_start(f);
	assert_true(f->ops->alive(&f->s, &f->env));
	/* its disk is mounted on rootfs while it runs, and cleanup leaves it so */
	assert_int_equal(server_file(path, &f->s, "rootfs", &err), 0);
	assert_true(mounted(path));
	f->ops->cleanup(&f->s, &f->env);
	assert_true(mounted(path));

	/* busybox init is PID 1 with the server's name as hostname */
	assert_int_equal(server_file(path, &f->s, "rootfs/tmp/booted", &err), 0);
	assert_true(wait_file(path, f->s.name));
	snprintf(path, sizeof(path), "/proc/%ld/comm", f->s.pid);
	assert_true(file_has(path, "init"));

	/* a network namespace of its own */
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", f->s.pid);
	assert_true(readlink(path, ns_ct, sizeof(ns_ct) - 1) > 0);
	assert_true(readlink("/proc/self/ns/net", ns_host, sizeof(ns_host) - 1) > 0);
	assert_string_not_equal(ns_ct, ns_host);

	/* a second start of a running server is refused */
	{
		long pid2 = 0;

		assert_int_equal(f->ops->start(&f->s, &f->env, &pid2, &err), -1);
		assert_contains(err.msg, "already running");
	}

	/* SIGTERM: busybox init runs its shutdown and ends the container */
	fixture_stop(f, false, 10);
	assert_false(f->ops->alive(&f->s, &f->env));
	snprintf(path, sizeof(path), "%s/run/%s", f->state, f->s.name);
	assert_int_equal(access(path, F_OK), -1); /* berth-ct's state is gone */
	f->s.pid = 0;
	f->ops->cleanup(&f->s, &f->env);
	assert_unmounted(f);

	/* and it starts again from the same files */
	fixture_start(f);
	assert_true(f->ops->alive(&f->s, &f->env));
	fixture_stop(f, false, 10);
	f->s.pid = 0;
}

/* cgroup file NAME of the container under controller dir ctl ("" on cgroup v2). */
static const char *cg_file(struct drv_fixture *f, const char *ctl, const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%sberth/%s/%s", ctl, *ctl ? "/" : "",
		 f->s.name, name);
	return path;
}

static void test_limits(void **state)
{
	struct drv_fixture *f = fixture(state);
	char mem[32];

	provision(f, true);
	fixture_start(f);
	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)f->s.memory);
	if (access("/sys/fs/cgroup/memory", F_OK) == 0) { /* v1 (this host's hybrid layout) */
		assert_true(file_has(cg_file(f, "memory", "memory.limit_in_bytes"), mem));
		assert_true(file_has(cg_file(f, "memory", "memory.soft_limit_in_bytes"), mem));
		assert_true(file_has(cg_file(f, "pids", "pids.max"), "4096"));
		assert_true(file_has(cg_file(f, "cpu", "cpu.cfs_quota_us"), "100000"));
	} else { /* v2 (the test rig): the reservation is memory.low (as runc) and, through
		  * linux.resources.unified, the guarantee memory.min */
		assert_true(file_has(cg_file(f, "", "memory.max"), mem));
		assert_true(file_has(cg_file(f, "", "memory.low"), mem));
		assert_true(file_has(cg_file(f, "", "memory.min"), mem));
		assert_true(file_has(cg_file(f, "", "pids.max"), "4096"));
		assert_true(file_has(cg_file(f, "", "cpu.max"), "100000 100000"));
	}
}

static void test_alive_false_for_other_pids(void **state)
{
	struct drv_fixture *f = fixture(state);
	long real;

	provision(f, true);
	fixture_start(f);
	real = f->s.pid;
	f->s.pid = fixture_dead_pid();
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = getpid(); /* a live process that is not the container: a recycled pid */
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = 0;
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = real;
	assert_true(f->ops->alive(&f->s, &f->env));
}

static void test_stop_force(void **state)
{
	struct drv_fixture *f = fixture(state);
	struct berth_error err = { 0 };
	long t0;
	int pidfd;

	provision(f, true);
	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	assert_true(pidfd >= 0);
	t0 = proc_now_ms();
	fixture_stop(f, true, 30);
	assert_true(proc_now_ms() - t0 < 5000);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = 0;
	/* stopping a stopped server is no error */
	assert_int_equal(f->ops->stop(&f->s, &f->env, false, 1, &err), 0);
}

static void test_stop_unrecorded_pid(void **state)
{
	struct drv_fixture *f = fixture(state);

	provision(f, true);
	fixture_start(f);
	fixture_check_unrecorded_stop(f); /* delete --force finds it by name */
}

static void test_stop_without_files(void **state)
{
	struct drv_fixture *f = fixture(state);
	int pidfd;

	/* its directory removed under it (by hand, or a half-done delete): still controllable */
	provision(f, true);
	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	fixture_sh("umount -l %s/rootfs && rm -rf %s", f->s.dir, f->s.dir);
	assert_true(f->ops->alive(&f->s, &f->env));
	fixture_stop(f, false, 10);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	f->s.pid = 0;
}

static void test_shell_without_init(void **state)
{
	struct drv_fixture *f = fixture(state);
	char path[PATH_MAX];

	provision(f, false);
	fixture_start(f);
	usleep(200 * 1000);
	assert_true(f->ops->alive(&f->s, &f->env)); /* the shell waits, it does not exit */
	snprintf(path, sizeof(path), "/proc/%ld/comm", f->s.pid);
	assert_true(file_has(path, "sh"));
	fixture_stop(f, false, 10);
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = 0;
}

static void test_start_failure_says_why(void **state)
{
	struct drv_fixture *f = fixture(state);
	struct berth_error err = { 0 };
	long pid = 0;

	provision(f, false);
	/* a rootfs without a shell or an init cannot run */
	assert_int_equal(ct_rootfs_mount(&f->s, false, &err), 0);
	fixture_sh("rm -rf %s/rootfs/bin", f->s.dir);
	assert_int_equal(ct_rootfs_unmount(&f->s, &err), 0);
	assert_int_equal(f->ops->start(&f->s, &f->env, &pid, &err), -1);
	assert_contains(err.msg, f->s.name);
	assert_contains(err.msg, "berth-ct create failed");
	assert_contains(err.msg, "/bin/sh"); /* berth-ct's own words, from ct.log */
	f->s.pid = 0;
	assert_unmounted(f); /* a failed start leaves its disk unmounted */
	f->ops->cleanup(&f->s, &f->env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_provision_copies_image, setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_disk_too_small, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_resize_grows_the_disk, setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alive_false_for_other_pids, setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_force, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_unrecorded_pid, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_without_files, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_shell_without_init, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_start_failure_says_why, setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
