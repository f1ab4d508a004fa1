/* Unit tests for src/common/size.c. */
#include "testlib.h"

#include <errno.h>

#include "common/size.h"

static void parses_suffixes(void **state)
{
	struct berth_error err;
	uint64_t v;

	(void)state;
	assert_int_equal(size_parse("512M", &v, &err), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(size_parse("4G", &v, &err), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(size_parse("5GiB", &v, &err), 0);
	assert_int_equal(v, 5ULL << 30);
	assert_int_equal(size_parse("64k", &v, &err), 0);
	assert_int_equal(v, 64ULL << 10);
	assert_int_equal(size_parse("1048576", &v, &err), 0);
	assert_int_equal(v, 1048576);
}

static void rejects_garbage(void **state)
{
	struct berth_error err;
	uint64_t v;

	(void)state;
	assert_int_equal(size_parse("", &v, &err), -1);
	assert_int_equal(size_parse("-1G", &v, &err), -1);
	assert_int_equal(size_parse("12X", &v, &err), -1);
	/* Bad input, said in full: no strerror text after it. */
	assert_string_equal(err.msg, "invalid size suffix in '12X' (use K, M, G or T)");
	assert_int_equal(err.errnum, EINVAL);
	assert_int_equal(size_parse("12Gx", &v, &err), -1);
	assert_int_equal(size_parse("99999999999999999999", &v, &err), -1);
	assert_int_equal(size_parse("17179869184T", &v, &err), -1);
	assert_string_equal(err.msg, "size '17179869184T' is too large");
	assert_int_equal(err.errnum, ERANGE);
}

static void formats(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(size_format(512ULL << 20, buf, sizeof(buf)), "512 MiB");
	assert_string_equal(size_format(5ULL << 30, buf, sizeof(buf)), "5 GiB");
	assert_string_equal(size_format(1000, buf, sizeof(buf)), "1000 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_suffixes),
		cmocka_unit_test(rejects_garbage),
		cmocka_unit_test(formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
