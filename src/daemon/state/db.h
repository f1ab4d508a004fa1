/* db.h - berthd's SQLite database (STATE_DIR/berth.db): WAL, a busy timeout, and a schema
 * brought up to date by migrations keyed by PRAGMA user_version (migrations.c). Every
 * thread has its own connection, so a transaction never mixes two threads' statements. */
#ifndef BERTH_DAEMON_DB_H
#define BERTH_DAEMON_DB_H

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>

#include "common/error.h"

struct db {
	char path[PATH_MAX];
	pthread_key_t conn_key; /* this thread's connection */
};

/* The schema migrations, oldest first: migration i brings user_version from i to i + 1. */
extern const char *const db_migrations[];
extern const unsigned db_migrations_count;

/* Open (creating) the database at path, switch it to WAL and migrate it. */
int db_open(struct db *db, const char *path, struct berth_error *err);

/* This thread's connection to db, opened on first use; closed when the thread ends. */
sqlite3 *db_conn(struct db *db, struct berth_error *err);

/* Close the calling thread's connection (others close as their threads end). */
void db_close(struct db *db);

/* Open one connection to path with berthd's settings (busy timeout, synchronous, WAL). */
int db_connect(const char *path, sqlite3 **out, struct berth_error *err);

/* Bring the schema of c to the newest version; refuses a database newer than this berthd. */
int db_migrate(sqlite3 *c, struct berth_error *err);

/* The schema version (PRAGMA user_version) of c, or -1. */
int db_version(sqlite3 *c);

/* Run SQL without results. */
int db_exec(sqlite3 *c, const char *sql, struct berth_error *err);

/* Prepare one statement; NULL with err filled on failure. */
sqlite3_stmt *db_prepare(sqlite3 *c, const char *sql, struct berth_error *err);

/* Fill err from c's last error, with context; returns -1. */
int db_error(sqlite3 *c, struct berth_error *err, const char *context);

/* BEGIN IMMEDIATE: take the write lock now (waiting up to the busy timeout), so the reads
 * that follow cannot be invalidated by another writer before COMMIT. */
int db_begin(sqlite3 *c, struct berth_error *err);

/* COMMIT; on failure the transaction is rolled back. */
int db_commit(sqlite3 *c, struct berth_error *err);

/* ROLLBACK if a transaction is open. */
void db_rollback(sqlite3 *c);

/* Run sql (with ?1 bound to key when key is not NULL) and make each row JSON with row:
 * the array of all rows. */
json_t *db_rows_json(sqlite3 *c, const char *sql, const char *key, json_t *(*row)(sqlite3_stmt *),
		     struct berth_error *err);

/* Column col of st's row as text; "" for NULL. */
const char *db_text(sqlite3_stmt *st, int col);

/* The first row of db_rows_json(), or NULL with ENOENT "no WHAT KEY" when there is none. */
json_t *db_row_json(sqlite3 *c, const char *sql, const char *key, json_t *(*row)(sqlite3_stmt *),
		    const char *what, struct berth_error *err);

/* sqlite3_finalize(*p) for __attribute__((cleanup)). */
static inline void db_finalizep(sqlite3_stmt **p)
{
	sqlite3_finalize(*p);
}
#define _cleanup_stmt_ __attribute__((cleanup(db_finalizep)))

#endif
