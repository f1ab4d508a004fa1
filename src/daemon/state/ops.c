/* ops.c - operations on worker threads, their rows, progress and waits. */
#include "daemon/state/ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/error.h"

struct op {
	struct ops *ops;
	char id[OP_ID_LEN + 1];
	int progress;
	op_fn fn;
	void *arg;
	void (*free_arg)(void *);
};

void ops_init(struct ops *ops, struct db *db, struct events *events)
{
	pthread_condattr_t ca;

	memset(ops, 0, sizeof(*ops));
	ops->db = db;
	ops->events = events;
	pthread_mutex_init(&ops->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ops->finished, &ca);
	pthread_condattr_destroy(&ca);
}

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id", sqlite3_column_text(st, 0), "kind",
	    sqlite3_column_text(st, 1), "target", sqlite3_column_text(st, 2), "status",
	    sqlite3_column_text(st, 3), "progress", (json_int_t)sqlite3_column_int(st, 4),
	    "created", (json_int_t)sqlite3_column_int64(st, 6), "updated",
	    (json_int_t)sqlite3_column_int64(st, 7));

	if (j && sqlite3_column_type(st, 5) != SQLITE_NULL)
		json_object_set_new(j, "error",
				    json_string((const char *)sqlite3_column_text(st, 5)));
	return j;
}

#define COLUMNS "id, kind, target, status, progress, err, created, updated"

static json_t *read_op(sqlite3 *db, const char *id, struct berth_error *err)
{
	return db_row_json(db, "SELECT " COLUMNS " FROM operations WHERE id = ?1", id, row_json,
			   "operation", err);
}

json_t *ops_get(struct ops *ops, const char *id, struct berth_error *err)
{
	sqlite3 *db = db_conn(ops->db, err);

	return db ? read_op(db, id, err) : NULL;
}

json_t *ops_list(struct ops *ops, unsigned limit, struct berth_error *err)
{
	sqlite3 *db = db_conn(ops->db, err);
	char n[16];

	if (!db)
		return NULL;
	snprintf(n, sizeof(n), "%u", limit);
	/* rowid breaks ties within a second: rows are inserted in the order they started */
	return db_rows_json(db,
			    "SELECT " COLUMNS " FROM operations ORDER BY created DESC, rowid DESC "
			    "LIMIT CAST(?1 AS INTEGER)",
			    n, row_json, err);
}

/* Tell the event stream what the operation is now. */
static void publish(struct ops *ops, sqlite3 *db, const char *id)
{
	struct berth_error err;
	json_t *j = read_op(db, id, &err);

	if (j)
		events_publish(ops->events, "operation", json_pack("{s:o}", "operation", j));
}

static int update(sqlite3 *db, const char *id, const char *status, int progress, const char *msg,
		  struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(
	    db, "UPDATE operations SET status = ?, progress = ?, err = ?, updated = ? WHERE id = ?",
	    err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, progress);
	sqlite3_bind_text(st, 3, msg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "updating an operation");
	return 0;
}

void op_progress(void *ctx, int percent)
{
	struct op *op = ctx;
	struct berth_error err;
	sqlite3 *db;

	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	if (percent == op->progress)
		return;
	op->progress = percent;
	db = db_conn(op->ops->db, &err);
	if (db && update(db, op->id, "running", percent, NULL, &err) == 0)
		publish(op->ops, db, op->id);
}

static void *op_thread(void *p)
{
	struct op *op = p;
	struct ops *ops = op->ops;
	struct berth_error err = { 0 };
	sqlite3 *db;
	int r;

	r = op->fn(op, op->arg, &err);
	if (r && !err.msg[0])
		snprintf(err.msg, sizeof(err.msg), "failed");
	db = db_conn(ops->db, &err);
	if (db) {
		/* A busy database must not leave the operation 'running' forever: retry. */
		struct berth_error uerr;
		int tries;

		for (tries = 0; tries < 5; tries++) {
			if (!update(db, op->id, r ? "failure" : "success", r ? op->progress : 100,
				    r ? err.msg : NULL, &uerr))
				break;
		}
		publish(ops, db, op->id);
	}
	if (op->free_arg)
		op->free_arg(op->arg);
	free(op);
	pthread_mutex_lock(&ops->lock);
	ops->running--;
	pthread_cond_broadcast(&ops->finished);
	pthread_mutex_unlock(&ops->lock);
	return NULL;
}

static int insert(sqlite3 *db, const char *id, const char *kind, const char *target,
		  struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(
	    db,
	    "INSERT INTO operations (id, kind, target, status, created, updated, project)"
	    " VALUES (?1, ?2, ?3, 'running', ?4, ?5,"
	    /* the project of what it acts on, kept after that is deleted */
	    " (SELECT project FROM servers WHERE '/1.0/servers/' || name = ?3"
	    "  UNION ALL SELECT project FROM images WHERE '/1.0/images/' || name = ?3"
	    "  LIMIT 1))",
	    err);
	sqlite3_int64 now = (sqlite3_int64)time(NULL);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording an operation");
	return 0;
}

static int new_id(char id[OP_ID_LEN + 1], struct berth_error *err)
{
	unsigned char raw[OP_ID_LEN / 2];
	unsigned i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return berr(err, errno, "getrandom");
	for (i = 0; i < sizeof(raw); i++)
		sprintf(id + 2 * i, "%02x", raw[i]);
	return 0;
}

int op_run(struct ops *ops, const char *kind, const char *target, op_fn fn, void *arg,
	   void (*free_arg)(void *), char id[OP_ID_LEN + 1], struct berth_error *err)
{
	struct op *op = calloc(1, sizeof(*op));
	pthread_attr_t attr;
	pthread_t t;
	sqlite3 *db;
	int rc;

	if (!op) {
		berr(err, ENOMEM, "operation");
		goto fail;
	}
	*op = (struct op){ .ops = ops, .fn = fn, .arg = arg, .free_arg = free_arg };
	db = db_conn(ops->db, err);
	if (!db || new_id(op->id, err) || insert(db, op->id, kind, target, err))
		goto fail;
	pthread_mutex_lock(&ops->lock);
	if (ops->stopping) {
		pthread_mutex_unlock(&ops->lock);
		refuse(err, ESHUTDOWN, "berthd is stopping");
		update(db, op->id, "failure", 0, err->msg, err);
		goto fail;
	}
	ops->running++;
	pthread_mutex_unlock(&ops->lock);
	strcpy(id, op->id);
	publish(ops, db, op->id);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, op_thread, op);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return 0;
	berr(err, rc, "cannot start a thread for the operation");
	update(db, id, "failure", 0, err->msg, err);
	pthread_mutex_lock(&ops->lock);
	ops->running--;
	pthread_mutex_unlock(&ops->lock);
fail:
	if (free_arg)
		free_arg(arg);
	free(op);
	return -1;
}

int ops_fail_interrupted(sqlite3 *db, struct berth_error *err)
{
	return db_exec(db,
		       "UPDATE operations SET status = 'failure', err = 'berthd stopped while this "
		       "operation ran',"
		       " updated = strftime('%s', 'now') WHERE status = 'running';"
		       "DELETE FROM operations WHERE status != 'running' AND updated < "
		       "strftime('%s', 'now') - 86400",
		       err);
}

void ops_stop(struct ops *ops)
{
	pthread_mutex_lock(&ops->lock);
	ops->stopping = true;
	pthread_mutex_unlock(&ops->lock);
}
