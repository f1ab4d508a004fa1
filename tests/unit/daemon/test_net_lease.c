/* Unit tests for src/daemon/net/net_lease.c through the ledger: a server gets an address of the
 * pool in the transaction that creates its row, a full pool refuses the create, a deleted
 * server's address is free again, and servers without an address get one at start. */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/state/db.h"
#include "daemon/state/ledger.h"
#include "daemon/net/net_lease.h"
#include "scratch.h"

#define GIB (1ULL << 30)

/* disk: /tmp's file system as it is (servers of about 1 GiB each) */
static struct capacity cap = { .cpus = 64, .memory = 64 * GIB, .state_dir = "/tmp" };

static int setup(void **state)
{
	struct berth_error err = { 0 };
	sqlite3 *c;

	scratch_setup(state);
	assert_int_equal(db_connect(at("berth.db"), &c, &err), 0);
	assert_int_equal(db_migrate(c, &err), 0);
	assert_int_equal(db_exec(c,
				 "INSERT INTO images (name, kind, state, size, created) VALUES "
				 "('bb', 'ct', 'ready', 0, 0);",
				 &err),
			 0);
	/* 10.9.0.1/29: .2 to .6 for servers */
	cap.pool = (struct net_pool){ .gateway = 0x0a090001, .network = 0x0a090000, .prefix = 29 };
	/* containers get id ranges too */
	cap.idmap_start = 1000000;
	cap.idmap_count = 1000000000;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close_v2(*state);
	return scratch_teardown(state);
}

static int reserve(sqlite3 *db, const char *name, char *address, struct berth_error *err)
{
	struct server_spec s = { .kind = KIND_CT, .cpus = 1, .memory = 1 << 20 };

	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.image, sizeof(s.image), "bb");
	if (ledger_reserve(db, &cap, &s, err))
		return -1;
	snprintf(address, NET_ADDR_LEN, "%s", s.address);
	return 0;
}

static void address_of(sqlite3 *db, const char *name, const char *want)
{
	sqlite3_stmt *st;

	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT address FROM servers WHERE name = ?", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (want)
		assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
	else
		assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
	sqlite3_finalize(st);
}

static void gives_and_frees(void **state)
{
	struct berth_error err = { 0 };
	sqlite3 *db = *state;
	char a[NET_ADDR_LEN], name[32];
	unsigned used, free_;
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(reserve(db, name, a, &err), 0);
		snprintf(name, sizeof(name), "10.9.0.%d", i + 2);
		assert_string_equal(a, name);
	}
	address_of(db, "s0", "10.9.0.2");
	assert_int_equal(net_lease_count(db, &cap.pool, &used, &free_, &err), 0);
	assert_int_equal(used, 5);
	assert_int_equal(free_, 0);
	assert_int_equal(reserve(db, "full", a, &err), -1);
	assert_int_equal(err.errnum, ENOSPC);
	assert_contains(err.msg, "no free address: all 5 of 10.9.0.0/29 are taken");
	assert_int_equal(net_lease_count(db, &cap.pool, &used, &free_, &err), 0);
	assert_int_equal(used, 5); /* nothing of the refused one was recorded */
	assert_int_equal(ledger_release(db, "s2", &err), 0);
	assert_int_equal(reserve(db, "again", a, &err), 0);
	assert_string_equal(a, "10.9.0.4");
	/* no pool: no address */
	cap.pool.prefix = 0;
	assert_int_equal(ledger_release(db, "s0", &err), 0);
	assert_int_equal(reserve(db, "none", a, &err), 0);
	assert_string_equal(a, "");
	address_of(db, "none", NULL);
}

static void fills_what_has_none(void **state)
{
	struct berth_error err = { 0 };
	sqlite3 *db = *state;
	char a[NET_ADDR_LEN];

	cap.pool.prefix = 0;
	assert_int_equal(reserve(db, "old", a, &err), 0);
	assert_int_equal(reserve(db, "older", a, &err), 0);
	assert_int_equal(
	    db_exec(db, "UPDATE servers SET address = '10.1.1.9' WHERE name = 'older'", &err), 0);
	cap.pool.prefix = 29;
	assert_int_equal(reserve(db, "new", a, &err), 0);
	assert_string_equal(a, "10.9.0.2");
	assert_int_equal(net_lease_fill(db, &cap.pool, &err), 0);
	address_of(db, "new", "10.9.0.2");
	address_of(db, "old", "10.9.0.3");
	address_of(db, "older", "10.9.0.4"); /* outside the pool: a new one */
	/* twice changes nothing */
	assert_int_equal(net_lease_fill(db, &cap.pool, &err), 0);
	address_of(db, "old", "10.9.0.3");
	/* the address is unique even behind the pool's back */
	assert_int_equal(
	    db_exec(db, "UPDATE servers SET address = '10.9.0.2' WHERE name = 'old'", &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(gives_and_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(fills_what_has_none, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
