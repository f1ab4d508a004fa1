/* Unit tests for src/daemon/servers/driver_vm.c: real berth-vmm processes with the tiny test guests
 * on this host's KVM (root and /dev/kvm needed): provision, start, alive, a clean stop
 * (tiny-button powers off on the ACPI power button), a stop that escalates (tiny-spin
 * ignores it), a forced stop, a hung VMM with or without its pid recorded, a start that
 * fails. And the berth-vmm command line it builds (vm_command.c), which needs neither:
 * direct kernel boot with the image's or the server's kernel command line and the
 * network's, firmware boot of a disk-only image. */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/servers/proc.h"
#include "daemon/servers/server_files.h"
#include "daemon/servers/vm_command.h"
#include "driver_fixture.h"

#define MIB (1ULL << 20)

static int setup(void **state)
{
	const char *why = fixture_unusable(true);

	if (why) {
		fprintf(stderr, "skipped: %s\n", why);
		*state = NULL;
		return 0;
	}
	*state = fixture_new(KIND_VM);
	return 0;
}

/* The fixture with an image of guest build/guests/tiny-GUEST.bzImage (and a 1 MiB disk),
 * provisioned with a disk of disk bytes. */
static struct drv_fixture *provisioned(void **state, const char *guest, uint64_t disk)
{
	struct drv_fixture *f = *state;
	struct berth_error err = { 0 };
	char kernel[PATH_MAX];

	if (!f)
		skip();
	snprintf(kernel, sizeof(kernel), "build/guests/tiny-%s.bzImage", guest);
	if (access(kernel, R_OK) != 0)
		skip();
	fixture_sh("cp %s %s/kernel && truncate -s 1M %s/disk.img", kernel, f->s.image_dir,
		   f->s.image_dir);
	f->s.disk = disk;
	if (f->ops->provision(&f->s, &f->env, fixture_progress, f, &err) < 0)
		fail_msg("provision: %s", err.msg);
	return f;
}

static uint64_t file_size(struct drv_fixture *f, const char *leaf)
{
	struct berth_error err;
	char path[PATH_MAX];
	struct stat st;

	assert_int_equal(server_file(path, &f->s, leaf, &err), 0);
	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_size;
}

static bool exists(struct drv_fixture *f, const char *leaf)
{
	struct berth_error err;
	char path[PATH_MAX];

	assert_int_equal(server_file(path, &f->s, leaf, &err), 0);
	return access(path, F_OK) == 0;
}

/* The VMM outlives berthd: a session of its own, not our child, stdin /dev/null, output
 * to vmm.log, and no fd of ours (the test holds fd 3+ of its own: the ASan and cmocka ones). */
static void assert_detached(struct drv_fixture *f)
{
	char path[64], link[PATH_MAX], log[PATH_MAX], stat_line[512];
	struct berth_error err;
	ssize_t n;
	FILE *fp;
	int ppid = 0;

	/* a new session, whose leader (the middle child) is gone: no terminal can be acquired */
	assert_true(getsid((pid_t)f->s.pid) != getsid(0));
	snprintf(path, sizeof(path), "/proc/%ld/stat", f->s.pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(stat_line, sizeof(stat_line), fp));
	fclose(fp);
	assert_int_equal(sscanf(strrchr(stat_line, ')'), ") %*c %d", &ppid), 1);
	assert_true(ppid != getpid());
	snprintf(path, sizeof(path), "/proc/%ld/fd/0", f->s.pid);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "/dev/null");
	snprintf(path, sizeof(path), "/proc/%ld/fd/2", f->s.pid);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_int_equal(server_file(log, &f->s, "vmm.log", &err), 0);
	assert_string_equal(link, log);
}

