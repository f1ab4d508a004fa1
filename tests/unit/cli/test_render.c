/* Unit tests for src/cli/table.c, cells.c and render.c: aligned columns, sizes for
 * people, and the table form of each reply, including replies of the wrong shape. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cells.h"
#include "cli/render.h"
#include "cli/table.h"

static char *printed;

/* Render the JSON text through fn into `printed`; returns fn's result. */
static int render(int (*fn)(json_t *, FILE *, struct berth_error *), const char *text,
		  struct berth_error *err)
{
	json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
	size_t len;
	FILE *out;
	int rc;

	assert_non_null(j);
	free(printed);
	out = open_memstream(&printed, &len);
	assert_non_null(out);
	rc = fn(j, out, err);
	fclose(out);
	json_decref(j);
	return rc;
}

static void tables(void **state)
{
	struct table t;
	size_t len;
	FILE *out;

	(void)state;
	table_init(&t, 3);
	assert_int_equal(table_add(&t, (const char *[]){ "NAME", "STATE", "ADDRESS" }), 0);
	assert_int_equal(table_add(&t, (const char *[]){ "web", "running", "10.0.0.2" }), 0);
	assert_int_equal(table_add(&t, (const char *[]){ "database-1", NULL, "" }), 0);
	free(printed);
	out = open_memstream(&printed, &len);
	table_print(&t, out);
	fclose(out);
	table_free(&t);
	assert_string_equal(printed, "NAME        STATE    ADDRESS\n"
				     "web         running  10.0.0.2\n"
				     "database-1  -\n"); /* no trailing blanks */
}

static void many_rows(void **state)
{
	struct table t;
	char name[16];
	size_t len;
	FILE *out;
	int i;

	(void)state;
	table_init(&t, 2);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(table_add(&t, (const char *[]){ name, "x" }), 0);
	}
	assert_int_equal(t.nrows, 100);
	free(printed);
	out = open_memstream(&printed, &len);
	table_print(&t, out);
	fclose(out);
	table_free(&t);
	assert_contains(printed, "s99  x\n");
	assert_contains(printed, "s9   x\n");
}

static void bytes(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(cell_bytes(0, b, sizeof(b)), "0 B");
	assert_string_equal(cell_bytes(1023, b, sizeof(b)), "1023 B");
	assert_string_equal(cell_bytes(1024, b, sizeof(b)), "1.0 KiB");
	assert_string_equal(cell_bytes(1536, b, sizeof(b)), "1.5 KiB");
	assert_string_equal(cell_bytes(512ULL << 20, b, sizeof(b)), "512 MiB");
	assert_string_equal(cell_bytes(1ULL << 30, b, sizeof(b)), "1.0 GiB");
	assert_string_equal(cell_bytes(2ULL << 30, b, sizeof(b)), "2.0 GiB");
	assert_string_equal(cell_bytes(10ULL << 30, b, sizeof(b)), "10 GiB");
	assert_string_equal(cell_bytes(10180ULL, b, sizeof(b)), "9.9 KiB");
	assert_string_equal(cell_bytes(10230ULL, b, sizeof(b)), "10 KiB"); /* not "10.0" */
	assert_string_equal(cell_bytes(8341028864ULL, b, sizeof(b)), "7.8 GiB");
	assert_string_equal(cell_bytes(3ULL << 40, b, sizeof(b)), "3.0 TiB");
	assert_string_equal(cell_bytes(UINT64_MAX, b, sizeof(b)), "16 EiB");
}

static void cells(void **state)
{
	json_t *v;
	char b[64];

	(void)state;
	assert_string_equal(cell_size(NULL, b, sizeof(b)), "-");
	v = json_integer(1 << 30);
	assert_string_equal(cell_size(v, b, sizeof(b)), "1.0 GiB");
	assert_string_equal(cell_text(v, b, sizeof(b)), "1073741824");
	json_decref(v);
	v = json_string("512M");
	assert_string_equal(cell_size(v, b, sizeof(b)), "512M");
	json_decref(v);
	v = json_integer(-5);
	assert_string_equal(cell_size(v, b, sizeof(b)), "-5");
	json_decref(v);
	v = json_real(1.5);
	assert_string_equal(cell_text(v, b, sizeof(b)), "1.5");
	json_decref(v);
	assert_string_equal(cell_text(json_true(), b, sizeof(b)), "yes");
	assert_string_equal(cell_text(json_null(), b, sizeof(b)), "-");
	v = json_integer(0);
	assert_string_equal(cell_time(v, b, sizeof(b)), "1970-01-01 00:00");
	json_decref(v);
	v = json_integer(1764037800);
	assert_string_equal(cell_time(v, b, sizeof(b)), "2025-11-25 02:30");
	json_decref(v);
	assert_string_equal(cell_time(NULL, b, sizeof(b)), "-");
}

