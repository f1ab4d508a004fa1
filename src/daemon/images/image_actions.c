/* image_actions.c - image rows, import operations, deletion and settling. */
#include "daemon/images/image_actions.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/names.h"
#include "common/error.h"
#include "daemon/images/upload.h"
#include "daemon/state/projects.h"
#include "daemon/state/server_rows.h"

#define COLUMNS "name, kind, state, size, created, boot, cmdline, project"

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "name", db_text(st, 0), "kind",
			      db_text(st, 1), "state", db_text(st, 2), "size",
			      (json_int_t)sqlite3_column_int64(st, 3), "created",
			      (json_int_t)sqlite3_column_int64(st, 4), "project", db_text(st, 7));

	if (j)
		boot_json(j, db_text(st, 1), db_text(st, 5), db_text(st, 6));
	return j;
}

json_t *image_json(sqlite3 *db, const char *name, struct berth_error *err)
{
	return db_row_json(db, "SELECT " COLUMNS " FROM images WHERE name = ?1", name, row_json,
			   "image", err);
}

json_t *image_json_list(sqlite3 *db, const char *project, struct berth_error *err)
{
	return db_rows_json(db,
			    "SELECT " COLUMNS " FROM images WHERE ?1 IS NULL OR project = ?1 "
			    "ORDER BY name",
			    project, row_json, err);
}

int image_boot(sqlite3 *db, const char *name, enum server_boot *boot,
	       char cmdline[SERVER_CMDLINE_MAX + 1], struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT boot, cmdline FROM images WHERE name = ?1 AND kind = 'vm'", err);
	int rc;

	*boot = BOOT_KERNEL;
	cmdline[0] = '\0';
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_error(db, err, "reading images");
	if (!strcmp(db_text(st, 0), "firmware"))
		*boot = BOOT_FIRMWARE;
	if ((size_t)snprintf(cmdline, SERVER_CMDLINE_MAX + 1, "%s", db_text(st, 1)) >
	    SERVER_CMDLINE_MAX)
		return berr(err, EOVERFLOW, "image %s: its kernel command line is too long", name);
	return 0;
}

/* Run one statement on image name (and an optional size). */
static int image_sql(sqlite3 *db, const char *sql, const char *name, uint64_t size,
		     struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(db, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			return refuse(
			    err, EEXIST,
			    "image %s already exists: delete it first or choose another name",
			    name);
		return db_error(db, err, "updating images");
	}
	return 0;
}

struct import_job {
	struct berthd *d;
	char name[NAME_MAX_LEN + 1];
	struct image_source src;
	char *rootfs, *kernel, *initrd, *disk; /* the copies src points to */
};

static void import_job_free(void *p)
{
	struct import_job *j = p;

	free(j->rootfs);
	free(j->kernel);
	free(j->initrd);
	free(j->disk);
	free(j);
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*failed = true;
	return d;
}

static void announce(struct berthd *d, const char *name)
{
	struct berth_error err;
	sqlite3 *db = db_conn(&d->db, &err);
	json_t *j = db ? image_json(db, name, &err) : NULL;

	if (!j)
		j = json_pack("{s:s, s:s}", "name", name, "state", "deleted");
	events_publish(&d->events, "image", json_pack("{s:o}", "image", j));
}

/* The tail of a failed import: the image's files (when they were made), its row, and an
 * event saying it is gone. */
static int import_failed(struct berthd *d, const char *name, bool files_made)
{
	struct berth_error derr;
	sqlite3 *db;

	if (files_made)
		image_remove(d->state_dir, name, &derr);
	db = db_conn(&d->db, &derr);
	if (db)
		image_sql(db, "DELETE FROM images WHERE name = ?", name, 0, &derr);
	announce(d, name);
	return -1;
}

static int import_work(struct op *op, void *arg, struct berth_error *err)
{
	struct import_job *j = arg;
	uint64_t size = 0;
	sqlite3 *db;

	if (image_import(j->d->state_dir, j->name, &j->src, op_progress, op, &size, err))
		return import_failed(j->d, j->name, false);
	db = db_conn(&j->d->db, err);
	if (!db || image_sql(db, "UPDATE images SET state = 'ready', size = ?2 WHERE name = ?1",
			     j->name, size, err))
		return import_failed(j->d, j->name, true);
	announce(j->d, j->name);
	return 0;
}

