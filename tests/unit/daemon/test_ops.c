/* Unit tests for src/daemon/state/ops.c and src/daemon/state/events.c: operations run on their own
 * thread, report progress and errors; the list shows the newest first, at most as many as
 * asked. (Waiting for one is the API's: api_operations.c with http_reply_wait().) */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/state/ops.h"

static char dir[64];
static struct db db;
static struct events events;
static struct ops ops;

static int setup(void **state)
{
	struct berth_error err = { 0 };
	char path[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/berthd-ops.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_open(&db, path, &err), 0);
	events_init(&events);
	ops_init(&ops, &db, &events);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	ops_stop(&ops);
	/* Let finished workers drop their connections before the files go. */
	pthread_mutex_lock(&ops.lock);
	while (ops.running)
		pthread_cond_wait(&ops.finished, &ops.lock);
	pthread_mutex_unlock(&ops.lock);
	db_close(&db);
	events_destroy(&events);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int succeed(struct op *op, void *arg, struct berth_error *err)
{
	(void)arg, (void)err;
	op_progress(op, 40);
	return 0;
}

static int fail_slowly(struct op *op, void *arg, struct berth_error *err)
{
	(void)op;
	usleep(*(int *)arg * 1000);
	return berr(err, 0, "disk on fire");
}

/* Operation id once every operation has ended. */
static json_t *when_done(const char *id, struct berth_error *err)
{
	pthread_mutex_lock(&ops.lock);
	while (ops.running)
		pthread_cond_wait(&ops.finished, &ops.lock);
	pthread_mutex_unlock(&ops.lock);
	return ops_get(&ops, id, err);
}

static const char *status(json_t *j)
{
	return json_string_value(json_object_get(j, "status"));
}

static void runs_reports_and_waits(void **state)
{
	struct berth_error err = { 0 };
	char id[OP_ID_LEN + 1], id2[OP_ID_LEN + 1];
	static int delay_ms = 1500;
	uint64_t seq = events_tail(&events);
	char *line = NULL;
	json_t *j;

	(void)state;
	assert_int_equal(op_run(&ops, "create", "/1.0/servers/a", succeed, NULL, NULL, id, &err),
			 0);
	assert_int_equal(strlen(id), OP_ID_LEN);
	j = when_done(id, &err);
	assert_non_null(j);
	assert_string_equal(status(j), "success");
	assert_int_equal(json_integer_value(json_object_get(j, "progress")), 100);
	assert_string_equal(json_string_value(json_object_get(j, "target")), "/1.0/servers/a");
	json_decref(j);
	/* Events: created (running), progress 40, success. */
	assert_int_equal(events_next(&events, &seq, &line, 1000), 1);
	assert_contains(line, "\"type\":\"operation\"");
	assert_contains(line, "\"status\":\"running\"");
	free(line);

	assert_int_equal(
	    op_run(&ops, "start", "/1.0/servers/b", fail_slowly, &delay_ms, NULL, id2, &err), 0);
	j = ops_get(&ops, id2, &err); /* it sleeps first */
	assert_string_equal(status(j), "running");
	json_decref(j);
	j = when_done(id2, &err);
	assert_string_equal(status(j), "failure");
	assert_string_equal(json_string_value(json_object_get(j, "error")), "disk on fire");
	json_decref(j);

	assert_null(ops_get(&ops, "0123", &err));
	assert_int_equal(err.errnum, ENOENT);
}

static void lists_the_newest_first(void **state)
{
	struct berth_error err = { 0 };
	char ids[3][OP_ID_LEN + 1];
	json_t *list, *j;
	unsigned i;

	(void)state;
	list = ops_list(&ops, 10, &err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* three within one second: the order they started in still shows */
	for (i = 0; i < 3; i++) {
		assert_int_equal(
		    op_run(&ops, "create", "/1.0/servers/a", succeed, NULL, NULL, ids[i], &err), 0);
		json_decref(when_done(ids[i], &err));
	}
	list = ops_list(&ops, 10, &err);
	assert_int_equal(json_array_size(list), 3);
	for (i = 0; i < 3; i++) {
		j = json_array_get(list, i);
		assert_string_equal(json_string_value(json_object_get(j, "id")), ids[2 - i]);
		assert_string_equal(status(j), "success");
	}
	json_decref(list);
	list = ops_list(&ops, 2, &err); /* bounded */
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")),
			    ids[2]);
	json_decref(list);
}

static void interrupted_operations_fail(void **state)
{
	struct berth_error err = { 0 };
	sqlite3 *c = db_conn(&db, &err);
	json_t *j;

	(void)state;
	assert_int_equal(db_exec(c,
				 "INSERT INTO operations (id, kind, target, status, progress, err,"
				 " created, updated) VALUES ('x', 'create', '/1.0/servers/x', "
				 "'running', 10, NULL,"
				 " 0, strftime('%s', 'now'))",
				 &err),
			 0);
	assert_int_equal(ops_fail_interrupted(c, &err), 0);
	j = ops_get(&ops, "x", &err);
	assert_string_equal(status(j), "failure");
	assert_contains(json_string_value(json_object_get(j, "error")), "berthd stopped");
	json_decref(j);
}

static void event_readers_skip_what_they_missed(void **state)
{
	char *line = NULL;
	uint64_t seq;
	int i;

	(void)state;
	seq = events_tail(&events);
	assert_int_equal(events_next(&events, &seq, &line, 10), 0); /* nothing new */
	for (i = 0; i < EVENTS_KEPT + 10; i++)
		events_publish(&events, "server", json_pack("{s:i}", "n", i));
	assert_int_equal(events_next(&events, &seq, &line, 10), 1);
	assert_contains(line, "\"n\":10,"); /* the oldest kept */
	free(line);
	events_close(&events);
	assert_int_equal(events_next(&events, &seq, &line, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(runs_reports_and_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(lists_the_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(interrupted_operations_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(event_readers_skip_what_they_missed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
