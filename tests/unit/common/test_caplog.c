/* test_caplog.c - the console log's cap: rotation to PATH.1, appending, bad caps. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/caplog.h"

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", testlib_dir, name);
}

static void rotates_at_the_cap(void **state)
{
	char path[128], old[128], chunk[1000];
	struct berth_error err;
	struct caplog l;
	int i;

	(void)state;
	path_in(path, sizeof(path), "console.log");
	path_in(old, sizeof(old), "console.log.1");
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(caplog_open(&l, path, CAPLOG_MIN, &err), 0);
	for (i = 0; i < 200; i++) /* 200 kB into a 64 KiB cap */
		caplog_write(&l, chunk, sizeof(chunk));
	caplog_close(&l);
	assert_true(file_size(path) <= (long)CAPLOG_MIN);
	assert_true(file_size(path) > 0);
	assert_true(file_size(old) <= (long)CAPLOG_MIN);
	assert_true(file_size(old) > (long)CAPLOG_MIN - (long)sizeof(chunk));
}

static void appends_and_counts_what_is_there(void **state)
{
	char path[128], old[128];
	struct berth_error err;
	struct caplog l;

	(void)state;
	path_in(path, sizeof(path), "append.log");
	path_in(old, sizeof(old), "append.log.1");
	assert_int_equal(caplog_open(&l, path, 0, &err), 0);
	caplog_write(&l, "hello\n", 6);
	caplog_close(&l);
	assert_int_equal(caplog_open(&l, path, CAPLOG_MIN, &err), 0);
	assert_int_equal(l.size, 6);
	caplog_write(&l, "again\n", 6);
	caplog_close(&l);
	assert_int_equal(file_size(path), 12);
	assert_int_equal(file_size(old), -1);
}

static void refuses_a_tiny_cap(void **state)
{
	char path[128];
	struct berth_error err;
	struct caplog l;

	(void)state;
	path_in(path, sizeof(path), "tiny.log");
	assert_int_equal(caplog_open(&l, path, 100, &err), -1);
	assert_contains(err.msg, "too small");
	assert_int_equal(l.fd, -1);
}

static void reports_a_missing_directory(void **state)
{
	struct berth_error err;
	struct caplog l;

	(void)state;
	assert_int_equal(caplog_open(&l, "/nonexistent/dir/console.log", 0, &err), -1);
	assert_contains(err.msg, "/nonexistent/dir/console.log");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rotates_at_the_cap),
		cmocka_unit_test(appends_and_counts_what_is_there),
		cmocka_unit_test(refuses_a_tiny_cap),
		cmocka_unit_test(reports_a_missing_directory),
	};
	return cmocka_run_group_tests(tests, testlib_dir_make, testlib_dir_remove);
}
