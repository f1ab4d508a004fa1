/* net_lease.h - who has which address of the pool: the servers table's address column
 * (unique), filled in the transaction that creates the row and freed with it. */
#ifndef BERTH_DAEMON_NET_LEASE_H
#define BERTH_DAEMON_NET_LEASE_H

#include <sqlite3.h>

#include "common/error.h"
#include "daemon/net/net_pool.h"

/* A free address of pool into out, inside the caller's transaction. errnum ENOSPC when
 * the pool is full (the message says what to do). */
int net_lease_pick(sqlite3 *db, const struct net_pool *pool, char out[NET_ADDR_LEN],
		   struct berth_error *err);

/* Give an address of pool to every server without one, or with one outside pool (made
 * before networks were on, or under another bridge_address), in one transaction. */
int net_lease_fill(sqlite3 *db, const struct net_pool *pool, struct berth_error *err);

/* Used and free addresses of pool. */
int net_lease_count(sqlite3 *db, const struct net_pool *pool, unsigned *used, unsigned *free,
		    struct berth_error *err);

#endif
