/* jail_ids.h - which uid (and gid, the same number) a VM's jailed VMM runs as: one of the
 * configured range vmm_ids, recorded in its server row at its first start and kept while
 * the server exists, so no two servers (running or not) ever share one. */
#ifndef BERTH_DAEMON_JAIL_IDS_H
#define BERTH_DAEMON_JAIL_IDS_H

#include <sqlite3.h>
#include <stdint.h>

#include "common/error.h"

/* The jail uid of server name into *uid: its recorded one when it lies in [start,
 * start+count), else the lowest free one there, recorded in the same write transaction
 * (concurrent starts cannot take one twice). ENOSPC when the range is full. */
int jail_id_take(sqlite3 *db, const char *name, uint32_t start, uint32_t count, uint32_t *uid,
		 struct berth_error *err);

#endif