/* vmm.log is capped as console.log is: berth-vmm writes it itself, with --log PATH,max=CAP. */
static void assert_vmm_log_capped(struct drv_fixture *f)
{
	char path[64], cmdline[8192], log[PATH_MAX], want[PATH_MAX + 40];
	struct berth_error err;
	const char *arg, *end;
	ssize_t n;
	FILE *fp;

	assert_int_equal(server_file(log, &f->s, "vmm.log", &err), 0);
	snprintf(want, sizeof(want), "%s,max=%llu", log,
		 (unsigned long long)f->env.console_log_max);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", f->s.pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = (ssize_t)fread(cmdline, 1, sizeof(cmdline) - 1, fp);
	fclose(fp);
	assert_true(n > 0);
	cmdline[n] = '\0';
	end = cmdline + n;
	for (arg = cmdline; arg < end; arg += strlen(arg) + 1)
		if (!strcmp(arg, "--log"))
			break;
	assert_true(arg < end);
	arg += strlen(arg) + 1;
	assert_true(arg + strlen(want) < end);
	/* berth-vmm cuts the path off at the comma in place, which /proc shows as a NUL. */
	if (arg[strlen(log)] == '\0')
		cmdline[arg - cmdline + strlen(log)] = ',';
	assert_memory_equal(arg, want, strlen(want) + 1);
}

/* --prealloc: the VM's RAM is resident before the guest runs. */
static void assert_prealloc(struct drv_fixture *f)
{
	char path[64], line[256];
	unsigned long long rss_kb = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", f->s.pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmRSS: %llu kB", &rss_kb) == 1)
			break;
	fclose(fp);
	assert_true(rss_kb * 1024 >= f->s.memory);
}

static void test_provision_grows_disk(void **state)
{
	struct drv_fixture *f = provisioned(state, "button", 4 * MIB);

	assert_int_equal(file_size(f, "disk.img"), 4 * MIB);
	assert_int_equal(f->last_progress, 100);
}

static void test_provision_blank_disk(void **state)
{
	struct drv_fixture *f = *state;
	struct berth_error err = { 0 };

	if (!f)
		skip();
	fixture_sh("cp build/guests/tiny-button.bzImage %s/kernel", f->s.image_dir);
	f->s.disk = 8 * MIB;
	if (f->ops->provision(&f->s, &f->env, NULL, NULL, &err) < 0)
		fail_msg("provision: %s", err.msg);
	assert_int_equal(file_size(f, "disk.img"), 8 * MIB); /* an image without a disk */
}

static void test_start_alive_clean_stop(void **state)
{
	struct drv_fixture *f = provisioned(state, "button", 0);
	long real, t0;
	int pidfd;

	fixture_start(f);
	assert_true(f->ops->alive(&f->s, &f->env));
	assert_true(exists(f, "api.sock"));
	assert_true(exists(f, "console.log"));
	assert_detached(f);
	assert_prealloc(f);
	assert_vmm_log_capped(f);
	real = f->s.pid;

	/* a dead pid, or a live process that is not this VMM (a recycled pid), is not alive */
	f->s.pid = fixture_dead_pid();
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = getpid();
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = real;

	/* the power button: tiny-button powers off at once, well within the timeout */
	pidfd = proc_open(f->s.pid);
	t0 = proc_now_ms();
	fixture_stop(f, false, 20);
	assert_true(proc_now_ms() - t0 < 10000);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = 0;
}

/* The value of field (e.g. "CapEff:") in /proc/PID/status, "" when none. */
static void status_field(long pid, const char *field, char *out, size_t size)
{
	char path[64], line[256];
	FILE *fp;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, field, strlen(field)))
			sscanf(line + strlen(field), " %255[^\n]", out);
	fclose(fp);
	(void)size;
}

/* Is namespace ns (e.g. "mnt") of pid another than ours? */
static bool own_ns(long pid, const char *ns)
{
	char path[64], ours[64], theirs[64];
	ssize_t a, b;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	a = readlink(path, ours, sizeof(ours) - 1);
	snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, ns);
	b = readlink(path, theirs, sizeof(theirs) - 1);
	assert_true(a > 0 && b > 0);
	ours[a] = theirs[b] = '\0';
	return strcmp(ours, theirs) != 0;
}

/* A jailed VMM: its own uid, no capabilities, no_new_privs, its filters, its namespaces,
 * a root without the host's /etc; alive, adopted by its recorded pid, stopped cleanly. */
