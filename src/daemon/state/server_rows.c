/* server_rows.c - SQL of the servers table, besides the ledger's reservations. */
#include "daemon/state/server_rows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/servers/vm_command.h"
#include "daemon/state/db.h"
#include "common/error.h"

static const char *const state_names[] = {
	[STATE_CREATING] = "creating", [STATE_STOPPED] = "stopped",   [STATE_STARTING] = "starting",
	[STATE_RUNNING] = "running",   [STATE_STOPPING] = "stopping", [STATE_DELETING] = "deleting",
};

#define COLUMNS                                                                                    \
	"name, kind, image, state, cpus, memory, disk, address, pid, restart, created, boot, "     \
	"cmdline, jail_uid, disk_iops, disk_bps, net_bps, idmap, privileged, "                     \
	"(SELECT group_concat(cpu) FROM dedicated_cpus WHERE server = servers.name), "             \
	"(SELECT group_concat(cpu) FROM dedicated_cpus), instance_id, "                            \
	"json_array_length(ssh_keys), "                                                            \
	"length(user_data)"

const char *server_state_name(enum server_state s)
{
	return state_names[s];
}

int server_state_parse(const char *name)
{
	unsigned i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (name && !strcmp(name, state_names[i]))
			return (int)i;
	}
	return -1;
}

const char *server_kind_name(enum server_kind k)
{
	return k == KIND_VM ? "vm" : "ct";
}

/* The row's I/O limits (columns 14..16 of COLUMNS). */
static struct server_limits row_limits(sqlite3_stmt *st)
{
	return (struct server_limits){ (uint64_t)sqlite3_column_int64(st, 14),
				       (uint64_t)sqlite3_column_int64(st, 15),
				       (uint64_t)sqlite3_column_int64(st, 16) };
}

static int fill(sqlite3_stmt *st, const char *state_dir, struct server *s, struct berth_error *err)
{
	int state = server_state_parse(db_text(st, 3));

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", db_text(st, 0));
	snprintf(s->image, sizeof(s->image), "%s", db_text(st, 2));
	s->kind = strcmp(db_text(st, 1), "vm") ? KIND_CT : KIND_VM;
	s->state = state < 0 ? STATE_STOPPED : (enum server_state)state;
	s->cpus = (unsigned)sqlite3_column_int64(st, 4);
	s->memory = (uint64_t)sqlite3_column_int64(st, 5);
	s->disk = (uint64_t)sqlite3_column_int64(st, 6);
	s->pid = (long)sqlite3_column_int64(st, 8);
	s->jail_uid = (uint32_t)sqlite3_column_int64(st, 13);
	s->restart_always = !strcmp(db_text(st, 9), "always");
	s->boot = s->kind == KIND_CT			 ? BOOT_NONE
		  : !strcmp(db_text(st, 11), "firmware") ? BOOT_FIRMWARE
							 : BOOT_KERNEL;
	if ((size_t)snprintf(s->cmdline, sizeof(s->cmdline), "%s", db_text(st, 12)) >=
	    sizeof(s->cmdline))
		return berr(err, EOVERFLOW, "server %s: its kernel command line is too long",
			    s->name);
	snprintf(s->address, sizeof(s->address), "%s", db_text(st, 7));
	s->limits = row_limits(st);
	s->idmap = (uint32_t)sqlite3_column_int64(st, 17);
	s->privileged = sqlite3_column_int64(st, 18) != 0;
	if ((size_t)snprintf(s->cpuset, sizeof(s->cpuset), "%s", db_text(st, 19)) >=
	    sizeof(s->cpuset))
		return berr(err, EOVERFLOW, "server %s: its list of dedicated CPUs is too long",
			    s->name);
	if ((size_t)snprintf(s->held_cpus, sizeof(s->held_cpus), "%s", db_text(st, 20)) >=
	    sizeof(s->held_cpus))
		return berr(err, EOVERFLOW, "the list of dedicated CPUs is too long");
	if ((size_t)snprintf(s->dir, sizeof(s->dir), "%s/servers/%s", state_dir, s->name) >=
		sizeof(s->dir) ||
	    (size_t)snprintf(s->image_dir, sizeof(s->image_dir), "%s/images/%s", state_dir,
			     s->image) >= sizeof(s->image_dir))
		return berr(err, ENAMETOOLONG, "server %s: the state directory's path is too long",
			    s->name);
	return 0;
}

