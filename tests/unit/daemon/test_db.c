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
	assert_int_equal(db_exec(c,
				 "INSERT INTO images (name, kind, state, size, created) VALUES "
				 "('a', 'ct', 'ready', 0, 0)",
				 &err),
			 0);
	/* Checks hold. */
	assert_int_equal(db_exec(c,
				 "INSERT INTO images (name, kind, state, size, created) VALUES "
				 "('b', 'pod', 'ready', 0, 0)",
				 &err),
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

/* One column of the row of table named name ("" for NULL). */
static void assert_column(sqlite3 *c, const char *sql, const char *name, const char *want)
{
	struct berth_error err = { 0 };
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(c, sql, &err);
	const char *got;

	assert_non_null(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	got = (const char *)sqlite3_column_text(st, 0);
	assert_string_equal(got ? got : "", want);
}

/* Step 3 on a database of step 2: the VMs made before it boot their image's kernel, with
 * no command line of their own; containers have no boot; the checks hold. */
static void boot_migration_keeps_old_vms_on_their_kernel(void **state)
{
	char dir[] = "/tmp/berthd-db.XXXXXX", path[PATH_MAX], cmd[PATH_MAX + 16];
	struct berth_error err = { 0 };
	sqlite3 *c;

	(void)state;
	assert_true(db_migrations_count >= 3);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/berth.db", dir);
	assert_int_equal(db_connect(path, &c, &err), 0);
	assert_int_equal(db_exec(c, db_migrations[0], &err), 0);
	assert_int_equal(db_exec(c, db_migrations[1], &err), 0);
	assert_int_equal(db_exec(c, "PRAGMA user_version = 2", &err), 0);
	assert_int_equal(
	    db_exec(c,
		    "INSERT INTO images VALUES ('vmi', 'vm', 'ready', 0, 0);"
		    "INSERT INTO images VALUES ('cti', 'ct', 'ready', 0, 0);"
		    "INSERT INTO servers (name, kind, image, cpus, memory, disk, state,"
		    " created) VALUES ('v', 'vm', 'vmi', 1, 1, 0, 'stopped', 0),"
		    " ('c', 'ct', 'cti', 1, 1, 0, 'stopped', 0)",
		    &err),
	    0);
	assert_int_equal(db_migrate(c, &err), 0);
	assert_int_equal(db_version(c), (int)db_migrations_count);
	assert_column(c, "SELECT boot FROM images WHERE name = ?", "vmi", "kernel");
	assert_column(c, "SELECT boot FROM images WHERE name = ?", "cti", "");
	assert_column(c, "SELECT cmdline FROM images WHERE name = ?", "vmi", "");
	assert_column(c, "SELECT boot FROM servers WHERE name = ?", "v", "kernel");
	assert_column(c, "SELECT boot FROM servers WHERE name = ?", "c", "");
	assert_column(c, "SELECT cmdline FROM servers WHERE name = ?", "v", "");
	assert_int_equal(db_exec(c, "UPDATE servers SET boot = 'pxe' WHERE name = 'v'", &err), -1);
	assert_contains(err.msg, "CHECK constraint failed");
	assert_int_equal(db_exec(c,
				 "UPDATE servers SET boot = 'firmware', cmdline = 'root=/dev/vda1'"
				 " WHERE name = 'v'",
				 &err),
			 0);
	sqlite3_close_v2(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrates_once_and_refuses_newer),
		cmocka_unit_test(boot_migration_keeps_old_vms_on_their_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
