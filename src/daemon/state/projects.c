/* projects.c - the projects table, its quotas and what each project holds. */
#include "daemon/state/projects.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/size.h"
#include "daemon/state/db.h"

/* Does adding ask to used pass limit (0: none)? Never wraps. Asking nothing never does,
 * even over a quota lowered below what is held. */
static bool passes(uint64_t limit, uint64_t used, uint64_t ask)
{
	return limit && ask && (used > limit || ask > limit - used);
}

int quota_check(const char *project, const struct quota *q, const struct project_use *used,
		uint64_t cpus, uint64_t memory, uint64_t disk, struct berth_error *err)
{
	char a[32], f[32], t[32];

	if (passes(q->cpus, used->cpus, cpus))
		return refuse(err, ENOSPC,
			      "project %s's quota: not enough CPUs: asked %llu, free %llu of %llu",
			      project, (unsigned long long)cpus,
			      (unsigned long long)(used->cpus < q->cpus ? q->cpus - used->cpus : 0),
			      (unsigned long long)q->cpus);
	if (passes(q->memory, used->memory, memory))
		return refuse(err, ENOSPC,
			      "project %s's quota: not enough memory: asked %s, free %s of %s",
			      project, size_format(memory, a, sizeof(a)),
			      size_format(used->memory < q->memory ? q->memory - used->memory : 0,
					  f, sizeof(f)),
			      size_format(q->memory, t, sizeof(t)));
	if (passes(q->disk, used->disk, disk))
		return refuse(
		    err, ENOSPC, "project %s's quota: not enough disk: asked %s, free %s of %s",
		    project, size_format(disk, a, sizeof(a)),
		    size_format(used->disk < q->disk ? q->disk - used->disk : 0, f, sizeof(f)),
		    size_format(q->disk, t, sizeof(t)));
	return 0;
}

int project_read(sqlite3 *db, const char *project, const char *except, struct quota *q,
		 struct project_use *used, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db,
		       "SELECT cpus, memory, disk,"
		       " (SELECT total(cpus) FROM servers WHERE project = ?1 AND name IS NOT ?2),"
		       " (SELECT total(memory) FROM servers WHERE project = ?1 AND name IS NOT ?2),"
		       " (SELECT total(disk) FROM servers WHERE project = ?1 AND name IS NOT ?2)"
		       "  + (SELECT total(size) FROM images WHERE project = ?1)"
		       " FROM projects WHERE name = ?1",
		       err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, except, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		return refuse(err, ENOENT, "no project %s (berth project list)", project);
	default:
		return db_error(db, err, "reading projects");
	}
	*q = (struct quota){ (uint64_t)sqlite3_column_int64(st, 0),
			     (uint64_t)sqlite3_column_int64(st, 1),
			     (uint64_t)sqlite3_column_int64(st, 2) };
	*used = (struct project_use){ (uint64_t)sqlite3_column_double(st, 3),
				      (uint64_t)sqlite3_column_double(st, 4),
				      (uint64_t)sqlite3_column_double(st, 5) };
	return 0;
}

/* Bind limit v at i: NULL for none. */
static void bind_limit(sqlite3_stmt *st, int i, uint64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, (sqlite3_int64)v);
	else
		sqlite3_bind_null(st, i);
}

static int quota_valid(const struct quota *q, struct berth_error *err)
{
	if ((q->cpus > INT64_MAX && q->cpus != UINT64_MAX) ||
	    (q->memory > INT64_MAX && q->memory != UINT64_MAX) ||
	    (q->disk > INT64_MAX && q->disk != UINT64_MAX))
		return refuse(err, EINVAL, "a quota is too large");
	return 0;
}

int project_create(sqlite3 *db, const char *name, const struct quota *q, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (quota_valid(q, err))
		return -1;
	st = db_prepare(db,
			"INSERT INTO projects (name, cpus, memory, disk, created) "
			"VALUES (?1, ?2, ?3, ?4, ?5)",
			err);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bind_limit(st, 2, q->cpus == UINT64_MAX ? 0 : q->cpus);
	bind_limit(st, 3, q->memory == UINT64_MAX ? 0 : q->memory);
	bind_limit(st, 4, q->disk == UINT64_MAX ? 0 : q->disk);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY)
		return refuse(err, EEXIST, "project %s already exists", name);
	return db_error(db, err, "recording the project");
}