static void servers(void **state)
{
	struct berth_error err;

	(void)state;
	assert_int_equal(
	    render(
		render_servers,
		"[{\"name\":\"web\",\"kind\":\"ct\",\"image\":\"busybox\",\"state\":"
		"\"running\",\"cpus\":1,\"memory\":1073741824,\"disk\":1107296256,\"address\":null,"
		"\"pid\":42,\"restart\":\"no\",\"created\":0},"
		"{\"name\":\"database\",\"kind\":\"vm\",\"state\":\"stopped\",\"cpus\":12,"
		"\"memory\":536870912,\"disk\":21474836480,\"address\":\"10.0.0.3\"}]",
		&err),
	    0);
	assert_string_equal(printed,
			    "NAME      KIND  STATE    CPUS  MEMORY   DISK     ADDRESS   IDS\n"
			    "web       ct    running  1     1.0 GiB  1.0 GiB  -         -\n"
			    "database  vm    stopped  12    512 MiB  20 GiB   10.0.0.3  -\n");
	assert_int_equal(render(render_servers, "[]", &err), 0);
	assert_string_equal(printed, "NAME  KIND  STATE  CPUS  MEMORY  DISK  ADDRESS  IDS\n");
	/* Entries missing fields print "-", never crash. */
	assert_int_equal(render(render_servers, "[{}, 3, null]", &err), 0);
	assert_contains(printed, "-     -     -      -     -       -     -        -\n");
	assert_int_equal(render(render_servers, "{\"servers\":[]}", &err), -1);
	assert_contains(err.msg, "unexpected reply from berthd (expected a list of servers)");
}

static void one_server(void **state)
{
	struct berth_error err;

	(void)state;
	assert_int_equal(render(render_server,
				"{\"name\":\"web\",\"kind\":\"ct\",\"image\":\"busybox\",\"state\":"
				"\"running\",\"cpus\":1,\"memory\":1073741824,\"disk\":2147483648,"
				"\"address\":null,\"pid\":42,\"restart\":\"always\",\"created\":0}",
				&err),
			 0);
	assert_string_equal(printed, "name     web\n"
				     "kind     ct\n"
				     "image    busybox\n"
				     "state    running\n"
				     "cpus     1\n"
				     "memory   1.0 GiB\n"
				     "disk     2.0 GiB\n"
				     "address  -\n"
				     "pid      42\n"
				     "restart  always\n"
				     "created  1970-01-01 00:00\n");
	assert_int_equal(
	    render(render_server,
		   "{\"name\":\"web\",\"cloud_init\":{\"instance_id\":\"i-0123456789abcdef\","
		   "\"ssh_keys\":2,\"user_data\":33}}",
		   &err),
	    0);
	assert_contains(printed,
			"cloud-init  i-0123456789abcdef: 2 SSH keys, 33 bytes of user-data\n");
	assert_int_equal(render(render_server, "{\"name\":\"web\",\"cloud_init\":null}", &err), 0);
	assert_contains(printed, "cloud-init  -\n");
	assert_int_equal(render(render_server, "[]", &err), -1);
	assert_contains(err.msg, "expected a server");
}

static void images_and_plans(void **state)
{
	struct berth_error err;

	(void)state;
	assert_int_equal(render(render_images,
				"[{\"name\":\"busybox\",\"kind\":\"ct\",\"state\":\"ready\","
				"\"size\":2202009,\"created\":0}]",
				&err),
			 0);
	assert_string_equal(printed, "NAME     KIND  STATE  SIZE     CREATED\n"
				     "busybox  ct    ready  2.1 MiB  1970-01-01 00:00\n");
	assert_int_equal(render(render_images, "\"x\"", &err), -1);
	assert_int_equal(render(render_plans,
				"[{\"name\":\"small\",\"cpus\":1,\"memory\":536870912,"
				"\"disk\":2147483648},{\"name\":\"large\",\"cpus\":4,"
				"\"memory\":8589934592,\"disk\":42949672960}]",
				&err),
			 0);
	assert_string_equal(printed, "NAME   CPUS  MEMORY   DISK\n"
				     "small  1     512 MiB  2.0 GiB\n"
				     "large  4     8.0 GiB  40 GiB\n");
	assert_int_equal(render(render_plans, "{}", &err), -1);
}

static void host(void **state)
{
	struct berth_error err;

	(void)state;
	assert_int_equal(
	    render(render_host,
		   "{\"cpus\":{\"total\":4,\"capacity\":4,\"reserved\":2,\"free\":2,"
		   "\"overcommit\":1.0},\"memory\":{\"total\":8341028864,\"capacity\":"
		   "2147483648,\"reserved\":1073741824,\"free\":1073741824},\"disk\":{"
		   "\"total\":107374182400,\"capacity\":53687091200,\"reserved\":0,\"free\":"
		   "53687091200},\"servers\":1}",
		   &err),
	    0);
	assert_string_equal(printed, "RESOURCE  TOTAL    CAPACITY  RESERVED  FREE\n"
				     "cpus      4        4         2         2\n"
				     "memory    7.8 GiB  2.0 GiB   1.0 GiB   1.0 GiB\n"
				     "disk      100 GiB  50 GiB    0 B       50 GiB\n"
				     "servers: 1, cpu overcommit: 1.0\n");
	assert_int_equal(render(render_host, "{\"memory\":{}}", &err), -1);
	assert_contains(err.msg, "expected the host's resources");
}

static int teardown(void **state)
{
	(void)state;
	free(printed);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables),
		cmocka_unit_test(many_rows),
		cmocka_unit_test(bytes),
		cmocka_unit_test(cells),
		cmocka_unit_test(servers),
		cmocka_unit_test(one_server),
		cmocka_unit_test(images_and_plans),
		cmocka_unit_test(host),
	};

	setenv("TZ", "UTC", 1); /* times print in local time */
	tzset();
	return cmocka_run_group_tests(tests, NULL, teardown);
}
