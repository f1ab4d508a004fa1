/* Unit tests for src/daemon/api/api_input.c: what the API accepts and the messages it refuses with.
 */
#include "testlib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/api/api_input.h"

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void unknown_fields_are_named(void **state)
{
	static const char *const allowed[] = { "name", "cpus", NULL };
	struct berth_error err = { 0 };
	json_t *j = parse("{\"name\":\"a\",\"cpus\":1}");

	(void)state;
	assert_int_equal(input_fields(j, allowed, &err), 0);
	json_object_set_new(j, "colour", json_string("red"));
	assert_int_equal(input_fields(j, allowed, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_string_equal(err.msg, "unknown field 'colour'");
	json_decref(j);
}

static void sizes(void **state)
{
	struct berth_error err = { 0 };
	json_t *j = parse("{\"a\":1024,\"b\":\"512M\",\"c\":-1,\"d\":\"-1G\",\"e\":1.5,\"f\":"
			  "\"12X\",\"g\":null}");
	uint64_t v = 7;

	(void)state;
	assert_int_equal(input_size(j, "a", &v, &err), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(input_size(j, "b", &v, &err), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(input_size(j, "c", &v, &err), -1);
	assert_string_equal(err.msg, "field 'c' must not be negative");
	assert_int_equal(input_size(j, "d", &v, &err), -1);
	assert_string_equal(err.msg, "field 'd' must not be negative");
	assert_int_equal(input_size(j, "e", &v, &err), -1);
	assert_contains(err.msg, "field 'e' must be a size");
	assert_int_equal(input_size(j, "f", &v, &err), -1);
	assert_contains(err.msg, "not '12X'");
	v = 7;
	assert_int_equal(input_size(j, "g", &v, &err), 0);
	assert_int_equal(input_size(j, "missing", &v, &err), 0);
	assert_int_equal(v, 7);
	json_decref(j);
}

static void numbers_strings_bools(void **state)
{
	struct berth_error err = { 0 };
	json_t *j = parse(
	    "{\"n\":4,\"big\":300,\"neg\":-1,\"s\":\"x\",\"empty\":\"\",\"t\":true,\"one\":1}");
	const char *s = NULL;
	unsigned n = 0;
	bool b = false;

	(void)state;
	assert_int_equal(input_uint(j, "n", 1, 255, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(input_uint(j, "big", 1, 255, &n, &err), -1);
	assert_string_equal(err.msg, "field 'big' must be from 1 to 255");
	assert_int_equal(input_uint(j, "neg", 1, 255, &n, &err), -1);
	assert_int_equal(input_uint(j, "s", 1, 255, &n, &err), -1);
	assert_string_equal(err.msg, "field 's' must be a whole number");
	assert_int_equal(input_string(j, "s", true, &s, &err), 0);
	assert_string_equal(s, "x");
	assert_int_equal(input_string(j, "empty", true, &s, &err), -1);
	assert_int_equal(input_string(j, "n", true, &s, &err), -1);
	assert_int_equal(input_string(j, "nope", true, &s, &err), -1);
	assert_string_equal(err.msg, "field 'nope' is required");
	assert_int_equal(input_bool(j, "t", &b, &err), 0);
	assert_true(b);
	assert_int_equal(input_bool(j, "one", &b, &err), -1);
	json_decref(j);
}

static void query_arguments(void **state)
{
	struct berth_error err = { 0 };
	unsigned n = 30;
	bool b = false;

	(void)state;
	assert_int_equal(input_query_uint("timeout", NULL, 600, &n, &err), 0);
	assert_int_equal(n, 30);
	assert_int_equal(input_query_uint("timeout", "5", 600, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(input_query_uint("timeout", "-1", 600, &n, &err), -1);
	assert_int_equal(input_query_uint("timeout", "601", 600, &n, &err), -1);
	assert_int_equal(input_query_uint("timeout", "5s", 600, &n, &err), -1);
	assert_int_equal(input_query_bool("force", "1", &b, &err), 0);
	assert_true(b);
	assert_int_equal(input_query_bool("force", "yes", &b, &err), -1);
	assert_contains(err.msg, "'force'");
}

/* A kernel command line: printable ASCII up to the bound; control bytes (a newline, an
 * escape, NUL), bytes above 0x7e, the empty string and non-strings refused, naming the field. */
static void kernel_command_lines(void **state)
{
	struct berth_error err = { 0 };
	json_t *j = parse("{\"ok\":\"root=/dev/vda1 ro console=tty0 quiet=\\\"a b\\\"\","
			  "\"nl\":\"root=/dev/vda1\\ninit=/bin/sh\",\"esc\":\"a\\u001b[2J\","
			  "\"utf\":\"caf\\u00e9\",\"del\":\"a\\u007f\","
			  "\"empty\":\"\",\"num\":5}");
	const char *s = NULL;
	char *big;

	(void)state;
	assert_int_equal(input_cmdline(j, "ok", 1024, &s, &err), 0);
	assert_string_equal(s, "root=/dev/vda1 ro console=tty0 quiet=\"a b\"");
	assert_int_equal(input_cmdline(j, "ok", 10, &s, &err), -1);
	assert_contains(err.msg, "field 'ok' is 42 bytes: at most 10");
	assert_int_equal(input_cmdline(j, "nl", 1024, &s, &err), -1);
	assert_string_equal(err.msg, "field 'nl' must be printable ASCII (byte 0x0a at 14 is not)");
	assert_int_equal(input_cmdline(j, "esc", 1024, &s, &err), -1);
	assert_contains(err.msg, "byte 0x1b at 1");
	json_object_set_new(j, "nul", json_stringn("a\0b", 3)); /* as JSON_ALLOW_NUL would give */
	assert_int_equal(input_cmdline(j, "nul", 1024, &s, &err), -1);
	assert_contains(err.msg, "must not contain NUL");
	assert_int_equal(input_cmdline(j, "utf", 1024, &s, &err), -1);
	assert_contains(err.msg, "byte 0xc3 at 3");
	assert_int_equal(input_cmdline(j, "del", 1024, &s, &err), -1);
	assert_contains(err.msg, "byte 0x7f at 1");
	assert_int_equal(input_cmdline(j, "empty", 1024, &s, &err), -1);
	assert_int_equal(input_cmdline(j, "num", 1024, &s, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	s = "kept";
	assert_int_equal(input_cmdline(j, "missing", 1024, &s, &err), 0);
	assert_string_equal(s, "kept");
	big = malloc(1026);
	assert_non_null(big);
	memset(big, 'x', 1025);
	big[1025] = '\0';
	json_object_set_new(j, "big", json_string(big));
	assert_int_equal(input_cmdline(j, "big", 1024, &s, &err), -1);
	assert_contains(err.msg, "1025 bytes: at most 1024");
	big[1024] = '\0';
	json_object_set_new(j, "big", json_string(big));
	assert_int_equal(input_cmdline(j, "big", 1024, &s, &err), 0);
	free(big);
	json_decref(j);
}

static void ssh_keys_and_user_data(void **state)
{
	struct berth_error err = { 0 };
	json_t *j =
	    parse("{\"k\":[\"ssh-ed25519 "
		  "AAAAC3NzaC1lZDI1NTE5AAAAIDwokooKDcUln4DP7FDNzmREhAUPKBmXGlWI7rmeMk2T x\"],"
		  "\"bad\":[\"ssh-ed25519 QUFBQQ==\"],\"num\":[1],\"str\":\"ssh-rsa\","
		  "\"many\":[\"a\",\"b\",\"c\"],\"ud\":\"#cloud-config\\n\","
		  "\"empty\":\"\"}");
	json_t *keys = NULL;
	const char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(input_ssh_keys(j, "k", 32, &keys, &err), 0);
	assert_int_equal(json_array_size(keys), 1);
	assert_int_equal(input_ssh_keys(j, "bad", 32, &keys, &err), -1);
	assert_contains(err.msg, "field 'bad': key 1: the SSH key's blob is not a key of type");
	assert_int_equal(input_ssh_keys(j, "num", 32, &keys, &err), -1);
	assert_contains(err.msg, "key 1 must be a string");
	assert_int_equal(input_ssh_keys(j, "str", 32, &keys, &err), -1);
	assert_contains(err.msg, "must be an array");
	assert_int_equal(input_ssh_keys(j, "many", 2, &keys, &err), -1);
	assert_contains(err.msg, "has 3 keys: at most 2");
	assert_int_equal(input_text(j, "ud", 64, &text, &len, &err), 0);
	assert_int_equal(len, 14);
	assert_int_equal(input_text(j, "ud", 13, &text, &len, &err), -1);
	assert_contains(err.msg, "is 14 bytes: at most 13");
	json_object_set_new(j, "nul", json_stringn("a\0b", 3));
	assert_int_equal(input_text(j, "nul", 64, &text, &len, &err), -1);
	assert_contains(err.msg, "must not contain NUL");
	assert_int_equal(input_text(j, "empty", 64, &text, &len, &err), 0);
	assert_int_equal(len, 0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_fields_are_named),
		cmocka_unit_test(sizes),
		cmocka_unit_test(numbers_strings_bools),
		cmocka_unit_test(query_arguments),
		cmocka_unit_test(kernel_command_lines),
		cmocka_unit_test(ssh_keys_and_user_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
