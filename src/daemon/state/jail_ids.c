/* jail_ids.c - the VMs' jail uids in the servers table (see jail_ids.h). */
#include "daemon/state/jail_ids.h"

#include <errno.h>

#include "daemon/state/db.h"

/* The server's recorded uid, 0 when none; -1 on error (ENOENT: no such server). */
static int64_t recorded(sqlite3 *db, const char *name, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT jail_uid FROM servers WHERE name = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return sqlite3_column_int64(st, 0);
	case SQLITE_DONE:
		return berr(err, ENOENT, "server %s does not exist", name);
	default:
		return db_error(db, err, "reading a jail uid");
	}
}

/* The lowest uid of [start, start+count) no server has, 0 when none is left. */
static int64_t lowest_free(sqlite3 *db, uint32_t start, uint32_t count, struct berth_error *err)
{
	/* the start, or one above a taken uid, that is not taken itself */
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db,
		       "SELECT c FROM (SELECT ?1 AS c UNION ALL SELECT jail_uid + 1 FROM servers"
		       " WHERE jail_uid >= ?1 AND jail_uid < ?1 + ?2)"
		       " WHERE c < ?1 + ?2 AND c NOT IN (SELECT jail_uid FROM servers"
		       " WHERE jail_uid IS NOT NULL) ORDER BY c LIMIT 1",
		       err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, count);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return sqlite3_column_int64(st, 0);
	case SQLITE_DONE:
		return 0;
	default:
		return db_error(db, err, "choosing a jail uid");
	}
}

static int record(sqlite3 *db, const char *name, int64_t uid, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "UPDATE servers SET jail_uid = ?2 WHERE name = ?1", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, uid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording a jail uid");
	return 0;
}

int jail_id_take(sqlite3 *db, const char *name, uint32_t start, uint32_t count, uint32_t *uid,
		 struct berth_error *err)
{
	int64_t have, pick;

	if (db_begin(db, err))
		return -1;
	have = recorded(db, name, err);
	if (have < 0)
		goto fail;
	if (have >= start && have < (int64_t)start + count) {
		*uid = (uint32_t)have;
		return db_commit(db, err);
	}
	pick = lowest_free(db, start, count, err);
	if (pick < 0)
		goto fail;
	if (pick == 0) {
		berr(err, ENOSPC,
		     "VM %s: all %u uids of vmm_ids (from %u) are other servers'; give berthd a "
		     "larger range",
		     name, count, start);
		goto fail;
	}
	if (record(db, name, pick, err))
		goto fail;
	*uid = (uint32_t)pick;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}