static const char *boot_name(enum server_boot boot)
{
	return boot == BOOT_KERNEL ? "kernel" : boot == BOOT_FIRMWARE ? "firmware" : NULL;
}

/* Record image name as 'importing' (EEXIST when the name is taken), with how it boots
 * (BOOT_NONE: a ct image, or an upload that has not told yet) and its kernel command line
 * (NULL: none). */
static int row_insert(sqlite3 *db, const char *name, const char *project, enum server_kind kind,
		      enum server_boot boot, const char *cmdline, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    project_exists(db, project, err)
		? NULL
		: db_prepare(
		      db,
		      "INSERT INTO images (name, kind, state, created, boot, cmdline, project) "
		      "VALUES (?1, ?2, 'importing', ?3, ?4, ?5, ?6)",
		      err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 6, project, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind == KIND_VM ? "vm" : "ct", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (boot_name(boot))
		sqlite3_bind_text(st, 4, boot_name(boot), -1, SQLITE_STATIC);
	if (cmdline)
		sqlite3_bind_text(st, 5, cmdline, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			return refuse(err, EEXIST,
				      "image %s already exists: delete it first or choose another "
				      "name",
				      name);
		return db_error(db, err, "recording the image");
	}
	return 0;
}

int image_start_import(struct berthd *d, const char *name, const char *project,
		       const struct image_source *src, char id[OP_ID_LEN + 1],
		       struct berth_error *err)
{
	struct import_job *j;
	bool failed = false;
	char target[128];
	sqlite3 *db;

	if (name_check("image", name, err))
		return -1;
	if (image_check_source(src, err)) {
		err->errnum = EINVAL; /* bad input, whatever the cause */
		return -1;
	}
	db = db_conn(&d->db, err);
	if (!db || row_insert(db, name, project, src->kind,
			      src->kind != KIND_VM ? BOOT_NONE
			      : src->kernel	   ? BOOT_KERNEL
						   : BOOT_FIRMWARE,
			      src->cmdline, err))
		return -1;
	announce(d, name);
	j = calloc(1, sizeof(*j));
	if (j) {
		j->d = d;
		snprintf(j->name, sizeof(j->name), "%s", name);
		j->src.kind = src->kind;
		j->src.rootfs = j->rootfs = dup_or_null(src->rootfs, &failed);
		j->src.kernel = j->kernel = dup_or_null(src->kernel, &failed);
		j->src.initrd = j->initrd = dup_or_null(src->initrd, &failed);
		j->src.disk = j->disk = dup_or_null(src->disk, &failed);
	}
	snprintf(target, sizeof(target), "/1.0/images/%s", name);
	if (!j || failed) {
		berr(err, ENOMEM, "image %s", name);
		if (j)
			import_job_free(j);
	} else if (op_run(&d->ops, "import", target, import_work, j, import_job_free, id, err) ==
		   0) {
		return 0;
	}
	image_sql(db, "DELETE FROM images WHERE name = ?", name, 0, &(struct berth_error){ 0 });
	announce(d, name);
	return -1;
}

struct image_receipt {
	struct berthd *d;
	char name[NAME_MAX_LEN + 1];
	struct image_upload *files;
	bool cmdline; /* the image has a kernel command line */
	bool ready;
	bool handed; /* an operation converting its qcow2 disk has the row and the files */
};

/* The bound of an upload: image_max_size, and the disk the ledger can still give now
 * (what the upload writes then leaves the file system's free space, so it is measured
 * there as it streams), at most what is left of project's disk quota. */
static int upload_bound(struct berthd *d, sqlite3 *db, const char *project, struct upload_bound *b,
			struct berth_error *err)
{
	struct project_use used;
	struct quota q;

	b->max_size = d->cfg.image_max_size;
	if (ledger_disk_free(db, &d->cap, &b->may_take, err) ||
	    project_read(db, project, NULL, &q, &used, err))
		return -1;
	if (q.disk && q.disk - (used.disk < q.disk ? used.disk : q.disk) < b->may_take)
		b->may_take = q.disk - (used.disk < q.disk ? used.disk : q.disk);
	return 0;
}

struct image_receipt *image_receive_begin(struct berthd *d, const char *name, const char *project,
					  enum server_kind kind, const char *cmdline,
					  struct berth_error *err)
{
	struct image_receipt *r;
	struct upload_bound b;
	sqlite3 *db;

	if (name_check("image", name, err))
		return NULL;
	if (kind != KIND_VM && cmdline) {
		refuse(err, EINVAL, "a ct image takes no kernel command line");
		return NULL;
	}
	db = db_conn(&d->db, err);
	/* How it boots is known when the archive is whole (image_receive_end). */
	if (!db || upload_bound(d, db, project, &b, err) ||
	    row_insert(db, name, project, kind, BOOT_NONE, cmdline, err))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		berr(err, ENOMEM, "image %s", name);
	} else {
		r->d = d;
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->cmdline = cmdline != NULL;
		if (upload_open(&r->files, d->state_dir, name, kind, &b, err) == 0) {
			announce(d, name);
			return r;
		}
		free(r);
	}
	image_sql(db, "DELETE FROM images WHERE name = ?", name, 0, &(struct berth_error){ 0 });
	return NULL;
}

