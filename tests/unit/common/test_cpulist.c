/* Unit tests for src/common/cpulist.c: lists as the kernel writes them, to sets and back. */
#include "testlib.h"

#include "common/cpulist.h"

static void round_trips(void **state)
{
	static const char *const lists[] = { "", "0", "0-1", "0,2", "0-3,8,10-11", "1023" };
	char buf[64];
	cpu_set_t s;

	(void)state;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		assert_int_equal(cpulist_parse(lists[i], &s), 0);
		assert_int_equal(cpulist_format(&s, buf, sizeof(buf)), 0);
		assert_string_equal(buf, lists[i]);
	}
	/* the kernel's files end in a newline; group_concat gives single CPUs */
	assert_int_equal(cpulist_parse("0-1\n", &s), 0);
	assert_int_equal(CPU_COUNT(&s), 2);
	assert_int_equal(cpulist_parse("3,1,2", &s), 0);
	assert_int_equal(cpulist_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-3");
}

static void refuses_junk(void **state)
{
	static const char *const bad[] = {
		"x", "1-", "-1", "3-1", "1;2", "1024", "0-99999", "1,,2"
	};
	char buf[4];
	cpu_set_t s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cpulist_parse(bad[i], &s), -1);
	assert_int_equal(cpulist_parse("0,2,4", &s), 0);
	assert_int_equal(cpulist_format(&s, buf, sizeof(buf)), -1); /* "0,2,4" needs 6 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trips),
		cmocka_unit_test(refuses_junk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
