/* dedicated_cpus.c - the rows of host CPUs held by one server alone (dedicated_cpus.h). */
#include "daemon/state/dedicated_cpus.h"

#include <errno.h>

#include "daemon/state/db.h"

/* Is cpu among the held, read in order by st? st stays on the first held cpu >= this one. */
static int held(sqlite3 *db, sqlite3_stmt *st, unsigned cpu, int *rc, struct berth_error *err)
{
	while (*rc == SQLITE_ROW && (unsigned)sqlite3_column_int64(st, 0) < cpu)
		*rc = sqlite3_step(st);
	if (*rc != SQLITE_ROW && *rc != SQLITE_DONE)
		return db_error(db, err, "reading dedicated CPUs");
	return *rc == SQLITE_ROW && (unsigned)sqlite3_column_int64(st, 0) == cpu;
}

int dedicated_cpus_pick(sqlite3 *db, unsigned cores, const char *server, unsigned n,
			struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT cpu FROM dedicated_cpus ORDER BY cpu", err);
	_cleanup_stmt_ sqlite3_stmt *ins =
	    st ? db_prepare(db, "INSERT INTO dedicated_cpus (cpu, server) VALUES (?, ?)", err)
	       : NULL;
	unsigned cpu, free = 0;
	int rc, h;

	if (!ins)
		return -1;
	rc = sqlite3_step(st);
	/* every free CPU is counted for the message; the first n are taken (the caller's
	 * transaction is rolled back when they are too few) */
	for (cpu = 0; cpu < cores; cpu++) {
		h = held(db, st, cpu, &rc, err);
		if (h < 0)
			return -1;
		if (h || free++ >= n)
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, cpu);
		sqlite3_bind_text(ins, 2, server, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return db_error(db, err, "recording dedicated CPUs");
	}
	if (free < n)
		return refuse(err, ENOSPC,
			      "not enough CPUs to dedicate: asked %u, free %u of this host's %u "
			      "(the others are held by servers of their own)",
			      n, free, cores);
	return 0;
}

int dedicated_cpus_count(sqlite3 *db, const char *server, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT count(*) FROM dedicated_cpus WHERE server = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, server, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(db, err, "reading dedicated CPUs");
	return sqlite3_column_int(st, 0);
}