ssize_t image_receive_data(struct image_receipt *r, const void *buf, size_t len, int *wait_fd,
			   struct berth_error *err)
{
	return upload_write(r->files, buf, len, wait_fd, err);
}

/* Refuse an image of size bytes that would pass its project's disk quota. In the caller's
 * transaction, so two uploads finishing at once cannot both take the last of it. */
static int quota_fits(sqlite3 *db, const char *name, uint64_t size, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT project FROM images WHERE name = ?1", err);
	struct project_use used;
	struct quota q;
	char project[NAME_MAX_LEN + 1];

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_error(db, err, "reading images");
	snprintf(project, sizeof(project), "%s", db_text(st, 0));
	return project_read(db, project, NULL, &q, &used, err) ||
		       quota_check(project, &q, &used, 0, 0, size, err)
		   ? -1
		   : 0;
}

/* The image's files are in place: its row says ready, with its size and how it boots,
 * unless that size passes its project's disk quota (ENOSPC). */
static int mark_ready(struct berthd *d, const char *name, uint64_t size, enum server_boot boot,
		      struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);
	sqlite3_stmt *st = NULL;
	int rc;

	if (!db || db_begin(db, err))
		return -1;
	if (quota_fits(db, name, size, err) ||
	    !(st = db_prepare(db,
			      "UPDATE images SET state = 'ready', size = ?2, boot = ?3 "
			      "WHERE name = ?1",
			      err)))
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	if (boot_name(boot))
		sqlite3_bind_text(st, 3, boot_name(boot), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(db, err, "updating images");
		goto fail;
	}
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

/* An upload whose qcow2 disk is converted in an operation. */
struct convert_job {
	struct berthd *d;
	char name[NAME_MAX_LEN + 1];
	struct image_upload *files;
	enum server_boot boot;
};

static void convert_job_free(void *p)
{
	struct convert_job *j = p;

	upload_free(j->files);
	free(j);
}

static int convert_work(struct op *op, void *arg, struct berth_error *err)
{
	struct convert_job *j = arg;
	uint64_t size = 0;

	if (upload_commit(j->files, op_progress, op, &size, err))
		return import_failed(j->d, j->name, false);
	if (mark_ready(j->d, j->name, size, j->boot, err))
		return import_failed(j->d, j->name, true);
	announce(j->d, j->name);
	return 0;
}

/* Hand r's files to an operation that converts their qcow2 disk and makes the image ready. */
static int convert_later(struct image_receipt *r, enum server_boot boot, char id[OP_ID_LEN + 1],
			 struct berth_error *err)
{
	struct convert_job *j = calloc(1, sizeof(*j));
	char target[128];

	if (!j)
		return berr(err, ENOMEM, "image %s", r->name);
	j->d = r->d;
	snprintf(j->name, sizeof(j->name), "%s", r->name);
	j->files = r->files;
	j->boot = boot;
	r->files = NULL; /* the job's now: op_run frees it, files and all, if it fails */
	snprintf(target, sizeof(target), "/1.0/images/%s", r->name);
	if (op_run(&r->d->ops, "import", target, convert_work, j, convert_job_free, id, err))
		return -1;
	r->handed = true; /* the row too */
	return 0;
}

