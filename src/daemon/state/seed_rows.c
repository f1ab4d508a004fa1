/* seed_rows.c - the SQL of a server's cloud-init seed (seed_rows.h). */
#include "daemon/state/seed_rows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "daemon/state/db.h"

int seed_store(sqlite3 *db, const char *name, json_t *keys, const char *user_data, size_t len,
	       struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *keys_text = NULL;
	char id[CLOUD_INSTANCE_ID_LEN + 1];

	if (!keys && !user_data)
		return 0;
	if (cloud_instance_id(id, err))
		return -1;
	if (keys && !(keys_text = json_dumps(keys, JSON_COMPACT)))
		return berr(err, ENOMEM, "server %s: its SSH keys", name);
	st = db_prepare(db,
			"UPDATE servers SET ssh_keys = ?2, user_data = ?3, instance_id = ?4"
			" WHERE name = ?1",
			err);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (keys_text)
		sqlite3_bind_text(st, 2, keys_text, -1, SQLITE_STATIC);
	if (user_data)
		sqlite3_bind_blob(st, 3, user_data, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording the server's cloud-init seed");
	return 0;
}

int seed_load(sqlite3 *db, const char *name, struct cloud_seed *seed, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st = db_prepare(
	    db, "SELECT instance_id, ssh_keys, user_data FROM servers WHERE name = ?1", err);
	const void *blob;
	int n;

	memset(seed, 0, sizeof(*seed));
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		break;
	case SQLITE_DONE:
		return refuse(err, ENOENT, "no server %s", name);
	default:
		return db_error(db, err, "reading a server's cloud-init seed");
	}
	snprintf(seed->hostname, sizeof(seed->hostname), "%s", name);
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		return 0;
	seed->present = true;
	snprintf(seed->instance_id, sizeof(seed->instance_id), "%s", db_text(st, 0));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		seed->ssh_keys = json_loads(db_text(st, 1), 0, NULL);
		if (!json_is_array(seed->ssh_keys)) {
			cloud_seed_free(seed);
			return berr(err, EINVAL, "server %s: its stored SSH keys are not a list",
				    name);
		}
	}
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		blob = sqlite3_column_blob(st, 2);
		n = sqlite3_column_bytes(st, 2);
		seed->user_data = malloc((size_t)n + 1);
		if (!seed->user_data) {
			cloud_seed_free(seed);
			return berr(err, ENOMEM, "server %s: its user-data", name);
		}
		if (n)
			memcpy(seed->user_data, blob, (size_t)n);
		seed->user_data[n] = '\0';
		seed->user_data_len = (size_t)n;
	}
	return 0;
}