static void test_jailed_start_stop(void **state)
{
	struct drv_fixture *f = provisioned(state, "button", 2 * MIB);
	char v[256], path[PATH_MAX + 64];
	struct stat st;
	int pidfd;

	f->s.jail_uid = 1500000000u + 4242;
	fixture_start(f);
	assert_true(f->ops->alive(&f->s, &f->env));
	status_field(f->s.pid, "Uid:", v, sizeof(v));
	assert_string_equal(v, "1500004242\t1500004242\t1500004242\t1500004242");
	status_field(f->s.pid, "Gid:", v, sizeof(v));
	assert_string_equal(v, "1500004242\t1500004242\t1500004242\t1500004242");
	status_field(f->s.pid, "CapEff:", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	status_field(f->s.pid, "CapBnd:", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	status_field(f->s.pid, "NoNewPrivs:", v, sizeof(v));
	assert_string_equal(v, "1");
	status_field(f->s.pid, "Seccomp:", v, sizeof(v));
	assert_string_equal(v, "2");
	status_field(f->s.pid, "NSpid:", v, sizeof(v));
	assert_non_null(strstr(v, "\t1")); /* pid 1 of its own PID namespace */
	assert_true(own_ns(f->s.pid, "mnt") && own_ns(f->s.pid, "pid") && own_ns(f->s.pid, "ipc") &&
		    own_ns(f->s.pid, "uts"));
	assert_false(own_ns(f->s.pid, "net")); /* its tap is the host's */
	/* its root holds its server's files, not the host's /etc */
	snprintf(path, sizeof(path), "/proc/%ld/root/etc", f->s.pid);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "/proc/%ld/root%s/disk.img", f->s.pid, f->s.dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, f->s.jail_uid);
	snprintf(path, sizeof(path), "/proc/%ld/root/dev/kvm", f->s.pid);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_uid == f->s.jail_uid);
	assert_true(exists(f, "api.sock"));
	assert_true(exists(f, "console.log"));
	assert_detached(f);
	assert_vmm_log_capped(f);

	/* a VMM of another uid on its socket is not taken for it */
	f->s.jail_uid++;
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.jail_uid--;

	pidfd = proc_open(f->s.pid);
	fixture_stop(f, false, 20);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = 0;
}

/* A jailed VMM killed by SIGKILL leaves its socket; cleanup removes it and a new jailed
 * start works. A forced stop of a hung jailed VMM (no answer) kills it by its cmdline. */
static void test_jailed_killed_and_hung(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	int pidfd;

	f->s.jail_uid = 1500000000u + 4243;
	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	kill((pid_t)f->s.pid, SIGKILL);
	assert_true(proc_wait(pidfd, 5000));
	close(pidfd);
	f->ops->cleanup(&f->s, &f->env);
	assert_false(exists(f, "api.sock"));
	fixture_start(f);
	assert_true(f->ops->alive(&f->s, &f->env));
	pidfd = proc_open(f->s.pid);
	kill((pid_t)f->s.pid, SIGSTOP);
	fixture_stop(f, true, 0);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	f->s.pid = 0;
}

static void test_stop_escalates(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	long t0, took;

	fixture_start(f);
	/* tiny-spin ignores the power button: after 1 s the driver stops it by force */
	t0 = proc_now_ms();
	fixture_stop(f, false, 1);
	took = proc_now_ms() - t0;
	assert_true(took >= 1000 && took < 8000);
	assert_false(f->ops->alive(&f->s, &f->env));
	f->s.pid = 0;
}

static void test_stop_force(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	struct berth_error err = { 0 };
	long t0;

	fixture_start(f);
	t0 = proc_now_ms();
	fixture_stop(f, true, 30);
	assert_true(proc_now_ms() - t0 < 5000);
	assert_false(f->ops->alive(&f->s, &f->env));
	/* stopping a stopped server is no error; cleanup removes nothing that is missing */
	assert_int_equal(f->ops->stop(&f->s, &f->env, false, 1, &err), 0);
	f->ops->cleanup(&f->s, &f->env);
	f->s.pid = 0;
}

