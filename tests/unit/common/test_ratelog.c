/* Unit tests for src/common/ratelog.c: a burst goes through, the rest is counted, and the
 * next line let through says how many were held back. */
#include "testlib.h"

#include "common/ratelog.h"

static void burst_then_counted(void **state)
{
	struct ratelog rl = RATELOG_INIT;
	uint64_t held = 99;
	unsigned i;

	(void)state;
	for (i = 0; i < RATELOG_BURST; i++) {
		assert_true(ratelog_allow(&rl, 1000 + i, &held));
		assert_int_equal(held, 0);
	}
	for (i = 0; i < 1000; i++)
		assert_false(ratelog_allow(&rl, 2000, &held));
	/* Still inside the window. */
	assert_false(ratelog_allow(&rl, 1000 + RATELOG_WINDOW_MS - 1, &held));
	/* A new window: the first line says how many were held back, then the count restarts. */
	assert_true(ratelog_allow(&rl, 1000 + RATELOG_WINDOW_MS, &held));
	assert_int_equal(held, 1001);
	assert_true(ratelog_allow(&rl, 1000 + RATELOG_WINDOW_MS, &held));
	assert_int_equal(held, 0);
}

/* A clock that went back (it cannot, but the limiter must not stall for ever if it did). */
static void clock_going_back_opens_a_window(void **state)
{
	struct ratelog rl = RATELOG_INIT;
	uint64_t held;
	unsigned i;

	(void)state;
	for (i = 0; i <= RATELOG_BURST; i++)
		ratelog_allow(&rl, 50000, &held);
	assert_true(ratelog_allow(&rl, 100, &held));
	assert_int_equal(held, 1);
}

/* Through a file: a flood of lines comes out as the burst and, later, a count. */
static void printf_writes_burst_and_count(void **state)
{
	struct ratelog rl = RATELOG_INIT;
	char buf[4096] = { 0 };
	FILE *f = tmpfile();
	unsigned i, lines = 0;
	(void)state;
	assert_non_null(f);
	for (i = 0; i < 5000; i++)
		ratelog_printf(&rl, f, "line %u", i);
	rewind(f);
	while (fgets(buf, sizeof(buf), f))
		lines++;
	assert_int_equal(lines, RATELOG_BURST);
	/* Pretend the window passed: the next line carries the count. */
	rl.window_start_ms -= RATELOG_WINDOW_MS;
	fseek(f, 0, SEEK_END);
	ratelog_printf(&rl, f, "after");
	rewind(f);
	for (i = 0; i < RATELOG_BURST; i++)
		assert_non_null(fgets(buf, sizeof(buf), f));
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "(4990 similar lines suppressed)\n");
	assert_non_null(fgets(buf, sizeof(buf), f));
	assert_string_equal(buf, "after\n");
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_counted),
		cmocka_unit_test(clock_going_back_opens_a_window),
		cmocka_unit_test(printf_writes_burst_and_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
