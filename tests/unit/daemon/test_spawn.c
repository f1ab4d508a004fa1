/* Unit tests for src/daemon/servers/spawn.c and proc.c: short commands (output, status, log, time
 * limit, no leaked fds) and detached ones (not our child, exec failures reported). */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/images/copy.h"
#include "daemon/servers/jail.h"
#include "daemon/servers/proc.h"
#include "daemon/servers/spawn.h"

struct fix {
	char dir[64], log[96];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/berth-spawn.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->log, sizeof(f->log), "%s/log", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	struct berth_error err;

	remove_tree(f->dir, &err);
	free(f);
	return 0;
}

static void test_run_output_status_log(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/sh", "-c", "echo out; echo oops >&2; exit 3", NULL };
	struct berth_error err = { 0 };
	char out[64], tail[64];
	int status = -1;

	assert_int_equal(spawn_run(argv, f->log, out, sizeof(out), 5000, &status, &err), 0);
	assert_string_equal(out, "out\n");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	log_tail(f->log, 0, tail, sizeof(tail));
	assert_string_equal(tail, "oops");
	/* only what came after the offset; the last bytes when more came */
	assert_int_equal(spawn_run(argv, f->log, NULL, 0, 5000, &status, &err), 0);
	log_tail(f->log, 5, tail, sizeof(tail));
	assert_string_equal(tail, "out\noops");
	log_tail(f->log, 0, tail, 5); /* the last 4 bytes, "ops\n", without the newline */
	assert_string_equal(tail, "ops");
	log_tail(f->log, log_size(f->log), tail, sizeof(tail));
	assert_string_equal(tail, "");
}

static void test_run_big_output_is_cut(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/sh", "-c",
			       "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done",
			       NULL };
	struct berth_error err = { 0 };
	char out[100];
	int status = -1;

	/* 22 000 bytes into 100: the rest is read and dropped, so the child never blocks */
	assert_int_equal(spawn_run(argv, f->log, out, sizeof(out), 5000, &status, &err), 0);
	assert_int_equal(strlen(out), 99);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_run_time_limit(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/sleep", "10", NULL };
	struct berth_error err = { 0 };
	long t0 = proc_now_ms();
	int status;

	assert_int_equal(spawn_run(argv, f->log, NULL, 0, 300, &status, &err), -1);
	assert_true(proc_now_ms() - t0 < 3000);
	assert_contains(err.msg, "did not finish");
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void test_run_no_fds_of_ours(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/sh", "-c", "cd /proc/self/fd && echo *", NULL };
	struct berth_error err = { 0 };
	int fd = open("/dev/null", O_RDONLY), status; /* not close-on-exec */
	char out[128], mine[16];

	assert_true(fd >= 3);
	assert_int_equal(spawn_run(argv, f->log, out, sizeof(out), 5000, &status, &err), 0);
	close(fd);
	snprintf(mine, sizeof(mine), " %d ", fd);
	assert_null(strstr(out, mine));
	assert_true(strncmp(out, "0 1 2", 5) == 0);
}

static void test_run_exec_failure(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/nonexistent/program", NULL };
	struct berth_error err = { 0 };
	int status;

	assert_int_equal(spawn_run(argv, f->log, NULL, 0, 1000, &status, &err), -1);
	assert_contains(err.msg, "/nonexistent/program");
	assert_int_equal(err.errnum, ENOENT);
}

static void test_detached(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/sh", "-c", "echo started; exec sleep 30", NULL };
	struct berth_error err = { 0 };
	char tail[64];
	long pid = 0;
	int pidfd, i;

	assert_int_equal(spawn_detached(argv, f->log, &pid, &err), 0);
	assert_true(pid > 0);
	pidfd = proc_open(pid);
	assert_true(pidfd >= 0);
	/* not our child: init reaps it, so it can never linger as our zombie */
	assert_int_equal(waitpid((pid_t)pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_true(getsid((pid_t)pid) != getsid(0));
	for (i = 0; i < 100 && log_size(f->log) == 0; i++)
		usleep(20 * 1000);
	log_tail(f->log, 0, tail, sizeof(tail));
	assert_string_equal(tail, "started");
	assert_false(proc_wait(pidfd, 0));
	assert_int_equal(proc_signal(pidfd, SIGKILL), 0);
	assert_true(proc_wait(pidfd, 5000));
	close(pidfd);
}

static void test_detached_exec_failure(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/nonexistent/vmm", NULL };
	struct berth_error err = { 0 };
	long pid = 0;

	assert_int_equal(spawn_detached(argv, f->log, &pid, &err), -1);
	assert_contains(err.msg, "execute `/nonexistent/vmm`");
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(pid, 0);
}

/* A program run in a jail (root only): its ids, pid 1, its host name, no /etc, /proc or
 * /tmp, a /dev of three nodes at most, /usr there. */
static void test_jailed(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/sh", "-c",
			       "echo $(id -u) $(id -g) $(id -G) $$ $(hostname) $(ls /dev | wc -l)"
			       " $([ -e /etc ] || echo no-etc) $([ -e /proc/self ] || echo no-proc)"
			       " $([ -e /tmp ] || echo no-tmp) $([ -x /usr/bin/id ] && echo usr)",
			       NULL };
	struct berth_error err = { 0 };
	char tail[256];
	struct jail j;
	long pid = 0;
	int pidfd;

	if (geteuid() != 0)
		skip();
	assert_int_equal(jail_init(&j, 1500000001u, f->dir, "/bin/sh", "jailtest", &err), 0);
	assert_int_equal(spawn_jailed(argv, NULL, f->log, &j, &pid, &err), 0);
	jail_done(&j);
	pidfd = proc_open(pid);
	assert_true(pidfd >= 0);
	assert_true(proc_wait(pidfd, 10000));
	close(pidfd);
	log_tail(f->log, 0, tail, sizeof(tail));
	assert_string_equal(tail, "1500000001 1500000001 1500000001 1 jailtest 2 no-etc no-proc "
				  "no-tmp usr");
}

/* A jail that cannot be made says which step failed; nothing runs. */
static void test_jailed_failure_says_step(void **state)
{
	struct fix *f = *state;
	char *const argv[] = { "/bin/true", NULL };
	struct berth_error err = { 0 };
	struct jail j;
	long pid = 0;

	if (geteuid() != 0)
		skip();
	assert_int_equal(jail_init(&j, 1500000001u, f->dir, "/bin/true", "jailtest", &err), 0);
	assert_int_equal(jail_bind(&j, "/nonexistent/berth-kernel", false, false, &err), 0);
	assert_int_equal(spawn_jailed(argv, NULL, f->log, &j, &pid, &err), -1);
	assert_contains(err.msg, "cannot bind its files");
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(pid, 0);
	jail_done(&j);
}

static void test_proc_gone(void **state)
{
	pid_t p = fork();

	(void)state;
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	assert_int_equal(proc_open(p), -1);
	assert_int_equal(proc_open(0), -1);
	assert_int_equal(proc_open(-5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_output_status_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_big_output_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_time_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_no_fds_of_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_exec_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detached_exec_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jailed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jailed_failure_says_step, setup, teardown),
		cmocka_unit_test(test_proc_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