static void test_killed_vmm_cleanup(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	int pidfd;

	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	assert_int_equal(proc_signal(pidfd, SIGKILL), 0);
	assert_true(proc_wait(pidfd, 5000));
	close(pidfd);
	assert_false(f->ops->alive(&f->s, &f->env));
	assert_true(exists(f, "api.sock"));
	f->ops->cleanup(&f->s, &f->env); /* the stale socket goes */
	assert_false(exists(f, "api.sock"));
	fixture_start(f); /* and it starts again */
	assert_true(f->ops->alive(&f->s, &f->env));
}

/* An image with the vmlinux its import extracted (the tiny PVH guest here): the jailed VMM
 * reaches it and boots it through PVH (the guest's line is in the console log), and a clean
 * stop (the power button, which the guest waits for without an initrd) ends it. */
static void test_jailed_pvh(void **state)
{
	struct drv_fixture *f = provisioned(state, "poweroff", 0);
	char path[PATH_MAX + 16], log[4096] = "";
	int pidfd, fd;
	ssize_t n;

	if (access("build/guests/tiny-pvh.elf", R_OK) != 0)
		skip();
	fixture_sh("cp build/guests/tiny-pvh.elf %s/vmlinux", f->s.image_dir);
	f->s.jail_uid = 1500000000u + 4243;
	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	fixture_stop(f, false, 20);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	f->s.pid = 0;
	snprintf(path, sizeof(path), "%s/console.log", f->s.dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, log, sizeof(log) - 1);
	close(fd);
	assert_true(n > 0);
	assert_contains(log, "pvh from tiny: magic ok, version 1");
}

static void test_stop_unrecorded_pid(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);

	fixture_start(f);
	fixture_check_unrecorded_stop(f); /* the VMM answering on the socket is the one */
}

static void test_stop_hung_vmm(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	int pidfd;

	/* a VMM that answers nothing (stopped here with SIGSTOP) is not alive, and stop kills it */
	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	assert_int_equal(proc_signal(pidfd, SIGSTOP), 0);
	assert_false(f->ops->alive(&f->s, &f->env));
	fixture_stop(f, false, 30);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	f->s.pid = 0;
}

static void test_stop_hung_unrecorded_vmm(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	int pidfd;

	/* berthd died before the VMM answered and before it recorded the pid (a VMM still
	 * touching its RAM, stopped here with SIGSTOP): stop finds it by its command line */
	fixture_start(f);
	pidfd = proc_open(f->s.pid);
	assert_int_equal(proc_signal(pidfd, SIGSTOP), 0);
	f->s.pid = 0;
	assert_false(f->ops->alive(&f->s, &f->env));
	fixture_stop(f, true, 0);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
}

/* resize of a running jailed VM: disk.img grows and its VMM, told through its socket as
 * the jail's uid, reads the new size from its own fd; a VMM that cannot answer (stopped
 * here with SIGSTOP) fails the resize saying so, with the file grown all the same; a
 * stopped VM's resize only grows the file. */
static void test_resize_running(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 2 * MIB);
	struct berth_error err = { 0 };
	char log[PATH_MAX];
	int pidfd;

	f->s.jail_uid = 1500000000u + 4244;
	fixture_start(f);
	f->s.disk = 4 * MIB;
	assert_int_equal(f->ops->resize(&f->s, &f->env, true, &err), 0);
	assert_int_equal(file_size(f, "disk.img"), 4 * MIB);
	assert_int_equal(server_file(log, &f->s, "vmm.log", &err), 0);
	fixture_sh("grep -q 'disk 0 grew from 2097152 to 4194304 bytes' %s", log);
	pidfd = proc_open(f->s.pid);
	assert_int_equal(proc_signal(pidfd, SIGSTOP), 0);
	f->s.disk = 6 * MIB;
	assert_int_equal(f->ops->resize(&f->s, &f->env, true, &err), -1);
	assert_contains(err.msg, "its disk file grew to 6291456 bytes, but the running VM was "
				 "not told (it sees the new size at its next start)");
	assert_int_equal(file_size(f, "disk.img"), 6 * MIB);
	assert_int_equal(proc_signal(pidfd, SIGCONT), 0);
	fixture_stop(f, true, 0);
	assert_true(proc_wait(pidfd, 0));
	close(pidfd);
	f->s.pid = 0;
	f->ops->cleanup(&f->s, &f->env);
	f->s.disk = 8 * MIB;
	assert_int_equal(f->ops->resize(&f->s, &f->env, false, &err), 0);
	assert_int_equal(file_size(f, "disk.img"), 8 * MIB);
}

