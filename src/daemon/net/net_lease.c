/* net_lease.c - addresses of the pool recorded in the servers table. */
#include "daemon/net/net_lease.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "daemon/state/db.h"

/* Every address in the servers table, parsed (unparsable ones are skipped). */
static int used_addresses(sqlite3 *db, uint32_t **out, size_t *n, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT address FROM servers WHERE address IS NOT NULL", err);
	size_t cap = 0;
	uint32_t *a = NULL, *bigger;
	const char *text;
	int rc;

	*n = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(st, 0);
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			bigger = realloc(a, cap * sizeof(*a));
			if (!bigger) {
				free(a);
				return berr(err, ENOMEM, "reading addresses");
			}
			a = bigger;
		}
		if (text && net_addr_parse(text, &a[*n]) == 0)
			(*n)++;
	}
	if (rc != SQLITE_DONE) {
		free(a);
		return db_error(db, err, "reading addresses");
	}
	*out = a;
	return 0;
}

int net_lease_pick(sqlite3 *db, const struct net_pool *pool, char out[NET_ADDR_LEN],
		   struct berth_error *err)
{
	_cleanup_free_ uint32_t *used = NULL;
	uint32_t addr;
	size_t n;

	if (used_addresses(db, &used, &n, err) || net_pool_pick(pool, used, n, &addr, err))
		return -1;
	net_addr_format(addr, out);
	return 0;
}

/* Record addr (NULL: none) as server name's address. */
static int set_address(sqlite3 *db, const char *name, const char *addr, struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "UPDATE servers SET address = ? WHERE name = ?", err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, "recording an address");
	return 0;
}

/* The first server (by name) without an address of pool into name; 0 when there is none. */
static int next_without(sqlite3 *db, const struct net_pool *pool, char *name, size_t size,
			struct berth_error *err)
{
	_cleanup_stmt_ sqlite3_stmt *st =
	    db_prepare(db, "SELECT name, address FROM servers ORDER BY name", err);
	const char *addr;
	uint32_t a;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		addr = (const char *)sqlite3_column_text(st, 1);
		if (addr && net_addr_parse(addr, &a) == 0 && net_pool_holds(pool, a))
			continue;
		snprintf(name, size, "%s", (const char *)sqlite3_column_text(st, 0));
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : db_error(db, err, "reading addresses");
}

int net_lease_fill(sqlite3 *db, const struct net_pool *pool, struct berth_error *err)
{
	char name[256], addr[NET_ADDR_LEN];
	int r;

	if (db_begin(db, err))
		return -1;
	while ((r = next_without(db, pool, name, sizeof(name), err)) == 1) {
		/* the old address first, so that the pick never sees it */
		if (set_address(db, name, NULL, err) || net_lease_pick(db, pool, addr, err) ||
		    set_address(db, name, addr, err)) {
			r = -1;
			break;
		}
	}
	if (r < 0) {
		db_rollback(db);
		return berr_wrap(err, "giving servers addresses of the pool");
	}
	return db_commit(db, err);
}

int net_lease_count(sqlite3 *db, const struct net_pool *pool, unsigned *used, unsigned *free_,
		    struct berth_error *err)
{
	_cleanup_free_ uint32_t *a = NULL;
	size_t i, n;

	if (used_addresses(db, &a, &n, err))
		return -1;
	*used = 0;
	for (i = 0; i < n; i++)
		*used += net_pool_holds(pool, a[i]);
	*free_ = net_pool_size(pool) - *used;
	return 0;
}
