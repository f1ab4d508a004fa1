/* seed_rows.h - a server's cloud-init seed in its row of the servers table (migration 7):
 * its SSH keys, user-data and instance-id. */
#ifndef BERTH_DAEMON_SEED_ROWS_H
#define BERTH_DAEMON_SEED_ROWS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "common/error.h"
#include "daemon/cloud/cloud_seed.h"

/* Record the seed of server name (in its 'creating' row): keys (an array of checked key
 * lines, or NULL) and user_data (len bytes, or NULL), with a new instance-id. Nothing when
 * both are absent: that server has no seed. */
int seed_store(sqlite3 *db, const char *name, json_t *keys, const char *user_data, size_t len,
	       struct berth_error *err);

/* Load server name's seed into seed (seed->present false when it has none): instance-id,
 * keys, user-data and hostname; its network is the caller's to fill in. */
int seed_load(sqlite3 *db, const char *name, struct cloud_seed *seed, struct berth_error *err);

#endif