static void test_start_failure_says_why(void **state)
{
	struct drv_fixture *f = provisioned(state, "spin", 0);
	struct berth_error err = { 0 };
	long pid = 0;

	fixture_sh("echo 'not a kernel' > %s/kernel", f->s.image_dir);
	assert_int_equal(f->ops->start(&f->s, &f->env, &pid, &err), -1);
	assert_contains(err.msg, "berth-vmm exited at start");
	assert_contains(err.msg, "kernel"); /* the VMM's own words, from vmm.log */
}

/* A fixture for the command line alone: no KVM or root needed, nothing is started. */
static int setup_command(void **state)
{
	if (access("build/berth-vmm", X_OK) != 0 && !getenv("BERTH_VMM"))
		fail_msg("build the programs first (make)");
	*state = fixture_new(KIND_VM);
	fixture_sh("mkdir -p %s", ((struct drv_fixture *)*state)->s.dir);
	return 0;
}

/* The index of arg in a's argv, or -1. */
static int arg_at(const struct vm_args *a, const char *arg)
{
	for (int i = 0; i < a->argc; i++)
		if (!strcmp(a->argv[i], arg))
			return i;
	return -1;
}

/* The value after option opt in a's argv (failing the test when it is not there). */
static const char *arg_of(const struct vm_args *a, const char *opt)
{
	int i = arg_at(a, opt);

	if (i < 0 || i + 1 >= a->argc)
		fail_msg("no %s in the command line", opt);
	return a->argv[i + 1];
}

static void build(struct drv_fixture *f, const char *net, const char *net_cmdline,
		  struct vm_args *a)
{
	struct berth_error err = { 0 };

	if (vm_command(&f->s, &f->env, net, net_cmdline, a, &err) < 0)
		fail_msg("vm_command: %s", err.msg);
	assert_null(a->argv[a->argc]);
	assert_string_equal(a->argv[0], f->vmm);
}

/* An image's kernel, no command line of its own and no network: berth-vmm's default
 * command line (VM_CMDLINE_BASE), no --initrd or --disk the server lacks; its vmlinux rather
 * than its bzImage once there is one. */
static void test_command_kernel_default(void **state)
{
	struct drv_fixture *f = *state;
	char kernel[PATH_MAX + 16];
	struct vm_args a;

	f->s.boot = BOOT_KERNEL;
	fixture_sh("touch %s/kernel", f->s.image_dir);
	build(f, "", "", &a);
	snprintf(kernel, sizeof(kernel), "%s/kernel", f->s.image_dir);
	assert_string_equal(arg_of(&a, "--kernel"), kernel);
	assert_int_equal(arg_at(&a, "--cmdline"), -1);
	assert_int_equal(arg_at(&a, "--initrd"), -1);
	assert_int_equal(arg_at(&a, "--disk"), -1);
	assert_int_equal(arg_at(&a, "--net"), -1);
	assert_int_equal(arg_at(&a, "--firmware"), -1);
	assert_string_equal(arg_of(&a, "--mem"), "67108864");
	assert_true(arg_at(&a, "--prealloc") > 0);
	/* With the vmlinux its import extracted, that is what boots (through PVH). */
	fixture_sh("touch %s/vmlinux", f->s.image_dir);
	build(f, "", "", &a);
	snprintf(kernel, sizeof(kernel), "%s/vmlinux", f->s.image_dir);
	assert_string_equal(arg_of(&a, "--kernel"), kernel);
}

