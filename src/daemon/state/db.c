/* db.c - opening, migrating and transactions of berthd's SQLite database. */
#include "daemon/state/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define DB_BUSY_TIMEOUT_MS 10000

int db_error(sqlite3 *c, struct berth_error *err, const char *context)
{
	int code = sqlite3_errcode(c);

	return berr(err, code == SQLITE_BUSY ? EBUSY : EIO, "database: %s: %s", context,
		    sqlite3_errmsg(c));
}

int db_exec(sqlite3 *c, const char *sql, struct berth_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(c, sql, NULL, NULL, &msg) != SQLITE_OK) {
		berr(err, sqlite3_errcode(c) == SQLITE_BUSY ? EBUSY : EIO, "database: %s",
		     msg ? msg : sqlite3_errmsg(c));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *db_prepare(sqlite3 *c, const char *sql, struct berth_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(c, err, "prepare");
		return NULL;
	}
	return st;
}

int db_begin(sqlite3 *c, struct berth_error *err)
{
	return db_exec(c, "BEGIN IMMEDIATE", err);
}

int db_commit(sqlite3 *c, struct berth_error *err)
{
	if (db_exec(c, "COMMIT", err)) {
		db_rollback(c);
		return -1;
	}
	return 0;
}

void db_rollback(sqlite3 *c)
{
	if (!sqlite3_get_autocommit(c))
		sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
}

int db_version(sqlite3 *c)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(c, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int db_connect(const char *path, sqlite3 **out, struct berth_error *err)
{
	sqlite3 *c = NULL;
	int rc;

	rc = sqlite3_open_v2(
	    path, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		berr(err, EIO, "cannot open database %s: %s", path,
		     c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
		sqlite3_close_v2(c);
		return -1;
	}
	sqlite3_busy_timeout(c, DB_BUSY_TIMEOUT_MS);
	/* FULL: a committed reservation survives a power cut, not only a killed berthd. */
	if (db_exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON",
		    err)) {
		berr_wrap(err, "%s", path);
		sqlite3_close_v2(c);
		return -1;
	}
	*out = c;
	return 0;
}

int db_migrate(sqlite3 *c, struct berth_error *err)
{
	char sql[64];
	int v;

	for (;;) {
		if (db_begin(c, err))
			return -1;
		v = db_version(c);
		if (v < 0) {
			db_rollback(c);
			return db_error(c, err, "reading the schema version");
		}
		if ((unsigned)v >= db_migrations_count) {
			db_rollback(c);
			if ((unsigned)v > db_migrations_count)
				return berr(err, 0,
					    "the database has schema version %d, newer than this "
					    "berthd knows (%u): "
					    "run a newer berthd",
					    v, db_migrations_count);
			return 0;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (db_exec(c, db_migrations[v], err) || db_exec(c, sql, err)) {
			db_rollback(c);
			return berr_wrap(err, "migrating the database to version %d", v + 1);
		}
		if (db_commit(c, err))
			return -1;
	}
}

static void close_conn(void *p)
{
	sqlite3_close_v2(p);
}

int db_open(struct db *db, const char *path, struct berth_error *err)
{
	sqlite3 *c;
	int rc;

	if (strlen(path) >= sizeof(db->path))
		return berr(err, ENAMETOOLONG, "database path %s", path);
	strcpy(db->path, path);
	rc = pthread_key_create(&db->conn_key, close_conn);
	if (rc)
		return berr(err, rc, "database");
	c = db_conn(db, err);
	if (!c || db_migrate(c, err)) {
		db_close(db);
		pthread_key_delete(db->conn_key);
		return -1;
	}
	return 0;
}

sqlite3 *db_conn(struct db *db, struct berth_error *err)
{
	sqlite3 *c = pthread_getspecific(db->conn_key);

	if (c)
		return c;
	if (db_connect(db->path, &c, err))
		return NULL;
	pthread_setspecific(db->conn_key, c);
	return c;
}

void db_close(struct db *db)
{
	sqlite3 *c = pthread_getspecific(db->conn_key);

	if (c) {
		sqlite3_close_v2(c);
		pthread_setspecific(db->conn_key, NULL);
	}
}

json_t *db_rows_json(sqlite3 *c, const char *sql, const char *key, json_t *(*row)(sqlite3_stmt *),
		     struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(c, sql, err);
	json_t *list;
	int rc;

	if (!st)
		return NULL;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	list = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, row(st));
	if (rc != SQLITE_DONE) {
		db_error(c, err, "reading");
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *db_row_json(sqlite3 *c, const char *sql, const char *key, json_t *(*row)(sqlite3_stmt *),
		    const char *what, struct berth_error *err)
{
	json_t *list = db_rows_json(c, sql, key, row, err);
	json_t *first;

	if (!list)
		return NULL;
	first = json_incref(json_array_get(list, 0));
	json_decref(list);
	if (!first)
		refuse(err, ENOENT, "no %s %.64s", what, key);
	return first;
}

const char *db_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? t : "";
}
