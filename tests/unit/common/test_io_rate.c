/* Unit tests for src/common/io_rate.c: the values of iops= and bps=, good and bad. */
#include "testlib.h"

#include <errno.h>

#include "common/io_rate.h"

static void parses(void **state)
{
	struct berth_error err;
	uint64_t v;

	(void)state;
	assert_int_equal(io_rate_parse("iops", "1", false, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(io_rate_parse("iops", "10000000", false, &v, &err), 0);
	assert_int_equal(v, IO_RATE_IOPS_MAX);
	assert_int_equal(io_rate_parse("bps", "10M", true, &v, &err), 0);
	assert_int_equal(v, 10ULL << 20);
	assert_int_equal(io_rate_parse("bps", "4096", true, &v, &err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(io_rate_parse("bps", "1T", true, &v, &err), 0);
	assert_int_equal(v, IO_RATE_BPS_MAX);
}

static void refuses(void **state)
{
	static const struct {
		const char *v;
		bool bytes;
		int errnum;
		const char *needle;
	} cases[] = {
		{ "0", false, EINVAL, "iops=0: a limit must be above 0 (leave iops out for none)" },
		{ "0M", true, EINVAL, "bps=0M: a limit must be above 0" },
		{ "-5", false, EINVAL, "iops=-5: give a whole number above 0" },
		{ "-1", true, EINVAL, "bps=-1: give a whole number above 0 (bytes per second" },
		{ "", false, EINVAL, "give a whole number" },
		{ " 5", false, EINVAL, "give a whole number" },
		{ "5k", false, EINVAL, "iops=5k: give a whole number" },
		{ "1.5", false, EINVAL, "give a whole number" },
		{ "12X", true, EINVAL, "bps=12X: invalid size suffix" },
		{ "10000001", false, ERANGE, "iops=10000001 is too large (at most 10000000)" },
		{ "99999999999999999999999", false, ERANGE, "is too large" },
		{ "1025G", true, ERANGE, "bps=1025G is too large (at most 1099511627776)" },
		{ "99999999999999999999999", true, ERANGE, "is too large" },
		{ "17179869184T", true, ERANGE, "is too large" },
	};
	struct berth_error err;
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(io_rate_parse(cases[i].bytes ? "bps" : "iops", cases[i].v,
					       cases[i].bytes, &v, &err),
				 -1);
		assert_contains(err.msg, cases[i].needle);
		assert_int_equal(err.errnum, cases[i].errnum);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses),
		cmocka_unit_test(refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
