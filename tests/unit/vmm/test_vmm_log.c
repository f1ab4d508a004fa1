/* Unit tests for src/vmm/vmm_log.c: with --log PATH,max=SIZE whatever berth-vmm prints on
 * stdout or stderr lands in PATH, which never grows past its cap (PATH.1 holds the part
 * before). Each test runs in a child, since it takes over the process's stdout and stderr. */
#include "testlib.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/caplog.h"
#include "vmm/vmm_log.h"

static char path[PATH_MAX], old[PATH_MAX + 2];

static uint64_t size_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* In a child: log to path capped at max, print lines of 100 bytes on stderr and stdout
 * until bytes are out, then exit. */
static void flood(uint64_t max, uint64_t bytes)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct berth_error err = { 0 };

		if (vmm_log_open(path, max, &err))
			_exit(3);
		for (uint64_t n = 0; n < bytes; n += 100)
			fprintf(n % 200 ? stdout : stderr, "%099llu\n", (unsigned long long)n);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int setup(void **state)
{
	if (testlib_dir_make(state))
		return -1;
	snprintf(path, sizeof(path), "%s/vmm.log", testlib_dir);
	snprintf(old, sizeof(old), "%s.1", path);
	return 0;
}

static void capped(void **state)
{
	(void)state;
	unlink(path);
	unlink(old);
	flood(CAPLOG_MIN, 50 * CAPLOG_MIN);
	assert_true(size_of(path) > 0);
	assert_true(size_of(path) <= CAPLOG_MIN);
	assert_true(size_of(old) > CAPLOG_MIN - 100);
	assert_true(size_of(old) <= CAPLOG_MIN);
}

static void uncapped_appends(void **state)
{
	(void)state;
	unlink(path);
	unlink(old);
	flood(0, 10000);
	flood(0, 10000);
	assert_int_equal(size_of(path), 20000);
	assert_int_equal(size_of(old), 0);
}

static void bad_path_refused(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	assert_int_equal(vmm_log_open("/nonexistent/dir/vmm.log", 0, &err), -1);
	assert_contains(err.msg, "--log");
	assert_contains(err.msg, "/nonexistent/dir/vmm.log");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capped),
		cmocka_unit_test(uncapped_appends),
		cmocka_unit_test(bad_path_refused),
	};
	return cmocka_run_group_tests(tests, setup, testlib_dir_remove);
}
