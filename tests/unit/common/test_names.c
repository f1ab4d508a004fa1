/* Unit tests for src/common/names.c. */
#include "testlib.h"

#include "common/names.h"

static void accepts_good_names(void **state)
{
	(void)state;
	assert_true(name_valid("web1"));
	assert_true(name_valid("a"));
	assert_true(name_valid("0-db-primary"));
	assert_true(name_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"));
}

static void rejects_bad_names(void **state)
{
	struct berth_error err;

	(void)state;
	assert_false(name_valid(NULL));
	assert_false(name_valid(""));
	assert_false(name_valid("-web"));
	assert_false(name_valid("Web"));
	assert_false(name_valid("a/b"));
	assert_false(name_valid(".."));
	assert_false(name_valid("a..b"));
	assert_false(name_valid("a b"));
	assert_false(name_valid("a_b"));
	assert_false(
	    name_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"));
	assert_int_equal(name_check("server", "../etc", &err), -1);
	assert_contains(err.msg, "invalid server name '../etc'");
	assert_int_equal(name_check("image", "", &err), -1);
	assert_contains(err.msg, "image name is empty");
	assert_int_equal(name_check("server", "ok", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_good_names),
		cmocka_unit_test(rejects_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
