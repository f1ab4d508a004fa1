/* Unit tests for src/vmm/api/request.c: every command parses, every bad line gets a clear error. */
#include "testlib.h"

#include <stdlib.h>

#include "vmm/api/request.h"

static int parse(const char *line, struct api_request *req, struct berth_error *err)
{
	return api_request_parse(line, strlen(line), req, err);
}

static void commands(void **state)
{
	static const char *const names[] = { "status", "pause", "resume",     "shutdown",
					     "stop",   "watch", "disk-resize" };
	struct berth_error err = { 0 };
	struct api_request req;
	char line[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(line, sizeof(line), "{\"cmd\":\"%s\"}", names[i]);
		assert_int_equal(parse(line, &req, &err), 0);
		assert_string_equal(api_cmd_name(req.cmd), names[i]);
		assert_null(req.id);
		api_request_release(&req);
	}
}

static void ids(void **state)
{
	struct berth_error err = { 0 };
	struct api_request req;

	(void)state;
	assert_int_equal(parse(" { \"id\": 7, \"cmd\": \"pause\" } ", &req, &err), 0);
	assert_int_equal(req.cmd, API_PAUSE);
	assert_int_equal(json_integer_value(req.id), 7);
	api_request_release(&req);
	assert_null(req.id);
	assert_int_equal(parse("{\"cmd\":\"status\",\"id\":\"abc\"}", &req, &err), 0);
	assert_string_equal(json_string_value(req.id), "abc");
	api_request_release(&req);
}

static void disk_numbers(void **state)
{
	struct berth_error err = { 0 };
	struct api_request req;

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"disk-resize\"}", &req, &err), 0);
	assert_int_equal(req.cmd, API_DISK_RESIZE);
	assert_int_equal(req.disk, 0); /* the first disk when not named */
	api_request_release(&req);
	assert_int_equal(parse("{\"disk\":3,\"cmd\":\"disk-resize\",\"id\":2}", &req, &err), 0);
	assert_int_equal(req.disk, 3);
	api_request_release(&req);
	assert_int_equal(parse("{\"cmd\":\"disk-resize\",\"disk\":255}", &req, &err), 0);
	assert_int_equal(req.disk, API_MAX_DISK);
	api_request_release(&req);
}

static void expect_error(const char *line, size_t len, const char *needle)
{
	struct berth_error err = { 0 };
	struct api_request req;

	assert_int_equal(api_request_parse(line, len, &req, &err), -1);
	assert_null(req.id);
	assert_contains(err.msg, needle);
}

#define EXPECT_ERROR(line, needle) expect_error(line, strlen(line), needle)

static void bad_lines(void **state)
{
	char long_id[300];

	(void)state;
	EXPECT_ERROR("", "not JSON");
	EXPECT_ERROR("status", "not JSON");
	EXPECT_ERROR("{\"cmd\":\"status\"", "not JSON");
	EXPECT_ERROR("{\"cmd\":\"status\"} {}", "not JSON");
	EXPECT_ERROR("[\"status\"]", "must be a JSON object");
	EXPECT_ERROR("42", "not JSON");
	EXPECT_ERROR("{}", "no \"cmd\"");
	EXPECT_ERROR("{\"id\":1}", "no \"cmd\"");
	EXPECT_ERROR("{\"cmd\":1}", "\"cmd\" must be a string");
	EXPECT_ERROR("{\"cmd\":\"Status\"}", "unknown command 'Status'");
	EXPECT_ERROR("{\"cmd\":\"status\",\"cmd\":\"stop\"}", "duplicate");
	EXPECT_ERROR("{\"cmd\":\"status\",\"verbose\":true}", "unknown field 'verbose'");
	EXPECT_ERROR("{\"cmd\":\"status\",\"id\":1.5}", "\"id\" must be");
	EXPECT_ERROR("{\"cmd\":\"status\",\"id\":null}", "\"id\" must be");
	EXPECT_ERROR("{\"cmd\":\"stat\\u0000us\"}", "not JSON");
	EXPECT_ERROR("{\"cmd\":\"status\",\"disk\":0}", "\"disk\" belongs to disk-resize only");
	EXPECT_ERROR("{\"cmd\":\"disk-resize\",\"disk\":-1}", "\"disk\" must be a disk number");
	EXPECT_ERROR("{\"cmd\":\"disk-resize\",\"disk\":256}", "\"disk\" must be a disk number");
	EXPECT_ERROR("{\"cmd\":\"disk-resize\",\"disk\":\"0\"}", "\"disk\" must be a disk number");
	EXPECT_ERROR("{\"cmd\":\"disk-resize\",\"disk\":1.0}", "\"disk\" must be a disk number");
	EXPECT_ERROR("{\"cmd\":\"disk-resize\",\"disk\":0,\"size\":1}", "unknown field 'size'");
	expect_error("{\"cmd\":\"status\"}\0", 17, "not JSON");
	expect_error("{\"cmd\":\"\xff\"}", 11, "not JSON");
	memset(long_id, 'a', sizeof(long_id));
	memcpy(long_id, "{\"cmd\":\"status\",\"id\":\"", 22);
	memcpy(long_id + sizeof(long_id) - 3, "\"}", 3);
	EXPECT_ERROR(long_id, "at most 128 bytes");
	/* A long unknown name is not echoed. */
	EXPECT_ERROR("{\"cmd\":"
		     "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		     "xxxxxxxx\"}",
		     "unknown command '...'");
}

static void expect_line(json_t *msg, const char *want)
{
	size_t len = 0;
	char *line = api_line(msg, &len);

	assert_non_null(line);
	assert_string_equal(line, want);
	assert_int_equal(len, strlen(want));
	free(line);
	json_decref(msg);
}

static void replies(void **state)
{
	json_t *id = json_integer(3);

	(void)state;
	expect_line(api_reply_ok(NULL, NULL), "{\"ok\":true}\n");
	expect_line(api_reply_ok(id, json_pack("{s:s}", "state", "paused")),
		    "{\"ok\":true,\"id\":3,\"state\":\"paused\"}\n");
	expect_line(api_reply_error(id, "no \"such\" thing"),
		    "{\"ok\":false,\"id\":3,\"error\":\"no \\\"such\\\" thing\"}\n");
	/* Never an error reply without its text, even for a message that is not UTF-8. */
	expect_line(api_reply_error(NULL, "bad \xff"),
		    "{\"ok\":false,\"error\":\"the request could not be handled\"}\n");
	json_decref(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commands),	cmocka_unit_test(ids),
		cmocka_unit_test(disk_numbers), cmocka_unit_test(bad_lines),
		cmocka_unit_test(replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
