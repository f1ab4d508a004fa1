/* test_escape.c - the console's detach key (src/cli/escape.c): Ctrl-A q detaches, Ctrl-A
 * Ctrl-A sends one Ctrl-A, anything else after Ctrl-A goes through with it, and a sequence
 * split across reads works. */
#include "testlib.h"

#include <string.h>

#include "cli/escape.h"

/* Feed in (a string) into e; out gets what is sent, NUL-terminated. */
static size_t feed(struct escape *e, const char *in, char *out, bool *detach)
{
	size_t n = escape_feed(e, in, strlen(in), out, detach);

	out[n] = '\0';
	return n;
}

static void plain_bytes_pass(void **state)
{
	struct escape e = { 0 };
	char out[64];
	bool detach;

	(void)state;
	assert_int_equal(feed(&e, "ls -l\r", out, &detach), 6);
	assert_string_equal(out, "ls -l\r");
	assert_false(detach);
	assert_int_equal(feed(&e, "q", out, &detach), 1); /* q alone is just q */
	assert_false(detach);
}

static void ctrl_a_q_detaches(void **state)
{
	struct escape e = { 0 };
	char out[64];
	bool detach;

	(void)state;
	assert_int_equal(feed(&e, "ab\001qcd", out, &detach), 2);
	assert_string_equal(out, "ab");
	assert_true(detach);
	/* split across two reads */
	e = (struct escape){ 0 };
	assert_int_equal(feed(&e, "x\001", out, &detach), 1);
	assert_false(detach);
	assert_true(e.pending);
	assert_int_equal(feed(&e, "q", out, &detach), 0);
	assert_true(detach);
}

static void ctrl_a_twice_sends_one(void **state)
{
	struct escape e = { 0 };
	char out[64];
	bool detach;

	(void)state;
	assert_int_equal(feed(&e, "\001\001", out, &detach), 1);
	assert_string_equal(out, "\001");
	assert_false(detach);
	assert_false(e.pending);
	/* Ctrl-A Ctrl-A q: a Ctrl-A, then q */
	assert_int_equal(feed(&e, "\001\001q", out, &detach), 2);
	assert_string_equal(out, "\001q");
	assert_false(detach);
	/* split: Ctrl-A | Ctrl-A */
	assert_int_equal(feed(&e, "\001", out, &detach), 0);
	assert_int_equal(feed(&e, "\001", out, &detach), 1);
	assert_string_equal(out, "\001");
}

static void ctrl_a_other_sends_both(void **state)
{
	struct escape e = { 0 };
	char out[64];
	bool detach;

	(void)state;
	assert_int_equal(feed(&e, "\001x", out, &detach), 2);
	assert_string_equal(out, "\001x");
	assert_false(detach);
	/* the worst case: a pending Ctrl-A and one byte make two (out has n + 1 bytes) */
	assert_int_equal(feed(&e, "\001", out, &detach), 0);
	assert_int_equal(feed(&e, "c", out, &detach), 2);
	assert_string_equal(out, "\001c");
	/* Ctrl-A x Ctrl-A q: both, then detach */
	assert_int_equal(feed(&e, "\001x\001q", out, &detach), 2);
	assert_true(detach);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_bytes_pass),
		cmocka_unit_test(ctrl_a_q_detaches),
		cmocka_unit_test(ctrl_a_twice_sends_one),
		cmocka_unit_test(ctrl_a_other_sends_both),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