int project_set(sqlite3 *db, const char *name, const struct quota *q, struct berth_error *err)
{
	static const char *const cols[] = { "cpus", "memory", "disk" };
	const uint64_t v[] = { q->cpus, q->memory, q->disk };
	char sql[96];
	unsigned i;

	if (quota_valid(q, err) || project_exists(db, name, err))
		return -1;
	for (i = 0; i < 3; i++) {
		_cleanup_stmt_ sqlite3_stmt *st = NULL;

		if (v[i] == UINT64_MAX)
			continue;
		snprintf(sql, sizeof(sql), "UPDATE projects SET %s = ?2 WHERE name = ?1", cols[i]);
		st = db_prepare(db, sql, err);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		bind_limit(st, 2, v[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(db, err, "changing the project");
	}
	return 0;
}

/* How many rows of table name project holds. */
static int count_of(sqlite3 *db, const char *sql, const char *name, int *n, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(db, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(db, err, "reading projects");
	*n = sqlite3_column_int(st, 0);
	return 0;
}

int project_delete(sqlite3 *db, const char *name, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int servers, images, tokens;

	if (!strcmp(name, PROJECT_DEFAULT))
		return refuse(err, EINVAL, "project default cannot be deleted");
	if (db_begin(db, err))
		return -1;
	if (project_exists(db, name, err) ||
	    count_of(db, "SELECT count(*) FROM servers WHERE project = ?1", name, &servers, err) ||
	    count_of(db, "SELECT count(*) FROM images WHERE project = ?1", name, &images, err) ||
	    count_of(db, "SELECT count(*) FROM tokens WHERE project = ?1", name, &tokens, err))
		goto fail;
	if (servers || images || tokens) {
		refuse(err, EBUSY,
		       "project %s still has %d servers, %d images and %d tokens: delete them "
		       "(berth delete, berth image delete, berth token revoke) first",
		       name, servers, images, tokens);
		goto fail;
	}
	st = db_prepare(db, "DELETE FROM projects WHERE name = ?1", err);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(db, err, "deleting the project");
		goto fail;
	}
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

int project_exists(sqlite3 *db, const char *name, struct berth_error *err)
{
	int n;

	if (count_of(db, "SELECT count(*) FROM projects WHERE name = ?1", name, &n, err))
		return -1;
	return n ? 0 : refuse(err, ENOENT, "no project %s (berth project list)", name);
}

bool project_owns(sqlite3 *db, const char *project, const char *table, const char *name)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(
	    db,
	    !strcmp(table, "images") ? "SELECT 1 FROM images WHERE name = ?1 AND project = ?2"
	    : !strcmp(table, "operations")
		? "SELECT 1 FROM operations WHERE id = ?1 AND project = ?2"
		: "SELECT 1 FROM servers WHERE name = ?1 AND project = ?2",
	    &(struct berth_error){ 0 });

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, project, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW;
}

static json_t *limit_json(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		   ? json_null()
		   : json_integer((json_int_t)sqlite3_column_int64(st, col));
}

static json_t *row_json(sqlite3_stmt *st)
{
	return json_pack(
	    "{s:s, s:{s:o, s:o, s:o}, s:{s:I, s:I, s:I}, s:i, s:I}", "name", db_text(st, 0),
	    "quota", "cpus", limit_json(st, 1), "memory", limit_json(st, 2), "disk",
	    limit_json(st, 3), "used", "cpus", (json_int_t)sqlite3_column_double(st, 4), "memory",
	    (json_int_t)sqlite3_column_double(st, 5), "disk",
	    (json_int_t)sqlite3_column_double(st, 6), "servers", sqlite3_column_int(st, 7),
	    "created", (json_int_t)sqlite3_column_int64(st, 8));
}

#define PROJECT_SQL                                                                                \
	"SELECT p.name, p.cpus, p.memory, p.disk,"                                                 \
	" (SELECT total(cpus) FROM servers s WHERE s.project = p.name),"                           \
	" (SELECT total(memory) FROM servers s WHERE s.project = p.name),"                         \
	" (SELECT total(disk) FROM servers s WHERE s.project = p.name)"                            \
	"  + (SELECT total(size) FROM images i WHERE i.project = p.name),"                         \
	" (SELECT count(*) FROM servers s WHERE s.project = p.name), p.created FROM projects p"

json_t *project_json(sqlite3 *db, const char *name, struct berth_error *err)
{
	return db_row_json(db, PROJECT_SQL " WHERE p.name = ?1", name, row_json, "project", err);
}

json_t *project_json_list(sqlite3 *db, struct berth_error *err)
{
	return db_rows_json(db, PROJECT_SQL " ORDER BY p.name", NULL, row_json, err);
}
