/* Unit tests for src/common/nofile.c: the soft limit goes up to what is asked, never past
 * the hard limit, never down. */
#include "testlib.h"

#include "common/nofile.h"

static void raises_within_hard(void **state)
{
	struct rlimit saved, rl;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	rl = saved;
	rl.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(nofile_raise(200), 200);
	assert_int_equal(nofile_raise(150), 200); /* never lowered */
	assert_int_equal(nofile_raise(RLIM_INFINITY), saved.rlim_max);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(rl.rlim_cur, saved.rlim_max);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raises_within_hard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