json_t *image_receive_end(struct image_receipt *r, char id[OP_ID_LEN + 1], struct berth_error *err)
{
	enum server_boot boot;
	bool convert;
	sqlite3 *db;
	uint64_t size;

	id[0] = '\0';
	if (upload_check(r->files, r->cmdline, &boot, &convert, err))
		return NULL;
	if (convert) {
		if (convert_later(r, boot, id, err))
			id[0] = '\0';
		return NULL;
	}
	if (upload_commit(r->files, NULL, NULL, &size, err))
		return NULL;
	if (mark_ready(r->d, r->name, size, boot, err)) {
		image_remove(r->d->state_dir, r->name, &(struct berth_error){ 0 });
		return NULL;
	}
	r->ready = true;
	announce(r->d, r->name);
	db = db_conn(&r->d->db, err);
	return db ? image_json(db, r->name, err) : NULL;
}

void image_receive_free(struct image_receipt *r)
{
	struct berth_error err;
	sqlite3 *db;

	if (!r)
		return;
	if (r->handed) {
		free(r);
		return;
	}
	/* The row first: files no row owns are removed at berthd's next start anyway. */
	if (!r->ready) {
		db = db_conn(&r->d->db, &err);
		if (db)
			image_sql(db, "DELETE FROM images WHERE name = ?", r->name, 0, &err);
	}
	upload_free(r->files);
	if (!r->ready)
		announce(r->d, r->name);
	free(r);
}

/* Refuse deleting an image that is importing or used; then delete its row. One
 * transaction, so no server can be created from it in between. */
static int drop_row(sqlite3 *db, const char *name, struct berth_error *err)
{
	sqlite3_stmt *st;
	char users[256] = "";
	int rc, n = 0;

	if (db_begin(db, err))
		return -1;
	st = db_prepare(db, "SELECT state FROM images WHERE name = ?", err);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ready")) {
		if (rc == SQLITE_ROW)
			refuse(err, EBUSY, "image %s is still being imported", name);
		else
			refuse(err, ENOENT, "no image %s", name);
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT name FROM servers WHERE image = ? ORDER BY name", err);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ < 5)
			snprintf(users + strlen(users), sizeof(users) - strlen(users), "%s%s",
				 n > 1 ? ", " : "", sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (n) {
		refuse(err, EBUSY, "image %s is used by %d server%s (%s%s): delete them first",
		       name, n, n > 1 ? "s" : "", users, n > 5 ? ", ..." : "");
		goto fail;
	}
	if (image_sql(db, "DELETE FROM images WHERE name = ?", name, 0, err))
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

int image_delete(struct berthd *d, const char *name, struct berth_error *err)
{
	sqlite3 *db = db_conn(&d->db, err);

	if (!db || drop_row(db, name, err))
		return -1;
	announce(d, name);
	/* The row is gone: files left by a failure here are removed at the next start. */
	return image_remove(d->state_dir, name, err);
}

static bool has_row(sqlite3 *db, const char *name)
{
	struct berth_error err;
	json_t *j = image_json(db, name, &err);

	json_decref(j);
	return j != NULL || err.errnum != ENOENT;
}

void image_settle(struct berthd *d)
{
	struct berth_error err = { 0 };
	char path[PATH_MAX];
	struct dirent *e;
	sqlite3 *db = db_conn(&d->db, &err);
	DIR *dir;

	if (!db)
		return;
	image_remove_leftovers(d->state_dir);
	{
		_cleanup_stmt_ sqlite3_stmt *st =
		    db_prepare(db, "SELECT name FROM images WHERE state = 'importing'", &err);

		while (st && sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);

			fprintf(
			    stderr,
			    "berthd: image %s was being imported when berthd stopped; removed\n",
			    name);
			image_remove(d->state_dir, name, &err);
		}
	}
	db_exec(db, "DELETE FROM images WHERE state = 'importing'", &err);
	if ((size_t)snprintf(path, sizeof(path), "%s/images", d->state_dir) >= sizeof(path))
		return;
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || !name_valid(e->d_name) || has_row(db, e->d_name))
			continue;
		fprintf(stderr, "berthd: removing image files no image owns: %s/%s\n", path,
			e->d_name);
		image_remove(d->state_dir, e->d_name, &err);
	}
	closedir(dir);
}