/* The server's own command line follows berth's part, the network's follows it; the
 * initrd and the disk it has are passed. */
static void test_command_kernel_cmdline_and_net(void **state)
{
	struct drv_fixture *f = *state;
	struct vm_args a;

	f->s.boot = BOOT_KERNEL;
	snprintf(f->s.cmdline, sizeof(f->s.cmdline), "root=/dev/vda1 ro quiet");
	fixture_sh("touch %s/kernel %s/initrd %s/disk.img", f->s.image_dir, f->s.image_dir,
		   f->s.dir);
	build(f, "tap=bt-srv,mac=52:54:00:00:00:01", "berth.ip=10.0.0.2/24 berth.gw=10.0.0.1", &a);
	assert_string_equal(arg_of(&a, "--cmdline"),
			    "console=ttyS0 reboot=k panic=-1 root=/dev/vda1 ro quiet "
			    "berth.ip=10.0.0.2/24 berth.gw=10.0.0.1");
	assert_string_equal(arg_of(&a, "--net"), "tap=bt-srv,mac=52:54:00:00:00:01");
	assert_non_null(strstr(arg_of(&a, "--initrd"), "/images/img/initrd"));
	assert_non_null(strstr(arg_of(&a, "--disk"), "/servers/srv/disk.img"));

	/* the network's alone */
	f->s.cmdline[0] = '\0';
	build(f, "", "berth.ip=10.0.0.2/24 berth.gw=10.0.0.1", &a);
	assert_string_equal(arg_of(&a, "--cmdline"), "console=ttyS0 reboot=k panic=-1 "
						     "berth.ip=10.0.0.2/24 berth.gw=10.0.0.1");
}

/* vm_display: a display served over VNC on a socket in the server's directory (inside a
 * jailed VMM's jail); without it, neither option. */
static void test_command_display(void **state)
{
	struct drv_fixture *f = *state;
	char vnc[PATH_MAX + 16];
	struct vm_args a;

	f->s.boot = BOOT_KERNEL;
	fixture_sh("touch %s/kernel", f->s.image_dir);
	build(f, "", "", &a);
	assert_int_equal(arg_at(&a, "--display"), -1);
	assert_int_equal(arg_at(&a, "--vnc"), -1);
	f->env.vm_display = true;
	/* with a display the bzImage boots, even beside a vmlinux: a PVH boot has no screen_info */
	fixture_sh("touch %s/vmlinux", f->s.image_dir);
	build(f, "", "", &a);
	f->env.vm_display = false;
	assert_true(arg_at(&a, "--display") > 0);
	snprintf(vnc, sizeof(vnc), "%s/vnc.sock", f->s.dir);
	assert_string_equal(arg_of(&a, "--vnc"), vnc);
	snprintf(vnc, sizeof(vnc), "%s/kernel", f->s.image_dir);
	assert_string_equal(arg_of(&a, "--kernel"), vnc);
}

/* A plan's limits: the disk's iops= and bps=, the NIC's bps=; none without them. */
static void test_command_limits(void **state)
{
	struct drv_fixture *f = *state;
	char disk[PATH_MAX + 64];
	struct vm_args a;

	f->s.boot = BOOT_KERNEL;
	fixture_sh("touch %s/kernel %s/disk.img", f->s.image_dir, f->s.dir);
	f->s.limits = (struct server_limits){ 500, 100ULL << 20, 1ULL << 40 };
	build(f, "tap=bt-srv,mac=52:54:00:00:00:01", "", &a);
	snprintf(disk, sizeof(disk), "%s/disk.img,iops=500,bps=104857600", f->s.dir);
	assert_string_equal(arg_of(&a, "--disk"), disk);
	assert_string_equal(arg_of(&a, "--net"),
			    "tap=bt-srv,mac=52:54:00:00:00:01,bps=1099511627776");
	f->s.limits = (struct server_limits){ 0, 4096, 0 };
	build(f, "tap=bt-srv", "", &a);
	snprintf(disk, sizeof(disk), "%s/disk.img,bps=4096", f->s.dir);
	assert_string_equal(arg_of(&a, "--disk"), disk);
	assert_string_equal(arg_of(&a, "--net"), "tap=bt-srv");
	f->s.limits = (struct server_limits){ 0, 0, 0 };
	build(f, "", "", &a);
	snprintf(disk, sizeof(disk), "%s/disk.img", f->s.dir);
	assert_string_equal(arg_of(&a, "--disk"), disk);
	assert_int_equal(arg_at(&a, "--net"), -1);
}