int server_load(sqlite3 *db, const char *state_dir, const char *name, struct server *s,
		struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT " COLUMNS " FROM servers WHERE name = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return fill(st, state_dir, s, err);
	case SQLITE_DONE:
		return refuse(err, ENOENT, "no server %s", name);
	default:
		return db_error(db, err, "reading servers");
	}
}

void boot_json(json_t *j, const char *kind, const char *boot, const char *cmdline)
{
	char line[VM_CMDLINE_LEN];

	if (strcmp(kind, "vm"))
		return;
	if (!strcmp(boot, "firmware")) {
		json_object_set_new(j, "boot", json_string("firmware"));
		return;
	}
	vm_kernel_cmdline(line, sizeof(line), cmdline, "");
	json_object_set_new(j, "boot", json_string("kernel"));
	json_object_set_new(j, "cmdline", json_string(line));
}

void idmap_json(json_t *j, const char *kind, long long idmap, long long privileged)
{
	if (strcmp(kind, "ct"))
		return;
	json_object_set_new(j, "privileged", json_boolean(privileged != 0));
	if (idmap > 0)
		json_object_set_new(j, "idmap",
				    json_pack("{s:I, s:I, s:I}", "uid", (json_int_t)idmap, "gid",
					      (json_int_t)idmap, "count",
					      (json_int_t)CONFIG_IDMAP_SIZE));
}

int server_set_boot(sqlite3 *db, const char *name, enum server_boot boot, const char *cmdline,
		    struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "UPDATE servers SET boot = ?2, cmdline = ?3 WHERE name = ?1", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (boot != BOOT_NONE)
		sqlite3_bind_text(st, 2, boot == BOOT_FIRMWARE ? "firmware" : "kernel", -1,
				  SQLITE_STATIC);
	if (cmdline && cmdline[0])
		sqlite3_bind_text(st, 3, cmdline, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording how the server boots");
	return 0;
}

int server_set_limits(sqlite3 *db, const char *name, const struct server_limits *l,
		      struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(
	    db, "UPDATE servers SET disk_iops = ?2, disk_bps = ?3, net_bps = ?4 WHERE name = ?1",
	    err);
	const uint64_t v[] = { l->disk_iops, l->disk_bps, l->net_bps };

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	for (int i = 0; i < 3; i++)
		if (v[i]) /* else NULL: no limit */
			sqlite3_bind_int64(st, i + 2, (sqlite3_int64)v[i]);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording the server's I/O limits");
	return 0;
}

json_t *limits_json(const struct server_limits *l)
{
	return json_pack("{s:I, s:I, s:I}", "disk_iops", (json_int_t)l->disk_iops, "disk_bps",
			 (json_int_t)l->disk_bps, "net_bps", (json_int_t)l->net_bps);
}

/* The CPUs of a list "0,1" (group_concat's) as a JSON array; [] for "". */
static json_t *cpus_json(const char *list)
{
	json_t *a = json_array();
	char *end;

	while (a && *list) {
		json_array_append_new(a, json_integer((json_int_t)strtoull(list, &end, 10)));
		list = *end == ',' ? end + 1 : end + strlen(end);
	}
	return a;
}

/* Its cloud-init seed, from columns col.. (instance_id, the number of keys, the bytes of
 * user-data): "cloud_init": {"instance_id", "ssh_keys", "user_data"}, or null when none. */
static void seed_json(json_t *j, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		json_object_set_new(j, "cloud_init", json_null());
		return;
	}
	json_object_set_new(j, "cloud_init",
			    json_pack("{s:s, s:I, s:I}", "instance_id", db_text(st, col),
				      "ssh_keys", (json_int_t)sqlite3_column_int64(st, col + 1),
				      "user_data", (json_int_t)sqlite3_column_int64(st, col + 2)));
}

