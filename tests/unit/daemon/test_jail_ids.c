/* Unit tests for src/daemon/state/jail_ids.c: a VM's jail uid is the lowest free one of the
 * range, kept for its life, never another server's (also when many threads, each with its
 * own connection, take them at once), refused when the range is full. */
#include "testlib.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/state/db.h"
#include "daemon/state/jail_ids.h"

#define START	   1500000000u
#define THREADS	   8
#define PER_THREAD 4

static char dir[64], path[PATH_MAX];

static int setup(void **state)
{
	struct berth_error err = { 0 };
	char sql[256];
	sqlite3 *c;
	int i;

	snprintf(dir, sizeof(dir), "/tmp/berthd-jail-ids.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_connect(path, &c, &err), 0);
	assert_int_equal(db_migrate(c, &err), 0);
	for (i = 0; i < THREADS * PER_THREAD; i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO servers (name, kind, image, cpus, memory, disk, state, "
			 "created) VALUES ('v%d', 'vm', 'img', 1, 1, 0, 'stopped', 0)",
			 i);
		assert_int_equal(db_exec(c, sql, &err), 0);
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	sqlite3_close_v2(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static uint32_t take(sqlite3 *c, const char *name, uint32_t count)
{
	struct berth_error err = { 0 };
	uint32_t uid = 0;

	if (jail_id_take(c, name, START, count, &uid, &err) < 0)
		fail_msg("jail_id_take %s: %s", name, err.msg);
	return uid;
}

static void lowest_free_and_kept(void **state)
{
	struct berth_error err = { 0 };
	sqlite3 *c = *state;
	uint32_t uid;

	assert_int_equal(take(c, "v0", 3), START);
	assert_int_equal(take(c, "v1", 3), START + 1);
	assert_int_equal(take(c, "v0", 3), START); /* kept */
	assert_int_equal(take(c, "v2", 3), START + 2);
	/* full: a fourth VM is refused and nothing is recorded */
	assert_int_equal(jail_id_take(c, "v3", START, 3, &uid, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_contains(err.msg, "vmm_ids");
	/* a deleted server's uid is free again: the gap is taken first */
	assert_int_equal(db_exec(c, "DELETE FROM servers WHERE name = 'v1'", &err), 0);
	assert_int_equal(take(c, "v3", 3), START + 1);
	/* no such server */
	assert_int_equal(jail_id_take(c, "nope", START, 3, &uid, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	/* a uid outside a range that changed is replaced by one inside it */
	assert_int_equal(db_exec(c, "UPDATE servers SET jail_uid = 7 WHERE name = 'v4'", &err), 0);
	assert_int_equal(take(c, "v4", 10), START + 3);
}

static void *taker(void *arg)
{
	struct berth_error err = { 0 };
	int t = (int)(long)arg, i;
	char name[16];
	uint32_t uid;
	sqlite3 *c;

	if (db_connect(path, &c, &err) < 0)
		return (void *)1;
	for (i = 0; i < PER_THREAD; i++) {
		snprintf(name, sizeof(name), "v%d", t * PER_THREAD + i);
		if (jail_id_take(c, name, START, THREADS * PER_THREAD, &uid, &err) < 0) {
			fprintf(stderr, "%s: %s\n", name, err.msg);
			sqlite3_close_v2(c);
			return (void *)1;
		}
	}
	sqlite3_close_v2(c);
	return NULL;
}

/* Concurrent starts each get one, all different, all in the range. */
static void concurrent_takes_differ(void **state)
{
	pthread_t th[THREADS];
	sqlite3_stmt *st;
	sqlite3 *c = *state;
	void *ret;
	long i;

	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, taker, (void *)i), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(sqlite3_prepare_v2(c,
					    "SELECT COUNT(DISTINCT jail_uid), MIN(jail_uid), "
					    "MAX(jail_uid) FROM servers",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), THREADS * PER_THREAD);
	assert_int_equal(sqlite3_column_int64(st, 1), START);
	assert_int_equal(sqlite3_column_int64(st, 2), START + THREADS * PER_THREAD - 1);
	sqlite3_finalize(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lowest_free_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_takes_differ, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