/* The longest command line an image or a server may set fits, with the network's. */
static void test_command_longest_cmdline(void **state)
{
	struct drv_fixture *f = *state;
	char want[VM_CMDLINE_LEN];
	struct vm_args a;

	f->s.boot = BOOT_KERNEL;
	memset(f->s.cmdline, 'x', SERVER_CMDLINE_MAX);
	f->s.cmdline[SERVER_CMDLINE_MAX] = '\0';
	fixture_sh("touch %s/kernel", f->s.image_dir);
	build(f, "", "berth.ip=255.255.255.255/32 berth.gw=255.255.255.255", &a);
	snprintf(want, sizeof(want), "%s %s %s", VM_CMDLINE_BASE, f->s.cmdline,
		 "berth.ip=255.255.255.255/32 berth.gw=255.255.255.255");
	assert_string_equal(arg_of(&a, "--cmdline"), want);
	assert_true(strlen(want) < 2048); /* Linux's COMMAND_LINE_SIZE on x86 */
}

/* A disk-only image: --firmware and the disk; never a kernel, an initrd or a command line,
 * whatever lies in the image's directory or the row says. */
static void test_command_firmware(void **state)
{
	struct drv_fixture *f = *state;
	char disk[PATH_MAX + 16];
	struct vm_args a;

	f->s.boot = BOOT_FIRMWARE;
	snprintf(f->s.cmdline, sizeof(f->s.cmdline), "root=/dev/vda1");
	fixture_sh("touch %s/kernel %s/initrd %s/disk.img", f->s.image_dir, f->s.image_dir,
		   f->s.dir);
	build(f, "tap=bt-srv", "berth.ip=10.0.0.2/24 berth.gw=10.0.0.1", &a);
	snprintf(disk, sizeof(disk), "%s/disk.img", f->s.dir);
	assert_true(arg_at(&a, "--firmware") > 0);
	/* the bare option: berth-vmm's default firmware, not the next argument as its path */
	assert_string_equal(a.argv[arg_at(&a, "--firmware") + 1], "--disk");
	assert_string_equal(arg_of(&a, "--disk"), disk);
	assert_string_equal(arg_of(&a, "--net"), "tap=bt-srv");
	assert_int_equal(arg_at(&a, "--kernel"), -1);
	assert_int_equal(arg_at(&a, "--initrd"), -1);
	assert_int_equal(arg_at(&a, "--cmdline"), -1);
}

/* Firmware boot without a disk has nothing to boot: a clear error, not a VMM that hangs. */
static void test_command_firmware_needs_disk(void **state)
{
	struct drv_fixture *f = *state;
	struct berth_error err = { 0 };
	struct vm_args a;

	f->s.boot = BOOT_FIRMWARE;
	assert_int_equal(vm_command(&f->s, &f->env, "", "", &a, &err), -1);
	assert_contains(err.msg, "boots by firmware but has no disk");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_command_display, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_command_kernel_default, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_command_kernel_cmdline_and_net, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_command_longest_cmdline, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_command_limits, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_command_firmware, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_command_firmware_needs_disk, setup_command,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_provision_grows_disk, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_provision_blank_disk, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_start_alive_clean_stop, setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_jailed_start_stop, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_jailed_killed_and_hung, setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_escalates, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_force, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_resize_running, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_killed_vmm_cleanup, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_jailed_pvh, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_unrecorded_pid, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_hung_vmm, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stop_hung_unrecorded_vmm, setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_start_failure_says_why, setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