static json_t *row_json(sqlite3_stmt *st)
{
	struct server_limits limits = row_limits(st);
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:n, s:n, s:s, s:I}", "name",
		      db_text(st, 0), "kind", db_text(st, 1), "image", db_text(st, 2), "state",
		      db_text(st, 3), "cpus", (json_int_t)sqlite3_column_int64(st, 4), "memory",
		      (json_int_t)sqlite3_column_int64(st, 5), "disk",
		      (json_int_t)sqlite3_column_int64(st, 6), "address", "pid", "restart",
		      db_text(st, 9), "created", (json_int_t)sqlite3_column_int64(st, 10));

	if (!j)
		return NULL;
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		json_object_set_new(j, "address", json_string(db_text(st, 7)));
	if (sqlite3_column_type(st, 8) != SQLITE_NULL && sqlite3_column_int64(st, 8) > 0)
		json_object_set_new(j, "pid", json_integer(sqlite3_column_int64(st, 8)));
	boot_json(j, db_text(st, 1), db_text(st, 11), db_text(st, 12));
	json_object_set_new(j, "limits", limits_json(&limits));
	idmap_json(j, db_text(st, 1), sqlite3_column_int64(st, 17), sqlite3_column_int64(st, 18));
	json_object_set_new(j, "dedicated_cpus", cpus_json(db_text(st, 19)));
	seed_json(j, st, 21);
	return j;
}

json_t *server_json(sqlite3 *db, const char *name, struct berth_error *err)
{
	return db_row_json(db, "SELECT " COLUMNS " FROM servers WHERE name = ?1", name, row_json,
			   "server", err);
}

json_t *server_json_list(sqlite3 *db, struct berth_error *err)
{
	return db_rows_json(db, "SELECT " COLUMNS " FROM servers ORDER BY name", NULL, row_json,
			    err);
}

json_t *server_names(sqlite3 *db, unsigned mask, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT name, state FROM servers ORDER BY name", err);
	json_t *list = json_array();
	int rc, state;

	if (!st) {
		json_decref(list);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state = server_state_parse(db_text(st, 1));
		if (state >= 0 && (mask & STATE_BIT(state)))
			json_array_append_new(list, json_string(db_text(st, 0)));
	}
	if (rc != SQLITE_DONE) {
		db_error(db, err, "listing servers");
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Why a move did not happen: the server is gone or in another state. */
static int explain(sqlite3 *db, const char *name, enum server_state to, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT state FROM servers WHERE name = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return refuse(err, ENOENT, "no server %s", name);
	return refuse(err, EBUSY, "server %s is %s: it cannot go %s now", name, db_text(st, 0),
		      to == STATE_DELETING ? "to deleting" : server_state_name(to));
}

int server_move(sqlite3 *db, const char *name, unsigned from_mask, enum server_state to, long pid,
		struct berth_error *err)
{
	char sql[256] = "UPDATE servers SET state = ?1";
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	unsigned i;
	bool first = true;

	if (pid >= 0)
		strcat(sql, ", pid = nullif(?3, 0)");
	strcat(sql, " WHERE name = ?2 AND state IN (");
	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (!(from_mask & STATE_BIT(i)))
			continue;
		strcat(sql, first ? "'" : ", '");
		strcat(sql, state_names[i]);
		strcat(sql, "'");
		first = false;
	}
	strcat(sql, ")");
	st = db_prepare(db, sql, err);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, state_names[to], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (pid >= 0)
		sqlite3_bind_int64(st, 3, pid);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "updating a server");
	if (sqlite3_changes(db) == 0)
		return explain(db, name, to, err);
	return 0;
}
