/* Unit tests for src/daemon/state/db.c: migrations and WAL. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>

#include "daemon/state/db.h"

static void migrates_once_and_refuses_newer(void **state)
{
	char dir[] = "/tmp/berthd-db.XXXXXX", path[PATH_MAX], cmd[PATH_MAX + 16];
	struct berth_error err = { 0 };
	struct db db;
	sqlite3 *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_open(&db, path, &err), 0);
	c = db_conn(&db, &err);
	assert_non_null(c);
	assert_int_equal(db_version(c), (int)db_migrations_count);
	assert_int_equal(db_exec(c, "INSERT INTO images VALUES ('a', 'ct', 'ready', 0, 0)", &err),
			 0);
	/* Checks hold. */
	assert_int_equal(db_exec(c, "INSERT INTO images VALUES ('b', 'pod', 'ready', 0, 0)", &err),
			 -1);
	assert_contains(err.msg, "CHECK constraint failed");
	db_close(&db);

	/* Again: nothing to do, data kept, WAL on. */
	assert_int_equal(db_connect(path, &c, &err), 0);
	assert_int_equal(db_migrate(c, &err), 0);
	assert_int_equal(db_version(c), (int)db_migrations_count);
	assert_int_equal(db_exec(c, "DELETE FROM images WHERE name = 'a'", &err), 0);
	assert_int_equal(sqlite3_changes(c), 1);
	{
		_cleanup_stmt_ sqlite3_stmt *st = db_prepare(c, "PRAGMA journal_mode", &err);

		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	}
	assert_int_equal(db_exec(c, "PRAGMA user_version = 99", &err), 0);
	assert_int_equal(db_migrate(c, &err), -1);
	assert_contains(err.msg, "schema version 99, newer than this berthd");
	sqlite3_close_v2(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrates_once_and_refuses_newer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
