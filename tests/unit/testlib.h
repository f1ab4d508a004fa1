/* testlib.h - what every cmocka unit test includes, in the order cmocka needs. */
#ifndef BERTH_TESTS_TESTLIB_H
#define BERTH_TESTS_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Assert that haystack contains needle, printing both when it does not. */
#define assert_contains(haystack, needle)                                                          \
	do {                                                                                       \
		if (!strstr((haystack), (needle)))                                                 \
			fail_msg("expected \"%s\" in \"%s\"", (needle), (haystack));               \
	} while (0)

/* A scratch directory for a test group: give testlib_dir_make and testlib_dir_remove to
 * cmocka_run_group_tests; tests put their files in testlib_dir. */
static __attribute__((unused)) char testlib_dir[] = "/tmp/berth-unit.XXXXXX";

/* Group setup: make testlib_dir. */
static inline int testlib_dir_make(void **state)
{
	(void)state;
	return mkdtemp(testlib_dir) ? 0 : -1;
}

/* Group teardown: remove testlib_dir and everything in it. */
static inline int testlib_dir_remove(void **state)
{
	char cmd[sizeof(testlib_dir) + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", testlib_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write len bytes of data to the file name in testlib_dir; its path (a static buffer, valid
 * until the next call). */
static inline __attribute__((unused)) char *testlib_file(const char *name, const void *data,
							 size_t len)
{
	static char path[sizeof(testlib_dir) + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", testlib_dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

#endif
